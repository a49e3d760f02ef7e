"""Moving a case's process: called by the service that moves the case, inside its transaction.

The service has locked the case and changed its fields; it then tells the
engine which move it made. The engine completes the tasks that move
completes (recording who did each), lets the flow's gateways choose the next
step from the case as it now stands, and opens or moves the steps beside the
main line. Nothing re-derives a process afterwards: if the transaction rolls
back, the process rolls back with the case.
"""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from cases.actions import CaseAction
from cases.models import FINAL_STATUSES, OPEN_STATUSES, Case, Unit

from . import roles
from .flows import CaseFlow, CaseStep, start_node_for

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)

# Moves after which the case has another owner: its owner's steps move to the new owner's queue.
OWNER_CHANGING_MOVES = frozenset(
    {CaseAction.REASSIGN, CaseAction.PULL_UP, CaseAction.UNIT_MERGED, CaseAction.WORK_MOVED_UP}
)
# Steps that answer an escalation; any of these moves closes every open direction of the case.
DIRECTION_MOVES = frozenset(CaseFlow.direct_step.step.moves)


def _case_content_type():
    return ContentType.objects.get_for_model(Case)


def case_process(case: Case) -> Process | None:
    return (
        Process.objects.filter(flow_class=CaseFlow, artifact_content_type=_case_content_type(),
                               artifact_object_id=case.pk)
        .order_by("pk").first()
    )


def open_tasks(process: Process):
    return Task.objects.filter(process=process, status__in=OPEN_TASK_STATUSES).order_by("pk")


def open_tasks_of_case(case: Case) -> list[Task]:
    """The case's open tasks with their process, in one query; each process already knows its case."""
    tasks = list(
        Task.objects.filter(
            process__flow_class=CaseFlow, process__artifact_content_type=_case_content_type(),
            process__artifact_object_id=case.pk, status__in=OPEN_TASK_STATUSES,
        ).select_related("process").order_by("pk")
    )
    for task in tasks:
        # The flow's gateways read the case through the process: give them the instance the service
        # holds (locked, with its new fields) instead of a second, older read.
        task.process.artifact = case
    return tasks


def case_directing_units(case: Case) -> list[Unit]:
    """The units the case is escalated to whose direction task is still open (read once per case object)."""
    cached = getattr(case, "_directing_units", None)
    if cached is None:
        ids = [
            int(pk) for pk in Task.objects.filter(
                process__flow_class=CaseFlow, process__artifact_content_type=_case_content_type(),
                process__artifact_object_id=case.pk, status__in=OPEN_TASK_STATUSES,
                flow_task=CaseFlow.direct_step,
            ).values_list("owner_permission_obj_pk", flat=True)
        ]
        cached = list(Unit.objects.filter(pk__in=ids).order_by("depth")) if ids else []
        case._directing_units = cached
    return cached


def _forget_directing(case: Case) -> None:
    case.__dict__.pop("_directing_units", None)


# --- the engine's operations ------------------------------------------------------------


def flow_start(*, case: Case) -> None:
    """Start the case's process at intake: the first step goes to the receiving unit's queue."""
    start_node_for(case).run(case=case)


def flow_move(*, case: Case, move: str, by) -> None:
    """Complete the open steps `move` completes and let the flow take its next step."""
    tasks = open_tasks_of_case(case)
    if case.status not in OPEN_STATUSES:
        # A resolved or closed case has nothing left to direct or acknowledge (those moves need an open case);
        # a closed one has nothing to decide either, and the main line then reaches its end.
        lapsed = (CaseFlow.direct_step, CaseFlow.acknowledge_step)
        if case.status in FINAL_STATUSES:
            lapsed += (CaseFlow.decide_step,)
        for task in tasks:
            if task.flow_task in lapsed:
                _cancel(task)
        tasks = [task for task in tasks if task.status in OPEN_TASK_STATUSES]
        _forget_directing(case)
    completes = set(roles.steps_completed_by(move))
    main_done = False
    directions = []
    for task in tasks:
        name = task.flow_task.name
        if name not in completes:
            continue
        if task.flow_task is CaseFlow.direct_step:
            if move == CaseAction.EXTEND and not CaseFlow.direct_step.can_execute(by, task) and not _directs(by, task):
                continue  # the owner's own extension does not answer the tier above
            directions.append(task)
        elif not main_done:
            _complete(task, by)
            main_done = True
    for index, task in enumerate(directions):
        # One instruction waits for one acknowledgement, however many tiers the case was escalated to.
        _complete(task, by, go_on=index == 0)
    if directions:
        _forget_directing(case)
    if move in OWNER_CHANGING_MOVES:
        flow_owner_changed(case=case)


