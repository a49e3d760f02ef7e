"""Roles on units, granted and withdrawn; no work is left where nobody can do it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workflow.engine import flow_move, flow_move_direction, flow_requeue, open_tasks_of_case
from workflow.roles import ABOVE_OWNER, OWNER, STEPS, roles_that_make

from ..actions import CaseAction
from ..audit import case_event_announce, case_event_append
from ..models import FINAL_STATUSES, Case, Role, RoleChange, Unit, UnitUserObjectPermission, role_codename
from ..roles import role_from_codename
from ..permissions import forget_grants, has_direct_role, has_role, users_with_role_on
from ..signals import unit_role_changed
from .transitions import handover_data, lock_case


@transaction.atomic
def unit_role_grant(*, user, unit: Unit, role: str, by=None, reason: str = "") -> bool:
    """Grant `role` on `unit` (a guardian object permission) and record who did it.

    Returns False when the person already held it (nothing is written).
    """
    from guardian.shortcuts import assign_perm

    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    if has_direct_role(user, unit, role):
        return False
    assign_perm(f"cases.{role_codename(role)}", user, unit)
    RoleChange.objects.create(kind=RoleChange.Kind.GRANT, user=user, unit=unit, role=role, changed_by=by, reason=reason)
    forget_grants(user)
    unit_role_changed.send(sender=Unit, user=user, unit=unit, role=role, granted=True)
    return True


@transaction.atomic
def unit_role_revoke(*, user, unit: Unit, role: str, by=None, reason: str = "") -> bool:
    """Withdraw `role` on `unit`; it stops working on the person's next request."""
    from guardian.shortcuts import remove_perm

    if not has_direct_role(user, unit, role):
        return False
    remove_perm(f"cases.{role_codename(role)}", user, unit)
    RoleChange.objects.create(kind=RoleChange.Kind.REVOKE, user=user, unit=unit, role=role, changed_by=by, reason=reason)
    forget_grants(user)
    unit_role_changed.send(sender=Unit, user=user, unit=unit, role=role, granted=False)
    work_after_role_withdrawn(user=user, unit=unit, role=role, by=by)
    return True


def work_after_role_withdrawn(*, user, unit: Unit, role: str, by=None) -> int:
    """No open work may be left where nobody can do it (DESIGN.md section 5's invariant).

    The person's own tasks in `unit`'s queue go back to the queue when they no
    longer hold a role of the step. A step whose last holder of `role` this
    was rests with the unit's leaders; where the unit has no leader either,
    the case (or the direction) goes up to the nearest unit above that has
    one. Each is an event in the case's history. Returns the cases touched.
    """
    from viewflow.workflow.models import Task

    from workflow.engine import OPEN_TASK_STATUSES

    task_rows = Task.objects.filter(owner_permission_obj_pk=str(unit.pk), status__in=OPEN_TASK_STATUSES)
    held = task_rows.filter(owner=user).exists()
    waiting = {getattr(node, "name", "") for node in task_rows.order_by().values_list("flow_task", flat=True).distinct()}
    orphaned = {name for name in waiting if name in STEPS and _left_without(unit, STEPS[name], role)}
    if not held and not orphaned:
        return 0  # everything waiting here still has someone to take it
    case_ids = sorted(set(task_rows.values_list("process__artifact_object_id", flat=True)))
    for case_id in case_ids:
        with transaction.atomic():
            locked = lock_case(Case(pk=case_id))
            if locked.status in FINAL_STATUSES:
                continue
            _rehome_work(locked, unit=unit, user=user, orphaned=orphaned, by=by)
    return len(case_ids)


def work_after_person_deactivated(*, user, by=None) -> int:
    """A deactivated account keeps its grants on paper but none works (cases.permissions.user_grants):
    its work moves exactly as if each of its roles had been withdrawn. Returns the cases touched."""
    forget_grants(user)
    held = UnitUserObjectPermission.objects.filter(
        user=user, permission__codename__in=[role_codename(role) for role in Role.values]
    ).select_related("content_object", "permission")
    touched = 0
    for grant in held:
        role = role_from_codename(grant.permission.codename)
        touched += work_after_role_withdrawn(user=user, unit=grant.content_object, role=role, by=by)
    return touched


