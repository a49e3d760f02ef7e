"""Every write to the case domain: one function per use case, each atomic.

A transition locks the case row, asks the state machine whether the move is
legal and whether this person may make it, moves the state, and appends one
hash-chained event, all in one transaction, or does nothing at all.
"""

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow import fsm

from workflow.deadlines import step_deadline
from workflow.engine import (
    case_directing_units,
    flow_move,
    flow_move_direction,
    flow_open_decision,
    flow_requeue,
    flow_start,
    open_tasks_of_case,
)
from workflow.roles import HANDOVER_ROLES, STEPS

from .audit import case_event_announce, case_event_append
from .exceptions import Conflict, PermissionDenied, TransitionNotAllowed
from .lifecycle import transition_of
from .models import (
    CASE_CODE_PREFIX,
    OPEN_STATUSES,
    Attachment,
    FINAL_STATUSES,
    Case,
    CaseCodeCounter,
    CaseKind,
    CaseReport,
    CaseStatus,
    Channel,
    Priority,
    Reporter,
    ReporterRevealRole,
    Role,
    RoleChange,
    RoutingRule,
    Topic,
    Unit,
    UnitChange,
    role_codename,
)
from .permissions import forget_grants, has_direct_role, has_role, roles_on_unit, user_grants
from .selectors import users_with_role_on
from .upload_checks import upload_check_archive, upload_safe_name

# Older dates are typing mistakes (and break time-zone arithmetic on some databases).
EARLIEST_RECEIVED_YEAR = 2000


# --- case codes ---------------------------------------------------------------


def case_code_allocate(*, year: int) -> str:
    """The next `DL-YYYY-NNNNNN` code.

    On PostgreSQL each year has its own sequence: `nextval` never waits, so
    concurrent intakes do not queue behind each other. A rolled-back intake
    leaves a gap in the numbers (nothing requires them to be gapless; codes
    are never reused). Elsewhere (the embedded SQLite, one writer at a time)
    the counter row's lock is held until the caller's transaction commits.
    """
    if connection.vendor == "postgresql":
        number = _next_from_year_sequence(year)
    else:
        number = _next_from_counter_row(year)
    return f"{CASE_CODE_PREFIX}-{year}-{number:06d}"


def _next_from_year_sequence(year: int) -> int:
    # cases_next_case_number (migration 0008) creates the year's sequence on first use.
    with connection.cursor() as cursor:
        cursor.execute("SELECT cases_next_case_number(%s)", [year])
        return cursor.fetchone()[0]


def _next_from_counter_row(year: int) -> int:
    with transaction.atomic():
        bumped = CaseCodeCounter.objects.filter(year=year).update(last_number=F("last_number") + 1)
        if not bumped:
            try:
                with transaction.atomic():
                    CaseCodeCounter.objects.create(year=year, last_number=1)
            except IntegrityError:
                # Another intake created this year's row first; take the next number.
                CaseCodeCounter.objects.filter(year=year).update(last_number=F("last_number") + 1)
        return CaseCodeCounter.objects.get(year=year).last_number


# --- intake -------------------------------------------------------------------


@dataclass
class ReporterInput:
    full_name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""

    @property
    def is_empty(self) -> bool:
        return not any((self.full_name.strip(), self.phone.strip(), self.email.strip(), self.address.strip()))


def _intake_unit_for(*, user, locality: Unit) -> Unit:
    """The unit where this person logs a case about `locality`: the nearest one
    above or at the locality on which they are an intake clerk or leader."""
    candidates = [g for g in user_grants(user) if g.role in (Role.INTAKE_CLERK, Role.LEADER)]
    if not candidates:
        raise PermissionDenied(_("Bạn không có vai trò tiếp nhận vụ việc ở đơn vị nào."))
    covering = [g for g in candidates if locality.path.startswith(g.path)]
    chosen = max(covering, key=lambda g: len(g.path)) if covering else None
    if chosen is None:
        unit_ids = {g.unit_id for g in candidates}
        if len(unit_ids) != 1:
            raise ValidationError({"locality": _("Địa bàn này không thuộc đơn vị tiếp nhận của bạn.")})
        chosen = candidates[0]
    return Unit.objects.get(pk=chosen.unit_id)


