"""Writes on flow tasks: a person takes a task, or a leader gives it to someone.

Each is one transaction that locks the case, changes the task and appends a
case event, so the history shows who held each step.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.actions import CaseAction
from cases.audit import case_event_announce, case_event_append
from cases.exceptions import Conflict, PermissionDenied
from cases.models import Case, Role, Unit
from cases.permissions import has_role

from .flows import CaseFlow
from .roles import STEPS, may_take


def step_roles(task: Task) -> frozenset:
    """Who may hold this task: the role table's roles for its step."""
    return STEPS[task.flow_task.name].roles


def _locked_case_and_task(task: Task) -> tuple[Case, Task]:
    case = Case.objects.select_for_update(of=("self",)).get(pk=task.process.artifact_object_id)
    fresh = Task.objects.select_for_update().get(pk=task.pk)
    if fresh.status not in (STATUS.NEW, STATUS.ASSIGNED):
        raise Conflict(_("Nhiệm vụ này đã được xử lý hoặc đã đóng."))
    return case, fresh


def _task_unit(task: Task) -> Unit:
    return Unit.objects.get(pk=task.owner_permission_obj_pk)


def task_take(*, task: Task, by) -> Task:
    """A person takes an open task of their unit's queue."""
    with transaction.atomic():
        case, task = _locked_case_and_task(task)
        unit = _task_unit(task)
        if not may_take(by, step=task.flow_task.name, unit=unit):
            raise PermissionDenied()
        if task.owner_id and task.owner_id != by.pk:
            raise Conflict(_("Nhiệm vụ này đã có người nhận."))
        _set_task_owner(task, by)
        data = {"step": task.flow_task.name, "unit": unit.code}
        if task.flow_task in (CaseFlow.orient_step, CaseFlow.resolve_step):
            case.assignee = by
            data["assignee"] = by.get_username()  # so the check can replay the case's assignee
        _record(case, CaseAction.TAKE_TASK, by, data)
    return task


def task_give(*, task: Task, to, by) -> Task:
    """A leader of the task's unit gives it to a person of that unit."""
    with transaction.atomic():
        case, task = _locked_case_and_task(task)
        unit = _task_unit(task)
        if not has_role(by, unit, Role.LEADER):
            raise PermissionDenied()
        if not has_role(to, unit, *step_roles(task)):
            raise ValidationError({"to": _("Người được giao không có vai trò phù hợp ở đơn vị này.")})
        _set_task_owner(task, to)
        data = {"step": task.flow_task.name, "unit": unit.code, "to": to.get_username()}
        if task.flow_task in (CaseFlow.orient_step, CaseFlow.resolve_step):
            case.assignee = to
            data["assignee"] = to.get_username()
        _record(case, CaseAction.GIVE_TASK, by, data)
    return task


def _set_task_owner(task: Task, user) -> None:
    task.owner = user
    task.status = STATUS.ASSIGNED
    task.save(update_fields=["owner", "status"])


def _record(case: Case, action: str, actor, data: dict) -> None:
    event = case_event_append(case=case, action=action, actor=actor, from_status=case.status,
                              to_status=case.status, data=data)
    case.version += 1
    case.save()
    case_event_announce(case=case, event=event)
