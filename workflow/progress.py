"""Where a case stands in its kind's path, at a glance: the progress strip of the case page and the public page.

Read from the flow (workflow.flows.CaseFlow), not written out a second time:
the path is a list of the flow's human nodes, labelled with their titles,
and the case's process tasks say which node is open now. Every node before
the open one is done, every node after it is to come.

- Main line (opinion, proposal, reflection): received, verify, assign,
  orient (only where the topic needs a public response, or where the case
  was oriented anyway), resolve, report.
- Transfer path (complaint, denunciation, or a case transferred after
  verification): received, [verify, when it was verified first], transfer,
  tell the reporter.

The steps beside the main line (a direction after an escalation, its
acknowledgement, the leader's decision after a resident's "not fixed") are
listed apart while they are open.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from cases.models import TRANSFERRED_KINDS, Case, CaseStatus, Unit

from .engine import OPEN_TASK_STATUSES
from .flows import CaseFlow

DONE, CURRENT, TODO = "done", "current", "todo"
MAIN, TRANSFER = "main", "transfer"

# The start node has no human title; the first step of every path is the intake itself.
INTAKE = "intake"
INTAKE_LABEL = _("Tiếp nhận")

MAIN_LINE = ("verify_step", "assign_step", "orient_step", "resolve_step", "report_step")
TRANSFER_LINE = ("transfer_step", "notify_step")
SIDE_STEPS = ("direct_step", "acknowledge_step", "decide_step")

# Where a case of each open status stands on its path when no open task says it (a decision is pending).
_MAIN_POSITION = {
    CaseStatus.RECEIVED: "verify_step",
    CaseStatus.VERIFIED: "assign_step",
    CaseStatus.ASSIGNED: "orient_step",
    CaseStatus.ORIENTED: "resolve_step",
    CaseStatus.RESOLVED: "report_step",
}
_TRANSFER_POSITION = {
    CaseStatus.RECEIVED: "transfer_step",
    CaseStatus.VERIFIED: "transfer_step",
    CaseStatus.TRANSFERRED: "notify_step",
}
# Final states reached at the end of the path: every step is done.
_PATH_COMPLETED = (CaseStatus.REPORTED, CaseStatus.TRANSFER_CLOSED)
# Final states that leave the path before its end.
_LEFT_THE_PATH = (CaseStatus.REJECTED, CaseStatus.MERGED)


@dataclass(frozen=True)
class ProgressStep:
    name: str  # the flow node's name ("intake" for the first step)
    label: str
    state: str  # done, current or todo
    unit_name: str = ""  # for a step beside the main line: the unit whose queue holds it

    @property
    def is_done(self) -> bool:
        return self.state == DONE

    @property
    def is_current(self) -> bool:
        return self.state == CURRENT


@dataclass(frozen=True)
class CaseProgress:
    path: str  # main or transfer
    steps: list = field(default_factory=list)
    side: list = field(default_factory=list)  # steps beside the main line, open now
    ended: str = ""  # the case left its path here (not taken up, merged): the status it ended in

    @property
    def current(self) -> ProgressStep | None:
        return next((step for step in self.steps if step.is_current), None)


def _node(name: str):
    return getattr(CaseFlow, name)


def _title(name: str) -> str:
    return str(_node(name).task_title)


def _process_tasks(case: Case) -> list[Task]:
    """The case's process tasks, oldest first (one query)."""
    return list(
        Task.objects.filter(
            process__flow_class=CaseFlow, process__artifact_content_type=ContentType.objects.get_for_model(Case),
            process__artifact_object_id=case.pk,
        ).order_by("pk").only("pk", "flow_task", "status", "owner_permission_obj_pk")
    )


def case_progress(case: Case, *, tasks=None, with_side_steps: bool = True) -> CaseProgress:
    """The case's path with each step done, current or to come, and the side steps open now.

    `tasks`: the case's process tasks when the caller already has them.
    `with_side_steps=False` for the public page (directions are internal work).
    """
    tasks = _process_tasks(case) if tasks is None else list(tasks)
    names = [task.flow_task.name for task in tasks if task.flow_task is not None]
    open_names = [task.flow_task.name for task in tasks
                  if task.flow_task is not None and task.status in OPEN_TASK_STATUSES]

    transfer = (
        case.kind in TRANSFERRED_KINDS
        or case.status in (CaseStatus.TRANSFERRED, CaseStatus.TRANSFER_CLOSED)
        or any(name in TRANSFER_LINE for name in names)
    )
    if transfer:
        line = (["verify_step"] if "verify_step" in names else []) + list(TRANSFER_LINE)
        position = _TRANSFER_POSITION
    else:
        needs_response = case.topic.needs_public_response if case.topic_id else True
        line = [name for name in MAIN_LINE if name != "orient_step" or needs_response or "orient_step" in names]
        position = _MAIN_POSITION

    current, ended = _current_step(case, line, position, names, open_names)
    steps = [ProgressStep(INTAKE, str(INTAKE_LABEL), DONE)]
    if ended:
        # Left the path: the steps passed before it, then where it ended.
        steps += [ProgressStep(name, _title(name), DONE) for name in line[: line.index(current)]]
        return CaseProgress(path=TRANSFER if transfer else MAIN, steps=steps, ended=ended)
    index = len(line) if current is None else line.index(current)
    waiting = case.status == CaseStatus.RESOLVED and "decide_step" in open_names
    for number, name in enumerate(line):
        if number < index:
            state = DONE
        elif number == index:
            # While the leader decides on a resident's "not fixed", the report waits: the decision is current.
            state = TODO if waiting else CURRENT
        else:
            state = TODO
        steps.append(ProgressStep(name, _title(name), state))
    side = _side_steps(tasks) if with_side_steps else []
    return CaseProgress(path=TRANSFER if transfer else MAIN, steps=steps, side=side)


def _current_step(case, line, position, names, open_names) -> tuple[str | None, str]:
    """(the current node of `line`, or None when the path is completed; the end label if it left the path)."""
    if case.status in _PATH_COMPLETED:
        return None, ""
    if case.status in _LEFT_THE_PATH:
        # The step it was at when it was closed: the last one of the path its process reached.
        reached = [name for name in names if name in line]
        stop = reached[-1] if reached else line[0]
        return stop, case.get_status_display()
    for name in open_names:
        if name in line:
            return name, ""
    name = position.get(case.status)
    if name == "orient_step" and name not in line:
        name = "resolve_step"
    if name not in line:
        name = line[0]
    return name, ""


def _side_steps(tasks) -> list[ProgressStep]:
    open_side = [task for task in tasks
                 if task.flow_task is not None and task.flow_task.name in SIDE_STEPS
                 and task.status in OPEN_TASK_STATUSES]
    unit_ids = {task.owner_permission_obj_pk for task in open_side if task.owner_permission_obj_pk}
    names = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    return [
        ProgressStep(task.flow_task.name, _title(task.flow_task.name), CURRENT,
                     unit_name=names.get(int(task.owner_permission_obj_pk), "") if task.owner_permission_obj_pk else "")
        for task in open_side
    ]