def case_intake(
    *,
    by,
    title: str,
    channel: Channel,
    topic: Topic,
    locality: Unit,
    description: str = "",
    priority: str = Priority.NORMAL,
    kind: str = CaseKind.REFLECTION,
    received_at=None,
    reporter: ReporterInput | None = None,
    external_ref: str = "",
    receiving_unit: Unit | None = None,
    attachments=(),
) -> Case:
    """Log a new case (tiếp nhận); anonymous when no reporter is given."""
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Cần nhập tiêu đề.")
    elif len(title) > Case._meta.get_field("title").max_length:
        errors["title"] = _("Tiêu đề quá dài (tối đa 300 ký tự).")
    for field, value in (("title", title), ("description", description), ("external_ref", external_ref)):
        if value and "\x00" in value:  # PostgreSQL cannot store it; say so instead of failing
            errors[field] = _("Nội dung có ký tự không hợp lệ.")
    if priority not in Priority.values:
        errors["priority"] = _("Độ khẩn không hợp lệ.")
    kind = kind or CaseKind.REFLECTION
    if kind not in CaseKind.values:
        errors["kind"] = _("Loại vụ việc không hợp lệ.")
    if not channel.is_active:
        errors["channel"] = _("Kênh tiếp nhận này không còn sử dụng.")
    if not topic.is_active:
        errors["topic"] = _("Lĩnh vực này không còn sử dụng.")
    if not locality.is_active:
        errors["locality"] = _("Địa bàn này không còn hoạt động.")
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + timezone.timedelta(minutes=5):
        errors["received_at"] = _("Thời điểm tiếp nhận không được ở tương lai.")
    elif received_at.year < EARLIEST_RECEIVED_YEAR:
        errors["received_at"] = _("Thời điểm tiếp nhận không hợp lệ (trước năm %(year)s).") % {"year": EARLIEST_RECEIVED_YEAR}
    if errors:
        raise ValidationError(errors)

    if receiving_unit is None:
        receiving_unit = _intake_unit_for(user=by, locality=locality)
    elif not has_role(by, receiving_unit, Role.INTAKE_CLERK, Role.LEADER):
        raise PermissionDenied(_("Bạn không có vai trò tiếp nhận ở đơn vị này."))

    with transaction.atomic():
        code = case_code_allocate(year=timezone.localtime(now).year)
        case = Case.objects.create(
            code=code,
            title=title,
            description=description or "",
            channel=channel,
            topic=topic,
            locality=locality,
            owner=receiving_unit,
            priority=priority,
            kind=kind,
            received_at=received_at,
            deadline=step_deadline(status=CaseStatus.RECEIVED, priority=priority, start=received_at),
            external_ref=external_ref or "",
            created_by=by,
        )
        # Shown once to the clerk to hand to the reporter; only its hash is kept.
        case.public_secret = public_secret_new()
        case.public_secret_hash = public_secret_hash(code=code, secret=case.public_secret)
        reporter_row = None
        if reporter is not None and not reporter.is_empty:
            reporter_row = Reporter.objects.create(
                full_name=reporter.full_name.strip(), phone=reporter.phone.strip(),
                email=reporter.email.strip(), address=reporter.address.strip(),
            )
        CaseReport.objects.create(
            case=case, reporter=reporter_row, channel=channel, received_at=received_at, is_representative=True
        )
        event = case_event_append(
            case=case, action="intake", actor=by, to_status=CaseStatus.RECEIVED,
            data={
                "channel": channel.code, "topic": topic.code, "locality": locality.code,
                "owner": receiving_unit.code, "owner_name": receiving_unit.name,
                "priority": priority, "kind": kind, "anonymous": reporter_row is None,
            },
        )
        case.save(update_fields=["event_count", "head_hash", "public_secret_hash"])
        flow_start(case=case)
        case_event_announce(case=case, event=event)
        for uploaded in attachments:
            attachment_add(case=case, by=by, uploaded_file=uploaded)
    return case


