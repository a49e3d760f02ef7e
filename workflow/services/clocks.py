"""Clocks follow the case: started and stopped by its events, extended, paused and resumed by a leader.

Lock order everywhere: the case row first, then its clock rows (the
transition services lock the case, then the receiver here touches its
clocks), so the sweep and a transition never wait on each other in a cycle.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.actions import CaseAction
from cases.exceptions import CaseNotFound, Conflict, PermissionDenied, TransitionNotAllowed
from cases.models import OPEN_STATUSES, Case, Role
from cases.permissions import has_role
from cases.validation import required_text

from ..calendar import current_calendar
from ..deadlines import (
    active_policies,
    advance,
    clock_base_due,
    effective_amount,
    legal_maximum,
    plan_next,
    policies_started_by,
)
from ..engine import flow_move
from ..models import CaseClock, ClockKind
from .case_writes import (
    CLOCK_ACTIONS,
    append_event,
    is_remote,
    iso,
    lock_case,
    max_escalation_level,
    running_step_due,
    save_and_announce,
)

# An extension is a decision about this case's work, not a way to park it: at most a year ahead.
MAX_EXTENSION = timedelta(days=366)

# --- clocks follow case events ------------------------------------------------------


def clocks_on_case_event(sender, case: Case, event, **kwargs) -> None:
    """Start and stop the case's clocks for one event, as it is appended (the event then records the deadline).

    A clock stops on one of its stop events, when the case leaves the status
    a step clock belongs to, or when the case is no longer open. A start
    event starts the most specific applicable policy of each clock name; a
    clock of that name already running restarts (e.g. a reassignment or a
    reopening gives the unit its time again). Then `Case.deadline` is set to
    the running step clock's due time. The event is not saved yet: only its
    action, statuses and time are read.
    """
    if event.action in CLOCK_ACTIONS:
        return
    now = event.created_at
    # Every clock stopped when the case left the open states (a resolved case waits for its report):
    # an event on such a case has nothing running to read.
    nothing_running = event.action == CaseAction.INTAKE or (event.from_status and event.from_status not in OPEN_STATUSES)
    running = [] if nothing_running else list(
        CaseClock.objects.filter(case=case, stopped_at__isnull=True).select_related("policy")
    )
    starting = policies_started_by(event.action, case, policies=active_policies())
    for clock in running:
        policy = clock.policy
        stops = (
            clock.clock in starting
            or event.action in (policy.stop_events or [])
            or not case.is_open
            or (clock.kind == ClockKind.STEP and policy.status and policy.status != case.status)
        )
        if stops:
            clock.stopped_at, clock.stop_event = now, event.action
            clock.next_action, clock.next_level, clock.next_fire_at = CaseClock.NextAction.NONE, 0, None
            clock.save(update_fields=["stopped_at", "stop_event", "next_action", "next_level", "next_fire_at"])
    started = []
    if starting:
        remote = is_remote(case) if any(p.remote_amount or p.remote_complex_amount for p in starting.values()) else False
        calendar = current_calendar()
        start_at = case.received_at if event.action == CaseAction.INTAKE else now
        for policy in starting.values():
            clock = CaseClock(
                case=case, policy=policy, clock=policy.clock, kind=policy.kind, unit=policy.unit,
                amount=effective_amount(policy, remote=remote, complex_case=False), is_remote=remote,
                started_at=start_at, start_event=event.action,
            )
            clock.due_at = advance(start_at, clock.amount, clock.unit, calendar=calendar)
            plan_next(clock, policy, max_level=max_escalation_level(case.owner), now=now, calendar=calendar)
            started.append(clock)
        # One INSERT for the clocks an event starts (an intake starts two); CaseClock has no save() of its own.
        CaseClock.objects.bulk_create(started)
    still_running = [clock for clock in running if clock.stopped_at is None] + started
    deadline = running_step_due(case, still_running)
    if case.deadline != deadline:
        # The caller may already have saved the case; write the field itself too.
        case.deadline = deadline
        Case.objects.filter(pk=case.pk).update(deadline=deadline)


# --- extension, pause, resume ---------------------------------------------------------


def _lock_running_clock(locked: Case, clock: str) -> CaseClock:
    running = (
        CaseClock.objects.select_for_update(of=("self",)).select_related("policy")
        .filter(case=locked, clock=clock, stopped_at__isnull=True).first()
    )
    if running is None:
        raise ValidationError({"clock": _("Vụ việc không có thời hạn này đang chạy.")})
    return running


def _leader_locks_clock(*, case: Case, clock: str, by):
    locked = lock_case(case.pk)
    if locked is None:
        raise CaseNotFound()
    if by is None or not has_role(by, locked.owner, Role.LEADER):
        raise PermissionDenied(_("Chỉ lãnh đạo đơn vị đang xử lý vụ việc mới được thực hiện thao tác này."))
    return locked, _lock_running_clock(locked, clock)


def _locks_clock_to_extend(*, case: Case, clock: str, by):
    """The owner's leader, or the leader or supervisor of the tier above the case is escalated to (role table)."""
    from cases.lifecycle import transition_of

    locked = lock_case(case.pk)
    if locked is None:
        raise CaseNotFound()
    if case.version is not None and locked.version != case.version:
        raise Conflict()
    move = transition_of(locked, "extend")
    if not move.can_proceed(check_conditions=False):
        raise TransitionNotAllowed(_("Vụ việc đã kết thúc; không gia hạn được."))
    if by is None or not move.has_perm(by):
        raise PermissionDenied(_("Chỉ lãnh đạo đơn vị đang xử lý, hoặc cấp trên được chuyển lên, mới được gia hạn."))
    return locked, _lock_running_clock(locked, clock)


