"""The reporter's own view: the answer a resident gives on the public page."""

from django.db import transaction
from django.utils.translation import gettext as _

from workflow.engine import flow_move, flow_open_decision
from workflow.roles import STEPS

from ..actions import CaseAction
from ..audit import case_event_announce, case_event_append
from ..exceptions import TransitionNotAllowed
from ..models import Case, CaseStatus
from ..permissions import users_with_role_on
from ..public_secret import public_secret_matches
from .roles import nearest_unit_with_leaders
from .transitions import copy_into, handover_data, lock_case


def case_public_feedback(*, case: Case, secret: str, fixed: bool, comment: str = "") -> Case:
    """The reporter confirms a resolved case is fixed, or says it is not (a leader then decides)."""
    from ..exceptions import CaseNotFound

    if not public_secret_matches(case=case, secret=secret):
        raise CaseNotFound()
    if case.status != CaseStatus.RESOLVED:
        raise TransitionNotAllowed(_("Chỉ phản hồi được khi vụ việc đã giải quyết xong."))
    with transaction.atomic():
        locked = lock_case(case)
        if locked.status != CaseStatus.RESOLVED:
            raise TransitionNotAllowed(_("Chỉ phản hồi được khi vụ việc đã giải quyết xong."))
        was_waiting = locked.reopen_requested
        locked.reopen_requested = not fixed
        event = case_event_append(
            case=locked, action=CaseAction.PUBLIC_FEEDBACK, actor=None, from_status=locked.status, to_status=locked.status,
            note=(comment or "").strip()[:2000], data={"fixed": bool(fixed)},
        )
        locked.version += 1
        locked.save()
        moved_up = None
        if not fixed:
            flow_open_decision(case=locked)
            moved_up = _decision_up_where_a_leader_is(locked)
        elif was_waiting:
            flow_move(case=locked, move=CaseAction.KEEP_CLOSED, by=None)  # the resident withdrew "not fixed"
        case_event_announce(case=locked, event=event)
        if moved_up is not None:
            case_event_announce(case=locked, event=moved_up)
    copy_into(case, locked)
    return case


def _decision_up_where_a_leader_is(case: Case):
    """A "not fixed" that neither the owner's nor the assigning unit's leader could decide goes up, with the case,
    to the nearest unit above that has a leader (no open case without someone able to move it)."""
    deciders = [case.owner] + ([case.assigned_by_unit] if case.assigned_by_unit_id else [])
    if any(users_with_role_on(unit=unit, roles=STEPS["decide_step"].roles).exists() for unit in deciders):
        return None
    above = nearest_unit_with_leaders(case.owner)
    if above is None:
        return None  # nobody above either: the administrators must grant a role (the unit page says so)
    previous = case.owner
    case.owner, case.assignee = above, None
    event = case_event_append(case=case, action=CaseAction.WORK_MOVED_UP, actor=None, from_status=case.status,
                              to_status=case.status, note="", data=handover_data(previous, above, None))
    case.version += 1
    case.save()
    flow_move(case=case, move=CaseAction.WORK_MOVED_UP, by=None)
    return event