# --- transitions --------------------------------------------------------------


def _lock_case(case: Case) -> Case:
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


def _run_transition(*, case: Case, name: str, by, note: str = "", data=None, apply=None, lock_also=()) -> Case:
    """Lock, check, move, apply field changes, append the event; all or nothing."""
    with transaction.atomic():
        locked = _lock_case(case)
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
        if locked.status not in OPEN_STATUSES:
            locked.instruction_pending = False  # nothing is left to acknowledge once the work is done
        event = case_event_append(
            case=locked, action=name, actor=by, from_status=from_status, to_status=locked.status,
            note=note, data=event_data,
        )
        # The step clock the event starts (a receiver) lands on the same time unless a more specific
        # policy applies; counting from the event's own time spares that receiver a second write.
        locked.deadline = step_deadline(
            status=locked.status, priority=locked.priority, start=event.created_at,
            needs_public_response=locked.topic.needs_public_response,
        )
        locked.version += 1
        locked.save()
        flow_move(case=locked, move=name, by=by)
        case_event_announce(case=locked, event=event)
    _copy_into(case, locked)
    return case


def _copy_into(target: Case, source: Case) -> None:
    """Bring the caller's instance up to date with what was committed."""
    for field in Case._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    for cached in ("owner", "assigned_by_unit", "assignee", "topic", "locality", "merged_into"):
        target._state.fields_cache.pop(cached, None)
    target.__dict__.pop("_directing_units", None)  # the flow's escalation memo (workflow.engine)


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if "\x00" in value:  # PostgreSQL cannot store it; say so instead of failing
        raise ValidationError({field: _("Nội dung có ký tự không hợp lệ.")})
    return value


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
            changes["locality"] = [locked.locality.code, locality.code]
            locked.locality = locality
        if priority is not None and priority != locked.priority:
            changes["priority"] = [locked.priority, priority]
            locked.priority = priority
        return {"changes": changes} if changes else {}

    return _run_transition(case=case, name="verify", by=by, note=note, apply=apply)


def case_reject(*, case: Case, by, reason: str) -> Case:
    """Close as not an issue, out of scope or spam; a reason is required."""
    reason = _required(reason, "reason", _("Cần nêu lý do không thụ lý."))

    def apply(locked):
        locked.closing_reason = reason

    return _run_transition(case=case, name="reject", by=by, note=reason, apply=apply)


def case_assign(*, case: Case, by, unit: Unit, assignee=None, note: str = "") -> Case:
    """Hand the case to a handling unit (maybe of a lower tier), optionally to a person."""

    def apply(locked):
        _check_handover_target(by=by, unit=unit, assignee=assignee)
        previous = locked.owner
        locked.assigned_by_unit = previous
        locked.owner = unit
        locked.assignee = assignee
        return _handover_data(previous, unit, assignee)

    return _run_transition(case=case, name="assign", by=by, note=note, apply=apply)


def case_reassign(*, case: Case, by, unit: Unit, reason: str, assignee=None) -> Case:
    """Move the case to another unit; the old unit's task closes."""
    reason = _required(reason, "reason", _("Cần nêu lý do giao lại."))

    def apply(locked):
        _check_handover_target(by=by, unit=unit, assignee=assignee)
        if unit.pk == locked.owner_id and (assignee is None or assignee.pk == locked.assignee_id):
            raise ValidationError({"unit": _("Vụ việc đang ở đơn vị này.")})
        previous = locked.owner
        locked.owner = unit
        locked.assignee = assignee
        return _handover_data(previous, unit, assignee)

    return _run_transition(case=case, name="reassign", by=by, note=reason, apply=apply)


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


def _handover_data(previous: Unit, unit: Unit, assignee) -> dict:
    # Names as they are today, so the history keeps them if units are renamed.
    return {
        "from_unit": previous.code, "from_unit_name": previous.name,
        "to_unit": unit.code, "to_unit_name": unit.name,
        "assignee": assignee.get_username() if assignee else None,
    }