def _left_without(unit: Unit, step, role: str) -> bool:
    """Whether the step lost its last holder of `role` here (leaders aside, who keep every step they may take)."""
    if step.seat == ABOVE_OWNER and role == Role.LEADER:
        # A report waits where a secretariat, else a leader, may make it: the last of either can leave it.
        makers = roles_that_make(step.moves[0])
        return not users_with_role_on(unit=unit, roles=makers).exists()
    if role not in step.roles:
        return False
    if role == Role.LEADER:
        return not users_with_role_on(unit=unit, roles=step.roles).exists()
    return not users_with_role_on(unit=unit, roles=step.roles - {Role.LEADER}).exists()


def _rehome_work(case: Case, *, unit: Unit, user, orphaned: set, by) -> None:
    from viewflow.workflow.status import STATUS

    pending = []
    assignee_dropped = False
    for task in open_tasks_of_case(case):
        if task.owner_permission_obj_pk != str(unit.pk):
            continue
        name = task.flow_task.name
        step = STEPS[name]
        if task.owner_id == user.pk and not has_role(user, unit, *step.roles):
            task.owner, task.status = None, STATUS.NEW
            task.save(update_fields=["owner", "status"])
            if case.assignee_id == user.pk:
                case.assignee, assignee_dropped = None, True
        if name not in orphaned:
            continue
        if users_with_role_on(unit=unit, roles=[Role.LEADER]).exists():
            pending.append((CaseAction.WORK_TO_LEADERS, {"step": name, "unit": unit.code}))
            continue
        if step.seat == ABOVE_OWNER:
            # The report waits at the nearest unit at or above the owner where someone may make it now.
            flow_requeue(case=case, task=task)
            to = Unit.objects.get(pk=open_tasks_of_case(case)[-1].owner_permission_obj_pk)
            if to.pk != unit.pk:
                pending.append((CaseAction.WORK_MOVED_UP, _moved_step(name, unit, to)))
            continue
        above = nearest_unit_with_leaders(unit)
        if above is None:
            continue  # nobody above either: the administrators must grant a role (the unit page says so)
        if step.seat == OWNER:
            previous = case.owner
            case.owner, case.assignee = above, None
            pending.append((CaseAction.WORK_MOVED_UP, handover_data(previous, above, None)))
            break  # every owner step follows the case
        flow_move_direction(case=case, task=task, unit=above)
        pending.append((CaseAction.WORK_MOVED_UP, _moved_step(name, unit, above)))
    if assignee_dropped:
        # The case's assignee is nobody now: a change of the case row, so an event of its own.
        pending.insert(0, (CaseAction.UNASSIGNED, {"unit": unit.code, "assignee": None}))
    for action, data in pending:
        event = case_event_append(case=case, action=action, actor=by, from_status=case.status,
                                  to_status=case.status, note="",
                                  data={**data, "role_withdrawn_from": user.get_username()})
        case.version += 1
        case.save()
        if action == CaseAction.WORK_MOVED_UP and "step" not in data:
            flow_move(case=case, move=CaseAction.WORK_MOVED_UP, by=None)
        case_event_announce(case=case, event=event)


def _moved_step(name: str, unit: Unit, to: Unit) -> dict:
    return {"step": name, "from_unit": unit.code, "from_unit_name": unit.name, "to_unit": to.code, "to_unit_name": to.name}


def nearest_unit_with_leaders(unit: Unit) -> Unit | None:
    for ancestor in reversed(list(Unit.objects.get_ancestors(unit))):
        if ancestor.is_active and users_with_role_on(unit=ancestor, roles=[Role.LEADER]).exists():
            return ancestor
    return None
