"""Keep each case's viewflow process in step with the case's events.

Runs inside the transaction that records the event (a receiver of
`case_event_recorded`), after the case service has already checked the
person's role and moved the state, so the flow never disagrees with the
state machine: a rolled-back transition rolls the process back too.
"""

from django.contrib.contenttypes.models import ContentType
from django.dispatch import receiver
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from cases.models import Case
from cases.signals import case_event_recorded

from .flows import CaseFlow

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)

# Which open task each case action completes.
STEP_OF_ACTION = {
    "verify": {CaseFlow.verify_step},
    "reject": {CaseFlow.verify_step, CaseFlow.assign_step},
    "merge": {CaseFlow.verify_step, CaseFlow.assign_step},
    "assign": {CaseFlow.assign_step},
    "orient": {CaseFlow.orient_step},
    "resolve": {CaseFlow.resolve_step},
}
# Actions that close the wait after resolution (a Handle task).
CLOSURE_ACTIONS = {"reopen", "report"}
# Every other action (reminders, escalations, extensions, reveals...) leaves the flow where it is.
FLOW_ACTIONS = {"intake", "reassign", *STEP_OF_ACTION, *CLOSURE_ACTIONS}


def case_process(case: Case) -> Process | None:
    return (
        Process.objects.filter(
            flow_class=CaseFlow,
            artifact_content_type=ContentType.objects.get_for_model(Case),
            artifact_object_id=case.pk,
        )
        .order_by("pk")
        .first()
    )


def open_tasks(process: Process):
    return Task.objects.filter(process=process, status__in=OPEN_TASK_STATUSES).order_by("pk")


def open_tasks_of_case(case: Case) -> list[Task]:
    """The case's open tasks with their process, in one query; the process already knows its case."""
    tasks = list(
        Task.objects.filter(
            process__flow_class=CaseFlow,
            process__artifact_content_type=ContentType.objects.get_for_model(Case),
            process__artifact_object_id=case.pk,
            status__in=OPEN_TASK_STATUSES,
        )
        .select_related("process")
        .order_by("pk")
    )
    for task in tasks:
        # The flow's switches and permissions read the case through the process: give them the
        # instance the transition holds (locked, with its units) instead of a second read.
        task.process.artifact = case
    return tasks


@receiver(case_event_recorded, dispatch_uid="workflow.keep_process_in_step")
def keep_process_in_step(sender, case, event, **kwargs):
    if event.action not in FLOW_ACTIONS:
        return
    if event.action == "intake":
        CaseFlow.start.run(case=case)
        return
    tasks = open_tasks_of_case(case)  # none for cases logged before the flow existed
    if event.action == "reassign":
        _hand_open_task_over(tasks)
    elif event.action in STEP_OF_ACTION:
        _complete_open_task(tasks, STEP_OF_ACTION[event.action], event.actor)
    else:
        for task in tasks:
            if task.flow_task == CaseFlow.await_closure:
                # What Handle.run does, minus its re-read of the task: the case row lock already
                # serialises every move of this process.
                activation = task.flow_task.activation_class(task)
                activation.run(None)
                activation.execute()


def _complete_open_task(tasks, nodes, actor):
    """Record `actor` as the person who did the open task, and move on."""
    for task in tasks:
        if task.flow_task not in nodes:
            continue
        if task.status == STATUS.NEW:
            # What `assign` would write, saved once with the completion below.
            task.owner, task.assigned, task.status = actor, timezone.now(), STATUS.ASSIGNED
        activation = task.flow_task.activation_class(task)
        if task.owner_id != (actor.pk if actor else None):
            activation.reassign(actor)
        activation.start(None)
        activation.execute()
        return


def _hand_open_task_over(tasks):
    """Close the old unit's task and open the same step in the new unit's queue."""
    for task in tasks:
        if task.flow_task in (CaseFlow.orient_step, CaseFlow.resolve_step):
            activation = task.flow_task.activation_class(task)
            activation.cancel()
            task.flow_task._create(activation, task.token)
            return