def case_orient(*, case: Case, by, response: str) -> Case:
    """Record the public response: what was explained, where, to whom."""
    response = _required(response, "response", _("Cần nhập nội dung định hướng, trả lời."))

    def apply(locked):
        locked.public_response = response

    return _run_transition(case=case, name="orient", by=by, note=response, apply=apply)


def case_resolve(*, case: Case, by, outcome: str) -> Case:
    """Record the outcome; skipping `orient` is allowed only where the topic says so, and noted."""
    outcome = _required(outcome, "outcome", _("Cần nhập kết quả giải quyết."))

    def apply(locked):
        locked.outcome = outcome
        return {"orient_skipped": True} if not locked.public_response else {}

    return _run_transition(case=case, name="resolve", by=by, note=outcome, apply=apply)


def case_reopen(*, case: Case, by, reason: str) -> Case:
    """Send a resolved case back to its handling unit."""
    reason = _required(reason, "reason", _("Cần nêu lý do mở lại."))

    def apply(locked):
        locked.reopen_requested = False

    return _run_transition(case=case, name="reopen", by=by, note=reason, apply=apply)


def case_keep_closed(*, case: Case, by, reason: str) -> Case:
    """Answer the resident's "not fixed" without reopening: the reason is shown on the public page."""
    reason = _required(reason, "reason", _("Cần nêu lý do giữ kết quả giải quyết."))

    def apply(locked):
        locked.reopen_requested = False
        locked.kept_closed_reason = reason

    return _run_transition(case=case, name="keep_closed", by=by, note=reason, apply=apply)


def case_transfer(*, case: Case, by, agency: str, legal_basis: str, note: str = "") -> Case:
    """Send a matter this body does not settle (a complaint, a denunciation) to the competent agency."""
    agency = _required(agency, "agency", _("Cần nêu cơ quan có thẩm quyền nhận đơn."))
    legal_basis = _required(legal_basis, "legal_basis", _("Cần nêu căn cứ pháp lý của việc chuyển đơn."))

    def apply(locked):
        locked.transfer_agency = agency[:300]
        locked.transfer_legal_basis = legal_basis
        return {"agency": locked.transfer_agency, "legal_basis": legal_basis}

    return _run_transition(case=case, name="transfer", by=by, note=note, apply=apply)


def case_reporter_notified(*, case: Case, by, how: str, notified_at=None, note: str = "") -> Case:
    """Record how and when the reporter was told where the matter went; the case closes."""
    how = _required(how, "how", _("Cần nêu hình thức đã báo cho người phản ánh."))
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

    return _run_transition(case=case, name="reporter_notified", by=by, note=note, apply=apply)


def case_pull_up(*, case: Case, by, reason: str) -> Case:
    """The tier above takes the escalated case over: their unit becomes the owner."""
    reason = _required(reason, "reason", _("Cần nêu lý do rút lên cấp trên xử lý."))

    def apply(locked):
        unit = _directing_unit_of(by, locked)
        needed = set().union(*(STEPS[t.flow_task.name].roles for t in open_tasks_of_case(locked)
                               if STEPS.get(t.flow_task.name) and STEPS[t.flow_task.name].seat == "owner"))
        _refuse_unit_nobody_works_in(unit, needed or HANDOVER_ROLES, field="reason")
        previous = locked.owner
        locked.owner = unit
        locked.assignee = None
        locked.instruction_pending = False
        return _handover_data(previous, unit, None)

    return _run_transition(case=case, name="pull_up", by=by, note=reason, apply=apply)


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
    instruction = _required(instruction, "instruction", _("Cần nhập nội dung chỉ đạo."))

    def apply(locked):
        unit = _directing_unit_of(by, locked)
        locked.instruction_pending = True
        return {"from_unit": unit.code, "from_unit_name": unit.name, "to_unit": locked.owner.code}

    return _run_transition(case=case, name="instruct", by=by, note=instruction, apply=apply)


