"""The moves of a case along its lifecycle, each atomic.

A transition locks the case row, asks the state machine whether the move is
legal and whether this person may make it, moves the state, and appends one
hash-chained event, all in one transaction, or does nothing at all.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow import fsm

from config.counters import case_move_counted
from workflow.engine import case_directing_units, flow_move, open_tasks_of_case
from workflow.roles import HANDOVER_ROLES, STEPS

from ..actions import CaseAction
from ..audit import case_event_announce, case_event_append
from ..exceptions import Conflict, PermissionDenied, TransitionNotAllowed
from ..lifecycle import transition_of
from ..models import OPEN_STATUSES, Case, CaseReport, Priority, Role, Topic, Unit
from ..permissions import has_role, roles_on_unit, user_grants, users_with_role_on
from ..validation import locality_out_of_reach, required_text
from .files import attachment_check, attachment_store


def lock_case(case: Case) -> Case:
    """Lock the case row, then read it with its units.

    Two statements on purpose: a lock that waited behind another change must
    not be joined under FOR UPDATE (PostgreSQL would re-check the join
    against the old owner row and lose the case); the read after it sees
    the committed newest version.
    """
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).get()
    return Case.objects.select_related("owner", "topic", "assigned_by_unit").get(pk=case.pk)


def _refuse_unless_allowed(*, locked: Case, stale: Case, name: str, by):
    """Raise the right error when `by` may not make move `name` on `locked` now."""
    move = transition_of(locked, name)
    if locked.version != stale.version:
        raise Conflict()
    if not move.can_proceed(check_conditions=False):
        raise TransitionNotAllowed()
    if by is None or not move.has_perm(by):
        raise PermissionDenied()
    return move


def run_transition(*, case: Case, name: str, by, note: str = "", data=None, apply=None, files=()) -> Case:
    """Lock, check, move, apply field changes, append the event, keep the move's files; all or nothing.

    `files` are (CheckedUpload, is_public) pairs: the event lists them, each kept file points to the event.
    """
    with transaction.atomic():
        locked = lock_case(case)
        move = _refuse_unless_allowed(locked=locked, stale=case, name=name, by=by)
        from_status = locked.status
        try:
            move()
        except fsm.TransitionConditionsUnmet as exc:
            raise TransitionNotAllowed(exc.unmet_message or None) from exc
        except fsm.TransitionNotAllowed as exc:
            raise TransitionNotAllowed() from exc
        event_data = dict(data or {})
        if apply is not None:
            event_data.update(apply(locked) or {})
        if files:
            event_data["files"] = [checked.record(public=public) for checked, public in files]
        if locked.status not in OPEN_STATUSES:
            locked.instruction_pending = False  # nothing is left to acknowledge once the work is done
        # The clocks (a receiver of `case_event_appending`) set the deadline of the step this move starts.
        event = case_event_append(
            case=locked, action=name, actor=by, from_status=from_status, to_status=locked.status,
            note=note, data=event_data,
        )
        locked.version += 1
        locked.save()
        for checked, public in files:
            attachment_store(case=locked, by=by, checked=checked, event=event, is_public=public)
        flow_move(case=locked, move=name, by=by)
        case_event_announce(case=locked, event=event)
        transaction.on_commit(lambda: case_move_counted(name))  # /metrics counts moves that happened
    copy_into(case, locked)
    return case


def copy_into(target: Case, source: Case) -> None:
    """Bring the caller's instance up to date with what was committed."""
    for field in Case._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    for cached in ("owner", "assigned_by_unit", "assignee", "topic", "locality", "merged_into"):
        target._state.fields_cache.pop(cached, None)
    target.__dict__.pop("_directing_units", None)  # the flow's escalation memo (workflow.engine)


def _may_hand_to(by, unit: Unit) -> bool:
    """A leader or supervisor hands work only within the subtree they lead."""
    return any(g.role in (Role.LEADER, Role.SUPERVISOR) and unit.path.startswith(g.path) for g in user_grants(by))