def _directs(user, task) -> bool:
    unit = CaseFlow.direct_step.task_unit(task)
    return unit is not None and roles.may_take(user, step="direct_step", unit=unit)


def flow_owner_changed(*, case: Case) -> None:
    """The case has a new owner: its owner's open steps leave the old queue for the new one.

    A pending instruction was given to the old owner: it lapses with the hand-over.
    """
    for task in open_tasks_of_case(case):
        step = task.flow_task
        if step is CaseFlow.acknowledge_step:
            _complete(task, None, go_on=False)
            continue
        if not isinstance(step, CaseStep) or step.step.seat == roles.DIRECTING:
            continue
        if task.owner_permission_obj_pk == str(step.queue_unit(case).pk) and (
            task.owner_id is None or task.owner_id == case.assignee_id
        ):
            continue
        activation = step.activation_class(task)
        activation.cancel()
        step._create(activation, task.token)


def flow_open_decision(*, case: Case) -> None:
    """A resident said "not fixed": the report waits, and the owner's leader gets a decision to make."""
    tasks = open_tasks_of_case(case)
    for task in tasks:
        if task.flow_task is CaseFlow.decide_step:
            return  # already waiting for that decision
    after = next((t for t in tasks if t.flow_task is CaseFlow.report_step), None)
    if after is None:
        return
    activation = after.flow_task.activation_class(after)
    activation.cancel()
    CaseFlow.decide_step._create(activation, after.token)


def flow_open_direction(*, case: Case, unit: Unit) -> bool:
    """An escalation: the tier above gets a direction task (once per unit while it is open)."""
    tasks = open_tasks_of_case(case)
    if any(t.flow_task is CaseFlow.direct_step and t.owner_permission_obj_pk == str(unit.pk) for t in tasks):
        return False
    after = tasks[0] if tasks else _last_task(case)
    if after is None:
        return False
    after.process.artifact = case
    activation = after.flow_task.activation_class(after)
    CaseFlow.direct_step._create(activation, after.token, data={"unit": unit.pk})
    _forget_directing(case)
    return True


def flow_requeue(*, case: Case, task: Task) -> None:
    """Put a waiting step back in the queue it belongs in now (its unit lost everyone who could take it)."""
    activation = task.flow_task.activation_class(task)
    activation.cancel()
    task.flow_task._create(activation, task.token)


def flow_move_direction(*, case: Case, task: Task, unit: Unit) -> None:
    """Hand an open direction to another unit (its unit lost everyone who could direct)."""
    activation = task.flow_task.activation_class(task)
    activation.cancel()
    CaseFlow.direct_step._create(activation, task.token, data={"unit": unit.pk})
    _forget_directing(case)


def _last_task(case: Case) -> Task | None:
    task = (
        Task.objects.filter(process__flow_class=CaseFlow, process__artifact_content_type=_case_content_type(),
                            process__artifact_object_id=case.pk)
        .select_related("process").order_by("-pk").first()
    )
    if task is not None:
        task.process.artifact = case
    return task


def _complete(task: Task, actor, *, go_on: bool = True) -> None:
    """Record `actor` as the person who did the task, complete it, and (unless told not to) go on."""
    if task.status == STATUS.NEW and actor is not None:
        # What viewflow's `assign` would write, saved once with the completion below.
        task.owner, task.assigned, task.status = actor, timezone.now(), STATUS.ASSIGNED
    activation = task.flow_task.activation_class(task)
    if task.status == STATUS.ASSIGNED:
        if actor is not None and task.owner_id != actor.pk:
            activation.reassign(actor)
        activation.start(None)
    elif task.status == STATUS.NEW:
        # Done by no person (a resident's answer, the system): straight to done.
        task.status = STATUS.STARTED
        task.started = timezone.now()
    if go_on:
        activation.execute()
    else:
        activation.complete()


def _cancel(task: Task) -> None:
    activation = task.flow_task.activation_class(task)
    activation.cancel()