def case_acknowledge(*, case: Case, by, note: str = "") -> Case:
    """The owner confirms it received the instruction; its reminders start again."""

    def apply(locked):
        from workflow.services import clock_reminders_restart

        locked.instruction_pending = False
        clock_reminders_restart(case=locked)

    return _run_transition(case=case, name="acknowledge", by=by, note=note, apply=apply)


def case_extend(*, case: Case, by, new_due, decision_ref: str, reason: str):
    """Extend the current step's deadline by a recorded decision (the owner's leader, or the tier above)."""
    from workflow.services import clock_extend, running_step_clock_name

    clock = running_step_clock_name(case=case)
    if clock is None:
        raise TransitionNotAllowed(_("Vụ việc không có thời hạn bước nào đang chạy để gia hạn."))
    clock_extend(case=case, clock=clock, by=by, reason=reason, decision_ref=decision_ref, new_due=new_due)
    fresh = Case.objects.get(pk=case.pk)
    _copy_into(case, fresh)
    return case


# --- the reporter's own view --------------------------------------------------

_SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def public_secret_new() -> str:
    import secrets

    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(10))


def public_secret_hash(*, code: str, secret: str) -> str:
    normalized = (secret or "").strip().upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(f"{settings.SECRET_KEY}:{code}:{normalized}".encode()).hexdigest()


def public_secret_matches(*, case: Case, secret: str) -> bool:
    import hmac

    return bool(case.public_secret_hash) and hmac.compare_digest(
        case.public_secret_hash, public_secret_hash(code=case.code, secret=secret)
    )


def case_public_feedback(*, case: Case, secret: str, fixed: bool, comment: str = "") -> Case:
    """The reporter confirms a resolved case is fixed, or says it is not (a leader then decides)."""
    from .exceptions import CaseNotFound

    if not public_secret_matches(case=case, secret=secret):
        raise CaseNotFound()
    if case.status != CaseStatus.RESOLVED:
        raise TransitionNotAllowed(_("Chỉ phản hồi được khi vụ việc đã giải quyết xong."))
    with transaction.atomic():
        locked = _lock_case(case)
        if locked.status != CaseStatus.RESOLVED:
            raise TransitionNotAllowed(_("Chỉ phản hồi được khi vụ việc đã giải quyết xong."))
        was_waiting = locked.reopen_requested
        locked.reopen_requested = not fixed
        event = case_event_append(
            case=locked, action="public_feedback", actor=None, from_status=locked.status, to_status=locked.status,
            note=(comment or "").strip()[:2000], data={"fixed": bool(fixed)},
        )
        locked.version += 1
        locked.save()
        moved_up = None
        if not fixed:
            flow_open_decision(case=locked)
            moved_up = _decision_up_where_a_leader_is(locked)
        elif was_waiting:
            flow_move(case=locked, move="keep_closed", by=None)  # the resident withdrew "not fixed"
        case_event_announce(case=locked, event=event)
        if moved_up is not None:
            case_event_announce(case=locked, event=moved_up)
    _copy_into(case, locked)
    return case


def _decision_up_where_a_leader_is(case: Case):
    """A "not fixed" that neither the owner's nor the assigning unit's leader could decide goes up, with the case,
    to the nearest unit above that has a leader (no open case without someone able to move it)."""
    deciders = [case.owner] + ([case.assigned_by_unit] if case.assigned_by_unit_id else [])
    if any(users_with_role_on(unit=unit, roles=STEPS["decide_step"].roles).exists() for unit in deciders):
        return None
    above = _nearest_unit_with_leaders(case.owner)
    if above is None:
        return None  # nobody above either: the administrators must grant a role (the unit page says so)
    previous = case.owner
    case.owner, case.assignee = above, None
    event = case_event_append(case=case, action="work_moved_up", actor=None, from_status=case.status,
                              to_status=case.status, note="", data=_handover_data(previous, above, None))
    case.version += 1
    case.save()
    flow_move(case=case, move="work_moved_up", by=None)
    return event


