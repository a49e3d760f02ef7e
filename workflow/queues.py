"""Task queues: the open flow tasks of a unit, and of a person.

A task sits in the queue of the case's owning unit (its permission object);
a person sees the queues of the units their roles reach.
"""

from django.db.models import QuerySet
from viewflow.workflow.models import Task

from cases.models import Unit
from cases.permissions import case_grants

from .flows import CaseFlow
from .process_sync import OPEN_TASK_STATUSES

HUMAN_STEPS = (CaseFlow.verify_step, CaseFlow.assign_step, CaseFlow.orient_step, CaseFlow.resolve_step)


def _open_human_tasks() -> QuerySet[Task]:
    return (
        Task.objects.filter(flow_task__in=HUMAN_STEPS, status__in=OPEN_TASK_STATUSES)
        .select_related("owner", "process")
        .order_by("created", "pk")
    )


def unit_task_queue(*, unit: Unit) -> QuerySet[Task]:
    """Open tasks waiting in this unit's queue."""
    return _open_human_tasks().filter(owner_permission_obj_pk=str(unit.pk))


def task_queue_for_user(*, user) -> QuerySet[Task]:
    """Open tasks of every unit this person's roles reach (their unit's tasks)."""
    unit_ids = set()
    for grant in case_grants(user):
        if grant.reaches_subtree:
            unit_ids.update(Unit.objects.filter(path__startswith=grant.path).values_list("pk", flat=True))
        else:
            unit_ids.add(grant.unit_id)
    return _open_human_tasks().filter(owner_permission_obj_pk__in=[str(pk) for pk in unit_ids])


def my_tasks(*, user) -> QuerySet[Task]:
    """Open tasks taken by or given to this person."""
    return _open_human_tasks().filter(owner=user)


def case_task_history(*, case) -> QuerySet[Task]:
    """Every task of the case's process, oldest first: who held each step and when.

    The caller has already checked the person may see the case.
    """
    from .process_sync import case_process

    process = case_process(case)
    if process is None:
        return Task.objects.none()
    return Task.objects.filter(process=process).select_related("owner").order_by("created", "pk")