def case_verify(*, case: Case, by, topic: Topic | None = None, locality: Unit | None = None,
                priority: str | None = None, note: str = "") -> Case:
    """Confirm (or correct) topic, locality and priority."""
    if priority is not None and priority not in Priority.values:
        raise ValidationError({"priority": _("Độ khẩn không hợp lệ.")})

    def apply(locked):
        changes = {}
        if topic is not None and topic.pk != locked.topic_id:
            changes["topic"] = [locked.topic.code, topic.code]
            locked.topic = topic
        if locality is not None and locality.pk != locked.locality_id:
            _check_locality_in_reach(by=by, locality=locality)
            changes["locality"] = [locked.locality.code, locality.code]
            locked.locality = locality
        if priority is not None and priority != locked.priority:
            changes["priority"] = [locked.priority, priority]
            locked.priority = priority
        return {"changes": changes} if changes else {}

    return run_transition(case=case, name="verify", by=by, note=note, apply=apply)


def _check_locality_in_reach(*, by, locality: Unit) -> None:
    """A corrected locality lies where the person logs or hands out cases, as the verify form offers."""
    if not locality.is_active:
        raise ValidationError({"locality": _("Địa bàn này không còn hoạt động.")})
    roles = {Role.INTAKE_CLERK, Role.LEADER, Role.SUPERVISOR}
    if not any(g.role in roles and locality.path.startswith(g.path) for g in user_grants(by)):
        raise locality_out_of_reach()


def case_reject(*, case: Case, by, reason: str) -> Case:
    """Close as not an issue, out of scope or spam; a reason is required."""
    reason = required_text(reason, "reason", _("Cần nêu lý do không thụ lý."))

    def apply(locked):
        locked.closing_reason = reason

    return run_transition(case=case, name="reject", by=by, note=reason, apply=apply)


def case_assign(*, case: Case, by, unit: Unit, assignee=None, note: str = "") -> Case:
    """Hand the case to a handling unit (maybe of a lower tier), optionally to a person."""

    def apply(locked):
        _check_handover_target(by=by, unit=unit, assignee=assignee)
        previous = locked.owner
        locked.assigned_by_unit = previous
        locked.owner = unit
        locked.assignee = assignee
        return handover_data(previous, unit, assignee)

    return run_transition(case=case, name="assign", by=by, note=note, apply=apply)


def case_reassign(*, case: Case, by, unit: Unit, reason: str, assignee=None) -> Case:
    """Move the case to another unit; the old unit's task closes."""
    reason = required_text(reason, "reason", _("Cần nêu lý do giao lại."))

    def apply(locked):
        _check_handover_target(by=by, unit=unit, assignee=assignee)
        if unit.pk == locked.owner_id and (assignee is None or assignee.pk == locked.assignee_id):
            raise ValidationError({"unit": _("Vụ việc đang ở đơn vị này.")})
        previous = locked.owner
        locked.owner = unit
        locked.assignee = assignee
        return handover_data(previous, unit, assignee)

    return run_transition(case=case, name="reassign", by=by, note=reason, apply=apply)


def _check_handover_target(*, by, unit: Unit, assignee) -> None:
    if not unit.is_active:
        raise ValidationError({"unit": _("Đơn vị này không còn hoạt động.")})
    if not _may_hand_to(by, unit):
        raise ValidationError({"unit": _("Chỉ được giao cho đơn vị thuộc phạm vi mình phụ trách.")})
    if assignee is not None and not has_role(assignee, unit, *HANDOVER_ROLES):
        raise ValidationError({"assignee": _("Người được giao không thuộc đơn vị xử lý.")})
    if assignee is None or not assignee.is_active:  # an active assignee with the role is someone already
        _refuse_unit_nobody_works_in(unit, HANDOVER_ROLES, field="unit")


def _refuse_unit_nobody_works_in(unit: Unit, needed_roles, *, field: str) -> None:
    """A case handed to a unit where nobody holds the roles of its next step would be stranded."""
    if not users_with_role_on(unit=unit, roles=needed_roles).exists():
        raise ValidationError({field: _(
            "Đơn vị “%(unit)s” chưa có ai giữ vai trò %(roles)s để nhận bước tiếp theo; không thể giao."
        ) % {"unit": unit.name, "roles": _roles_text(needed_roles)}})


def _roles_text(role_codes) -> str:
    return _(" hoặc ").join(str(Role(code).label).lower() for code in sorted(role_codes))


def handover_data(previous: Unit, unit: Unit, assignee) -> dict:
    # Names as they are today, so the history keeps them if units are renamed.
    return {
        "from_unit": previous.code, "from_unit_name": previous.name,
        "to_unit": unit.code, "to_unit_name": unit.name,
        "assignee": assignee.get_username() if assignee else None,
    }