def case_mark_reported(*, case: Case, by, report_ref: str) -> Case:
    """Mark a resolved case as accounted for in a submitted report."""
    return _run_transition(case=case, name="report", by=by, data={"report": report_ref})


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
                case=survivor, action="merge_in", actor=by, from_status=survivor.status, to_status=survivor.status,
                note=note, data={"merged_case": locked.code, "reports_added": locked.report_count},
            )
            survivor.version += 1
            survivor.save()
            case_event_announce(case=survivor, event=absorbed)
            return {"into": survivor.code}

        _run_transition(case=case, name="merge", by=by, note=note, apply=apply)
    into.refresh_from_db()
    return case


# --- attachments --------------------------------------------------------------

_TEXT_EXTENSIONS = {".txt"}


def attachment_add(*, case: Case, by, uploaded_file) -> Attachment:
    """Store a file outside the database after checking its size, real type and (for
    zip-based office files) what it would inflate to."""
    name = upload_safe_name(uploaded_file.name)
    size = uploaded_file.size
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {"attachments": _("Tệp “%(name)s” quá lớn (tối đa %(max)s MB).")
             % {"name": name, "max": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}}
        )
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    content_type = _sniff_type(name, head)
    if content_type not in settings.ATTACHMENT_ALLOWED_TYPES:
        raise ValidationError({"attachments": _("Tệp “%(name)s” không thuộc loại được chấp nhận.") % {"name": name}})
    upload_check_archive(name=name, uploaded_file=uploaded_file)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    attachment = Attachment(
        case=case, original_name=name, content_type=content_type, size=size, sha256=digest.hexdigest(), uploaded_by=by
    )
    attachment.file.save(name, uploaded_file, save=False)
    attachment.save()
    return attachment


def _sniff_type(name: str, head: bytes) -> str | None:
    """The type the content really has; the extension must agree with it."""
    suffix = PurePath(name).suffix.lower()
    kind = filetype.guess(head)
    if kind is None:
        if suffix in _TEXT_EXTENSIONS and b"\x00" not in head:
            try:
                head.decode("utf-8")
            except UnicodeDecodeError:
                return None
            return "text/plain"
        return None
    if suffix.lstrip(".") not in _extension_aliases(kind.extension):
        return None
    return kind.mime


def _extension_aliases(extension: str) -> set[str]:
    return {"jpg": {"jpg", "jpeg"}, "mp4": {"mp4", "m4v"}}.get(extension, {extension})


# --- reference data -----------------------------------------------------------


def unit_upsert(*, code: str, name: str, tier: str, kind: str, parent: Unit | None, is_remote: bool = False) -> tuple[Unit, bool]:
    """Create or update a unit by code, moving it under `parent` if that changed.

    Returns (unit, changed) so imports can report what they did.
    """
    unit = Unit.objects.filter(code=code).first()
    fields = {"name": name, "tier": tier, "kind": kind, "is_remote": is_remote}
    if unit is None:
        if parent is None:
            return Unit.objects.add_root({"code": code, **fields}), True
        parent = Unit.objects.get(pk=parent.pk)  # fresh child count for treebeard
        return Unit.objects.add_child(parent, {"code": code, **fields}), True
    changed = False
    current_parent = Unit.objects.get_parent(unit)
    if (current_parent.pk if current_parent else None) != (parent.pk if parent else None):
        if parent is None:
            Unit.objects.move(unit, Unit.objects.get_first_root_node(), pos="last-sibling")
        else:
            Unit.objects.move(unit, Unit.objects.get(pk=parent.pk), pos="last-child")
        unit = Unit.objects.get(pk=unit.pk)
        changed = True
    if any(getattr(unit, key) != value for key, value in fields.items()):
        for key, value in fields.items():
            setattr(unit, key, value)
        unit.save(update_fields=list(fields))
        changed = True
    return unit, changed


def topic_upsert(*, code: str, name: str, parent: Topic | None = None, needs_public_response: bool = True) -> Topic:
    topic = Topic.objects.filter(code=code).first()
    if topic is None:
        fields = {"code": code, "name": name, "needs_public_response": needs_public_response}
        if parent is None:
            return Topic.objects.add_root(fields)
        return Topic.objects.add_child(Topic.objects.get(pk=parent.pk), fields)
    if (topic.name, topic.needs_public_response) != (name, needs_public_response):
        topic.name, topic.needs_public_response = name, needs_public_response
        topic.save(update_fields=["name", "needs_public_response"])
    return topic


