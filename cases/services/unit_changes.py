"""Units renamed or merged from a date, with their open work."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.engine import flow_move, flow_move_direction, flow_requeue

from ..actions import CaseAction
from ..audit import case_event_announce, case_event_append
from ..models import OPEN_STATUSES, Case, CaseStatus, RoutingRule, Unit, UnitChange
from ..permissions import forget_grants
from ..validation import required_text
from .transitions import lock_case


def unit_rename(*, unit: Unit, new_name: str, effective_on, by, decision_ref: str = "") -> UnitChange:
    """Rename a unit from a date; history keeps the name each event was written under."""
    new_name = required_text(new_name, "new_name", _("Cần nhập tên mới."))
    change = UnitChange.objects.create(
        kind=UnitChange.Kind.RENAME, unit=unit, old_name=unit.name, new_name=new_name,
        effective_on=effective_on, decision_ref=decision_ref, created_by=by,
    )
    unit_changes_apply_due()
    return change


def unit_merge(*, unit: Unit, successor: Unit, effective_on, by, decision_ref: str = "") -> UnitChange:
    """Merge a unit into a successor from a date: open cases, queues, roles and routing move."""
    if successor.pk == unit.pk or successor.path.startswith(unit.path):
        raise ValidationError({"successor": _("Đơn vị tiếp nhận không được là chính đơn vị hoặc đơn vị cấp dưới của nó.")})
    if not successor.is_active:
        raise ValidationError({"successor": _("Đơn vị tiếp nhận không còn hoạt động.")})
    change = UnitChange.objects.create(
        kind=UnitChange.Kind.MERGE, unit=unit, old_name=unit.name, successor=successor,
        effective_on=effective_on, decision_ref=decision_ref, created_by=by,
    )
    unit_changes_apply_due()
    return change


def unit_changes_apply_due(*, today=None) -> int:
    """Apply every recorded unit change whose date has come; safe to run repeatedly."""
    today = today or timezone.localdate()
    applied = 0
    for change_id in UnitChange.objects.filter(applied_at__isnull=True, effective_on__lte=today).values_list("pk", flat=True):
        with transaction.atomic():
            change = UnitChange.objects.select_for_update(of=("self",)).select_related("unit", "successor").get(pk=change_id)
            if change.applied_at:
                continue
            if change.kind == UnitChange.Kind.RENAME:
                Unit.objects.filter(pk=change.unit_id).update(name=change.new_name)
            else:
                _move_unit_work(change)
            change.applied_at = timezone.now()
            change.save(update_fields=["applied_at"])
            applied += 1
    return applied


def _move_unit_work(change: UnitChange) -> None:
    old, new = change.unit, change.successor
    from guardian.shortcuts import assign_perm

    from ..models import UnitUserObjectPermission

    # People first, so the successor can take every step that follows it.
    for grant in UnitUserObjectPermission.objects.filter(content_object=old).select_related("permission", "user"):
        assign_perm(f"cases.{grant.permission.codename}", grant.user, new)
        forget_grants(grant.user)
    for case_id in Case.objects.filter(owner=old, status__in=OPEN_STATUSES + (CaseStatus.RESOLVED,)).values_list("pk", flat=True):
        locked = lock_case(Case(pk=case_id))
        locked.owner = new
        event = case_event_append(
            case=locked, action=CaseAction.UNIT_MERGED, actor=change.created_by, from_status=locked.status,
            to_status=locked.status,
            note=change.decision_ref,
            data={"from_unit": old.code, "from_unit_name": old.name, "to_unit": new.code, "to_unit_name": new.name},
        )
        locked.version += 1
        locked.save()
        # The flow moves the case's steps to the successor's queue.
        flow_move(case=locked, move=CaseAction.UNIT_MERGED, by=None)
        case_event_announce(case=locked, event=event)
    # Directions given to the old unit after an escalation go to the successor too.
    from viewflow.workflow.models import Task

    from workflow.engine import OPEN_TASK_STATUSES
    from workflow.flows import CaseFlow

    for task in Task.objects.filter(owner_permission_obj_pk=str(old.pk), status__in=OPEN_TASK_STATUSES,
                                    flow_task=CaseFlow.direct_step).select_related("process"):
        locked = lock_case(Case(pk=task.process.artifact_object_id))
        task.process.artifact = locked
        flow_move_direction(case=locked, task=task, unit=new)
    Case.objects.filter(assigned_by_unit=old).update(assigned_by_unit=new)
    RoutingRule.objects.filter(unit=old).update(unit=new)
    Unit.objects.filter(pk=old.pk).update(is_active=False)
    # Steps of other units' cases that waited here (a hamlet's report at its commune, a decision at the
    # assigning unit) go to the queue they belong in now.
    for task in Task.objects.filter(owner_permission_obj_pk=str(old.pk), status__in=OPEN_TASK_STATUSES
                                    ).select_related("process"):
        locked = lock_case(Case(pk=task.process.artifact_object_id))
        task.process.artifact = locked
        flow_requeue(case=locked, task=task)