def case_orient(*, case: Case, by, response: str, files=()) -> Case:
    """Record the public response: what was explained, where, to whom; its files stay internal."""
    response = required_text(response, "response", _("Cần nhập nội dung định hướng, trả lời."))
    checked = [(attachment_check(uploaded), False) for uploaded in files]

    def apply(locked):
        locked.public_response = response

    return run_transition(case=case, name="orient", by=by, note=response, apply=apply, files=checked)


def case_resolve(*, case: Case, by, outcome: str, files=(), public_files=()) -> Case:
    """Record the outcome; skipping `orient` is allowed only where the topic says so, and noted.

    `public_files` (a photo of the repaired drain) are shown on the reporter's status page; `files` stay internal.
    """
    outcome = required_text(outcome, "outcome", _("Cần nhập kết quả giải quyết."))
    checked = [(attachment_check(f), False) for f in files] + [(attachment_check(f), True) for f in public_files]

    def apply(locked):
        locked.outcome = outcome
        return {"orient_skipped": True} if not locked.public_response else {}

    return run_transition(case=case, name="resolve", by=by, note=outcome, apply=apply, files=checked)


def case_reopen(*, case: Case, by, reason: str) -> Case:
    """Send a resolved case back to its handling unit."""
    reason = required_text(reason, "reason", _("Cần nêu lý do mở lại."))

    def apply(locked):
        locked.reopen_requested = False

    return run_transition(case=case, name="reopen", by=by, note=reason, apply=apply)


def case_keep_closed(*, case: Case, by, reason: str) -> Case:
    """Answer the resident's "not fixed" without reopening: the reason is shown on the public page."""
    reason = required_text(reason, "reason", _("Cần nêu lý do giữ kết quả giải quyết."))

    def apply(locked):
        locked.reopen_requested = False
        locked.kept_closed_reason = reason

    return run_transition(case=case, name="keep_closed", by=by, note=reason, apply=apply)


def case_transfer(*, case: Case, by, agency: str, legal_basis: str, note: str = "") -> Case:
    """Send a matter this body does not settle (a complaint, a denunciation) to the competent agency."""
    agency = required_text(agency, "agency", _("Cần nêu cơ quan có thẩm quyền nhận đơn."))
    legal_basis = required_text(legal_basis, "legal_basis", _("Cần nêu căn cứ pháp lý của việc chuyển đơn."))

    def apply(locked):
        locked.transfer_agency = agency[:300]
        locked.transfer_legal_basis = legal_basis
        return {"agency": locked.transfer_agency, "legal_basis": legal_basis}

    return run_transition(case=case, name="transfer", by=by, note=note, apply=apply)


def case_reporter_notified(*, case: Case, by, how: str, notified_at=None, note: str = "") -> Case:
    """Record how and when the reporter was told where the matter went; the case closes."""
    how = required_text(how, "how", _("Cần nêu hình thức đã báo cho người phản ánh."))
    now = timezone.now()
    notified_at = notified_at or now
    if notified_at > now + timezone.timedelta(minutes=5):
        raise ValidationError({"notified_at": _("Thời điểm báo không được ở tương lai.")})

    def apply(locked):
        if notified_at < locked.received_at.replace(second=0, microsecond=0):  # forms give the minute only
            raise ValidationError({"notified_at": _("Thời điểm báo không được trước khi tiếp nhận.")})
        locked.reporter_notified_how = how[:300]
        locked.reporter_notified_at = notified_at
        return {"how": locked.reporter_notified_how,
                "notified_at": timezone.localtime(notified_at).isoformat(timespec="minutes")}

    return run_transition(case=case, name="reporter_notified", by=by, note=note, apply=apply)


def case_pull_up(*, case: Case, by, reason: str) -> Case:
    """The tier above takes the escalated case over: their unit becomes the owner."""
    reason = required_text(reason, "reason", _("Cần nêu lý do rút lên cấp trên xử lý."))

    def apply(locked):
        unit = _directing_unit_of(by, locked)
        needed = set().union(*(STEPS[t.flow_task.name].roles for t in open_tasks_of_case(locked)
                               if STEPS.get(t.flow_task.name) and STEPS[t.flow_task.name].seat == "owner"))
        _refuse_unit_nobody_works_in(unit, needed or HANDOVER_ROLES, field="reason")
        previous = locked.owner
        locked.owner = unit
        locked.assignee = None
        locked.instruction_pending = False
        return handover_data(previous, unit, None)

    return run_transition(case=case, name="pull_up", by=by, note=reason, apply=apply)