# --- roles --------------------------------------------------------------------


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
            locked = _lock_case(Case(pk=case_id))
            if locked.status in FINAL_STATUSES:
                continue
            _rehome_work(locked, unit=unit, user=user, orphaned=orphaned, by=by)
    return len(case_ids)


def _left_without(unit: Unit, step, role: str) -> bool:
    """Whether the step lost its last holder of `role` here (leaders aside, who keep every step they may take)."""
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
            pending.append(("work_to_leaders", {"step": name, "unit": unit.code}))
            continue
        above = _nearest_unit_with_leaders(unit)
        if above is None:
            continue  # nobody above either: the administrators must grant a role (the unit page says so)
        if step.seat == "owner":
            previous = case.owner
            case.owner, case.assignee = above, None
            pending.append(("work_moved_up", _handover_data(previous, above, None)))
            break  # every owner step follows the case
        if step.seat == "above_owner":
            flow_requeue(case=case, task=task)  # the report waits at the next unit up that can make it
            above = Unit.objects.get(pk=open_tasks_of_case(case)[-1].owner_permission_obj_pk)
        else:
            flow_move_direction(case=case, task=task, unit=above)
        pending.append(("work_moved_up", {"step": name, "from_unit": unit.code, "from_unit_name": unit.name,
                                          "to_unit": above.code, "to_unit_name": above.name}))
    if not pending:
        if assignee_dropped:
            case.save(update_fields=["assignee"])
        return
    for action, data in pending:
        event = case_event_append(case=case, action=action, actor=by, from_status=case.status,
                                  to_status=case.status, note="",
                                  data={**data, "role_withdrawn_from": user.get_username()})
        case.version += 1
        case.save()
        if action == "work_moved_up" and "step" not in data:
            flow_move(case=case, move="work_moved_up", by=None)
        case_event_announce(case=case, event=event)


def _nearest_unit_with_leaders(unit: Unit) -> Unit | None:
    for ancestor in reversed(list(Unit.objects.get_ancestors(unit))):
        if ancestor.is_active and users_with_role_on(unit=ancestor, roles=[Role.LEADER]).exists():
            return ancestor
    return None


# --- routing ------------------------------------------------------------------


def routing_propose_unit(*, case: Case) -> Unit | None:
    """The unit the routing rules propose for this case's topic and locality.

    The deepest locality wins, then the deepest topic; None when no rule applies.
    """
    locality_path = Unit.objects.values_list("path", flat=True).get(pk=case.locality_id)
    topic_path = Topic.objects.values_list("path", flat=True).get(pk=case.topic_id)
    locality_paths = _ancestor_paths(locality_path, Unit.steplen)
    topic_paths = _ancestor_paths(topic_path, Topic.steplen)
    rules = RoutingRule.objects.filter(
        is_active=True, unit__is_active=True, locality__path__in=locality_paths, topic__path__in=topic_paths
    ).select_related("unit", "locality", "topic")
    best = max(rules, key=lambda rule: (len(rule.locality.path), len(rule.topic.path)), default=None)
    return best.unit if best else None


def _ancestor_paths(path: str, steplen: int) -> list[str]:
    return [path[:end] for end in range(steplen, len(path) + 1, steplen)]


# --- reporter identity vault --------------------------------------------------


def reporter_may_reveal(*, user, case: Case) -> bool:
    """Intake clerks of the owning or the receiving unit, and roles an administrator names."""
    receiving_code = case.events.filter(action="intake").values_list("data__owner", flat=True).first()
    receiving_unit = Unit.objects.filter(code=receiving_code).first() if receiving_code else None
    if has_role(user, case.owner, Role.INTAKE_CLERK) or has_role(user, receiving_unit, Role.INTAKE_CLERK):
        return True
    named = set(ReporterRevealRole.objects.values_list("role", flat=True))
    return bool(named and roles_on_unit(user, case.owner) & named)


