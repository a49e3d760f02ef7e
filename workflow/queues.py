"""Task queues, read from the one role table (workflow.roles).

A task sits in one unit's queue (its permission object: the owner, or for a
direction the unit the case was escalated to).

- "Việc của tôi" (mine): the tasks given to me, and every task nobody holds
  yet that a role of mine on its unit lets me take (the leader sees the cases
  waiting for his assignment).
- "Việc của đơn vị" (unit): every open task of the units my roles reach.
- "Chuyển lên tôi" (escalated): the directions waiting in units I direct.

Administrators hold no role that reaches cases, so they see no task.
"""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from viewflow.workflow.models import Task

from cases.models import SUBTREE_ROLES, Unit
from cases.permissions import case_grants

from .engine import OPEN_TASK_STATUSES, case_process
from .flows import HUMAN_STEPS, CaseFlow
from .roles import STEPS


def _open_human_tasks() -> QuerySet[Task]:
    return (
        Task.objects.filter(flow_task__in=HUMAN_STEPS, status__in=OPEN_TASK_STATUSES)
        .select_related("owner", "process")
        .order_by("created", "pk")
    )


def _unit_ids_of(grant) -> list[str]:
    if grant.role in SUBTREE_ROLES:
        return [str(pk) for pk in Unit.objects.filter(path__startswith=grant.path).values_list("pk", flat=True)]
    return [str(grant.unit_id)]


def _takeable(user, steps=None) -> Q | None:
    """Unheld tasks of `steps` (every human step by default) that a role of the user's lets them take."""
    parts = []
    for grant in case_grants(user):
        names = [name for name, step in STEPS.items() if grant.role in step.roles and (steps is None or name in steps)]
        if names:
            nodes = [getattr(CaseFlow, name) for name in names]
            parts.append(Q(flow_task__in=nodes, owner_permission_obj_pk__in=_unit_ids_of(grant)))
    if not parts:
        return None
    return Q(owner__isnull=True) & reduce(or_, parts)


def unit_task_queue(*, unit: Unit) -> QuerySet[Task]:
    """Open tasks waiting in this unit's queue."""
    return _open_human_tasks().filter(owner_permission_obj_pk=str(unit.pk))


def task_queue_for_user(*, user) -> QuerySet[Task]:
    """Việc của đơn vị: open tasks of every unit this person's roles reach."""
    unit_ids = set()
    for grant in case_grants(user):
        unit_ids.update(_unit_ids_of(grant))
    if not unit_ids:
        return Task.objects.none()
    return _open_human_tasks().filter(owner_permission_obj_pk__in=sorted(unit_ids))


def my_tasks(*, user) -> QuerySet[Task]:
    """Việc của tôi: tasks given to or taken by this person, and unheld tasks their roles let them take."""
    if not getattr(user, "is_authenticated", False):
        return Task.objects.none()
    mine = Q(owner=user)
    takeable = _takeable(user)
    return _open_human_tasks().filter(mine | takeable if takeable is not None else mine)


def escalated_to_me(*, user) -> QuerySet[Task]:
    """Chuyển lên tôi: directions waiting in the units this person leads or supervises."""
    takeable = _takeable(user, steps={"direct_step"})
    held = Q(owner=user, flow_task=CaseFlow.direct_step)
    return _open_human_tasks().filter(held | takeable if takeable is not None else held)


def case_task_history(*, case) -> QuerySet[Task]:
    """Every task of the case's process, oldest first: who held each step and when.

    The caller has already checked the person may see the case.
    """
    process = case_process(case)
    if process is None:
        return Task.objects.none()
    return Task.objects.filter(process=process).select_related("owner").order_by("created", "pk")