def running_step_clock_name(*, case: Case) -> str | None:
    """The name of the step clock running on the case now (the one `Case.deadline` follows)."""
    return (
        CaseClock.objects.filter(case=case, kind=ClockKind.STEP, stopped_at__isnull=True)
        .order_by("due_at").values_list("clock", flat=True).first()
    )


def clock_reminders_restart(*, case: Case) -> None:
    """The owner acknowledged an instruction: its running step clock reminds it again from the start.

    Called inside the caller's transaction with the case locked.
    """
    for clock in CaseClock.objects.select_for_update(of=("self",)).select_related("policy").filter(
        case=case, kind=ClockKind.STEP, stopped_at__isnull=True
    ):
        clock.reminder_level = 0
        clock.escalation_base = clock.escalation_level
        # No `now`: the reminders already past are due again, so the sweep reminds the owner at once.
        plan_next(clock, clock.policy, max_level=max_escalation_level(case.owner))
        clock.save(update_fields=["reminder_level", "escalation_base", "next_action", "next_level", "next_fire_at"])


def clock_extend(*, case: Case, clock: str, by, reason: str, decision_ref: str,
                 new_due: datetime | None = None, complex_case: bool = False) -> CaseClock:
    """Extend (gia hạn) a running clock: only the owning unit's leader, with a reason and a decision reference.

    Either a later `new_due`, or `complex_case=True` to apply the policy's
    longer period for complex matters. Where the law caps the period (the
    policy has a complex-matter amount), no extension goes past the cap.
    """
    reason = required_text(reason, "reason", _("Cần nêu lý do gia hạn."))
    decision_ref = required_text(decision_ref, "decision_ref", _("Cần nhập số, ký hiệu văn bản quyết định gia hạn."))
    if (new_due is None) == (not complex_case):
        raise ValidationError({"new_due": _("Cần chọn hạn mới hoặc xác định vụ việc phức tạp.")})
    with transaction.atomic():
        locked, running = _locks_clock_to_extend(case=case, clock=clock, by=by)
        policy = running.policy
        old_due = running.due_at
        calendar = current_calendar()
        if complex_case:
            if running.is_complex or not (policy.complex_amount or policy.remote_complex_amount):
                raise ValidationError({"complex_case": _("Thời hạn này không có mức kéo dài cho vụ việc phức tạp.")})
            running.is_complex = True
            running.amount = effective_amount(policy, remote=running.is_remote, complex_case=True)
            new_due = clock_base_due(running, calendar=calendar)
        else:
            if timezone.is_naive(new_due):
                new_due = timezone.make_aware(new_due)
            if new_due > timezone.now() + MAX_EXTENSION:
                raise ValidationError({"new_due": _("Hạn mới không được quá một năm kể từ hôm nay.")})
            if new_due <= old_due:
                raise ValidationError({"new_due": _("Hạn mới phải sau hạn hiện tại.")})
            cap = legal_maximum(policy, remote=running.is_remote)
            if cap is not None:
                latest = advance(running.started_at, cap, running.unit, calendar=calendar) + running.paused_total
                if new_due > latest:
                    raise ValidationError({"new_due": _("Hạn mới vượt thời hạn tối đa luật định (%(latest)s).")
                                           % {"latest": timezone.localtime(latest).strftime("%d/%m/%Y %H:%M")}})
            running.extended_by += new_due - old_due
        if new_due <= old_due:
            raise ValidationError({"new_due": _("Hạn mới phải sau hạn hiện tại.")})
        running.due_at = new_due
        plan_next(running, policy, max_level=max_escalation_level(locked.owner), now=timezone.now(), calendar=calendar)
        running.save()
        also = []
        if running.kind == ClockKind.STEP:  # set before the event, which records it
            locked.deadline = new_due
            also.append("deadline")
        pending = []
        append_event(locked, pending, action=CaseAction.EXTEND, actor=by, note=reason, data={
            "clock": running.clock, "clock_name": policy.name, "old_due": iso(old_due), "new_due": iso(new_due),
            "decision_ref": decision_ref, "complex": complex_case,
            # A red flag for the inspectors: the deadline had already passed when it was extended.
            "after_breach": timezone.now() > old_due,
        })
        locked.version += 1
        also.append("version")
        # An extension decided by the tier above answers its escalation.
        flow_move(case=locked, move=CaseAction.EXTEND, by=by)
        save_and_announce(locked, pending, also=also)
    case.deadline, case.version = locked.deadline, locked.version
    return running