def reporter_reveal(*, case: Case, by, reason: str) -> list[dict]:
    """Show who reported the matter, and record who looked, when and why, in the case history."""
    reason = _required(reason, "reason", _("Cần nêu lý do xem danh tính người phản ánh."))
    if not reporter_may_reveal(user=by, case=case):
        raise PermissionDenied(_("Bạn không có quyền xem danh tính người phản ánh."))
    with transaction.atomic():
        locked = _lock_case(case)
        reports = list(locked.reports.select_related("reporter").order_by("received_at", "pk"))
        revealed = [
            {
                "pseudonym": reporter_pseudonym(number),
                "anonymous": report.reporter is None,
                "full_name": report.reporter.full_name if report.reporter else "",
                "phone": report.reporter.phone if report.reporter else "",
                "email": report.reporter.email if report.reporter else "",
                "address": report.reporter.address if report.reporter else "",
            }
            for number, report in enumerate(reports, start=1)
        ]
        event = case_event_append(
            case=locked, action="reveal_reporter", actor=by, from_status=locked.status, to_status=locked.status,
            note=reason, data={"reporters": [r["pseudonym"] for r in revealed if not r["anonymous"]]},
        )
        locked.save(update_fields=["event_count", "head_hash"])
        case_event_announce(case=locked, event=event)
    return revealed


def reporter_pseudonym(number: int) -> str:
    return _("Người phản ánh #%(number)s") % {"number": number}


# --- unit changes -------------------------------------------------------------


def unit_rename(*, unit: Unit, new_name: str, effective_on, by, decision_ref: str = "") -> UnitChange:
    """Rename a unit from a date; history keeps the name each event was written under."""
    new_name = _required(new_name, "new_name", _("Cần nhập tên mới."))
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

    from .models import UnitUserObjectPermission

    # People first, so the successor can take every step that follows it.
    for grant in UnitUserObjectPermission.objects.filter(content_object=old).select_related("permission", "user"):
        assign_perm(f"cases.{grant.permission.codename}", grant.user, new)
        forget_grants(grant.user)
    for case_id in Case.objects.filter(owner=old, status__in=OPEN_STATUSES + (CaseStatus.RESOLVED,)).values_list("pk", flat=True):
        locked = _lock_case(Case(pk=case_id))
        locked.owner = new
        event = case_event_append(
            case=locked, action="unit_merged", actor=change.created_by, from_status=locked.status,
            to_status=locked.status,
            note=change.decision_ref,
            data={"from_unit": old.code, "from_unit_name": old.name, "to_unit": new.code, "to_unit_name": new.name},
        )
        locked.version += 1
        locked.save()
        # The flow moves the case's steps to the successor's queue.
        flow_move(case=locked, move="unit_merged", by=None)
        case_event_announce(case=locked, event=event)
    # Directions given to the old unit after an escalation go to the successor too.
    from viewflow.workflow.models import Task

    from workflow.engine import OPEN_TASK_STATUSES
    from workflow.flows import CaseFlow

    for task in Task.objects.filter(owner_permission_obj_pk=str(old.pk), status__in=OPEN_TASK_STATUSES,
                                    flow_task=CaseFlow.direct_step).select_related("process"):
        locked = _lock_case(Case(pk=task.process.artifact_object_id))
        task.process.artifact = locked
        flow_move_direction(case=locked, task=task, unit=new)
    Case.objects.filter(assigned_by_unit=old).update(assigned_by_unit=new)
    RoutingRule.objects.filter(unit=old).update(unit=new)
    Unit.objects.filter(pk=old.pk).update(is_active=False)
    # Steps of other units' cases that waited here (a hamlet's report at its commune, a decision at the
    # assigning unit) go to the queue they belong in now.
    for task in Task.objects.filter(owner_permission_obj_pk=str(old.pk), status__in=OPEN_TASK_STATUSES
                                    ).select_related("process"):
        locked = _lock_case(Case(pk=task.process.artifact_object_id))
        task.process.artifact = locked
        flow_requeue(case=locked, task=task)