def _directing_unit_of(by, case: Case) -> Unit:
    """The unit the person directs from: one the case is escalated to where they hold the role themselves."""
    units = case_directing_units(case)
    own = [unit for unit in units if any(g.unit_id == unit.pk for g in user_grants(by))]
    reached = own or [unit for unit in units if roles_on_unit(by, unit) & {Role.LEADER, Role.SUPERVISOR}]
    if not reached:
        raise PermissionDenied()
    return reached[0]


def case_instruct(*, case: Case, by, instruction: str) -> Case:
    """The tier above instructs the owner in writing; the owner must acknowledge it."""
    instruction = required_text(instruction, "instruction", _("Cần nhập nội dung chỉ đạo."))

    def apply(locked):
        unit = _directing_unit_of(by, locked)
        locked.instruction_pending = True
        return {"from_unit": unit.code, "from_unit_name": unit.name, "to_unit": locked.owner.code}

    return run_transition(case=case, name="instruct", by=by, note=instruction, apply=apply)


def case_acknowledge(*, case: Case, by, note: str = "") -> Case:
    """The owner confirms it received the instruction; its reminders start again."""

    def apply(locked):
        from workflow.services import clock_reminders_restart

        locked.instruction_pending = False
        clock_reminders_restart(case=locked)

    return run_transition(case=case, name="acknowledge", by=by, note=note, apply=apply)


def case_extend(*, case: Case, by, new_due, decision_ref: str, reason: str):
    """Extend the current step's deadline by a recorded decision (the owner's leader, or the tier above)."""
    from workflow.services import clock_extend, running_step_clock_name

    clock = running_step_clock_name(case=case)
    if clock is None:
        raise TransitionNotAllowed(_("Vụ việc không có thời hạn bước nào đang chạy để gia hạn."))
    clock_extend(case=case, clock=clock, by=by, reason=reason, decision_ref=decision_ref, new_due=new_due)
    fresh = Case.objects.get(pk=case.pk)
    copy_into(case, fresh)
    return case


def case_mark_reported(*, case: Case, by, report_ref: str) -> Case:
    """Mark a resolved case as accounted for in a submitted report."""
    return run_transition(case=case, name="report", by=by, data={"report": report_ref})


def case_merge(*, case: Case, into: Case, by, note: str = "") -> Case:
    """Fold a duplicate into a surviving open case.

    The duplicate's reports move to the survivor (their count with them);
    both histories stay readable and each records the merge.
    """
    if into.pk == case.pk:
        raise ValidationError({"into": _("Không thể gộp vụ việc vào chính nó.")})
    with transaction.atomic():
        # Lock both rows, always in id order, so two merges cannot deadlock.
        list(Case.objects.select_for_update().filter(pk__in=(case.pk, into.pk)).order_by("pk").values_list("pk"))
        locked_rows = {
            row.pk: row for row in Case.objects.select_related("owner", "topic").filter(pk__in=(case.pk, into.pk))
        }
        survivor = locked_rows[into.pk]

        def apply(locked):
            # Checked after the merge itself is allowed, so a refusal says why first.
            if survivor.status not in OPEN_STATUSES:
                raise ValidationError({"into": _("Chỉ gộp được vào vụ việc đang xử lý.")})
            if not has_role(by, survivor.owner, Role.INTAKE_CLERK, Role.LEADER, Role.HANDLER):
                raise ValidationError({"into": _("Vụ việc được gộp vào không thuộc đơn vị của bạn.")})
            locked.merged_into = survivor
            moved = list(locked.reports.all())
            CaseReport.objects.bulk_create(
                CaseReport(
                    case=survivor, reporter_id=row.reporter_id, channel_id=row.channel_id,
                    received_at=row.received_at, is_representative=False, via_case=locked,
                )
                for row in moved
            )
            survivor.report_count += locked.report_count
            absorbed = case_event_append(
                case=survivor, action=CaseAction.MERGE_IN, actor=by, from_status=survivor.status, to_status=survivor.status,
                note=note, data={"merged_case": locked.code, "reports_added": locked.report_count},
            )
            survivor.version += 1
            survivor.save()
            case_event_announce(case=survivor, event=absorbed)
            return {"into": survivor.code}

        run_transition(case=case, name="merge", by=by, note=note, apply=apply)
    into.refresh_from_db()
    return case