def clock_pause(*, case: Case, clock: str, by, reason: str) -> CaseClock:
    """Stop a clock counting (e.g. while waiting for the reporter); the leader of the owning unit, with a reason."""
    reason = required_text(reason, "reason", _("Cần nêu lý do tạm dừng."))
    with transaction.atomic():
        locked, running = _leader_locks_clock(case=case, clock=clock, by=by)
        if running.paused_at is not None:
            raise ValidationError({"clock": _("Thời hạn này đang tạm dừng.")})
        running.paused_at = timezone.now()
        plan_next(running, running.policy, max_level=max_escalation_level(locked.owner))
        running.save()
        pending = []
        append_event(locked, pending, action=CaseAction.CLOCK_PAUSE, actor=by, note=reason,
                data={"clock": running.clock, "due": iso(running.due_at)})
        save_and_announce(locked, pending)
    return running


def clock_resume(*, case: Case, clock: str, by, note: str = "") -> CaseClock:
    """Let a paused clock count again; its due time moves by the time it was paused."""
    with transaction.atomic():
        locked, running = _leader_locks_clock(case=case, clock=clock, by=by)
        if running.paused_at is None:
            raise ValidationError({"clock": _("Thời hạn này không tạm dừng.")})
        now = timezone.now()
        paused_for = now - running.paused_at
        old_due = running.due_at
        running.paused_total += paused_for
        running.due_at += paused_for
        running.paused_at = None
        plan_next(running, running.policy, max_level=max_escalation_level(locked.owner), now=now)
        running.save()
        also = []
        if running.kind == ClockKind.STEP:  # set before the event, which records it
            locked.deadline = running.due_at
            also.append("deadline")
        pending = []
        append_event(locked, pending, action=CaseAction.CLOCK_RESUME, actor=by, note=note, data={
            "clock": running.clock, "paused_seconds": int(paused_for.total_seconds()),
            "old_due": iso(old_due), "new_due": iso(running.due_at),
        })
        save_and_announce(locked, pending, also=also)
    return running
