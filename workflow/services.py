"""Every write about time: the calendar table, clocks started and stopped by case events,
extensions, pauses, the reminder and escalation sweep, recomputation after a calendar change.

Lock order everywhere: the case row first, then its clock rows (the
transition services lock the case, then the receiver here touches its
clocks), so the sweep and a transition never wait on each other in a cycle.
"""

import logging
import time as monotonic_time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.audit import case_event_announce, case_event_append
from cases.exceptions import CaseNotFound, Conflict, PermissionDenied, TransitionNotAllowed
from cases.models import OPEN_STATUSES, Case, Role, Unit
from cases.permissions import has_role
from notifications.services import outbox_deliveries_batched

from .calendar import calendar_invalidate, current_calendar
from .engine import flow_move, flow_open_direction
from .deadlines import (
    active_policies,
    advance,
    clock_base_due,
    clock_schedule,
    effective_amount,
    legal_maximum,
    plan_next,
    policies_started_by,
)
from .models import (
    CalendarAdjustment,
    CalendarChange,
    CaseClock,
    ClockKind,
    Escalation,
    SweepHeartbeat,
    TimeUnit,
)

logger = logging.getLogger(__name__)

# Events this module writes; they never start or stop a clock.
CLOCK_ACTIONS = frozenset({"remind", "escalate", "extend", "deadline_recomputed", "clock_pause", "clock_resume"})
# Who an escalation is for, on the unit it goes to.
ESCALATION_ROLES = (Role.LEADER, Role.SUPERVISOR)
REMINDER_ROLES = (Role.HANDLER, Role.LEADER)

# An extension is a decision about this case's work, not a way to park it: at most a year ahead.
MAX_EXTENSION = timedelta(days=366)

SWEEP_NAME = "clocks"
SWEEP_CACHE_KEY = "workflow:sweep:clocks"


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _required(value: str, field_name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field_name: message})
    return value


# --- units and escalation targets -----------------------------------------------


def _max_escalation_level(owner: Unit) -> int:
    """How many tiers there are above the owner to escalate to."""
    return max(owner.depth - 1, 0)


def _unit_above(owner: Unit, level: int) -> Unit | None:
    """The unit `level` tiers above the owner (1: its parent)."""
    depth = owner.depth - level
    if depth < 1:
        return None
    return Unit.objects.filter(path=owner.path[: depth * Unit.steplen]).first()


def _is_remote(case: Case) -> bool:
    """A locality is remote when it or a unit above it is flagged remote (a remote commune's hamlets too)."""
    path = Unit.objects.filter(pk=case.locality_id).values_list("path", flat=True).first() or ""
    ancestors = [path[:end] for end in range(Unit.steplen, len(path) + 1, Unit.steplen)]
    return Unit.objects.filter(path__in=ancestors, is_remote=True).exists()


def _lock_case(case_id: int, *, skip_locked: bool = False) -> Case | None:
    return (
        Case.objects.select_for_update(of=("self",), skip_locked=skip_locked)
        .select_related("owner", "topic")
        .filter(pk=case_id)
        .first()
    )


def _running_step_due(case: Case, clocks) -> datetime | None:
    dues = [clock.due_at for clock in clocks if clock.kind == ClockKind.STEP and clock.stopped_at is None]
    return min(dues) if dues else None


def _append(case: Case, pending: list, *, action: str, actor=None, note: str = "", data: dict) -> None:
    pending.append(
        case_event_append(case=case, action=action, actor=actor, from_status=case.status, to_status=case.status,
                          note=note, data=data)
    )


def _save_and_announce(case: Case, pending: list, *, also=()) -> None:
    """Save the chain head (and `also`), then tell listeners (the outbox) about each new event."""
    fields = (["event_count", "head_hash"] if pending else []) + list(also)
    if fields:
        case.save(update_fields=fields)
    for event in pending:
        case_event_announce(case=case, event=event)


# --- clocks follow case events ------------------------------------------------------


def clocks_on_case_event(sender, case: Case, event, **kwargs) -> None:
    """Start and stop the case's clocks for one event; runs inside the event's transaction.

    A clock stops on one of its stop events, when the case leaves the status
    a step clock belongs to, or when the case is no longer open. A start
    event starts the most specific applicable policy of each clock name; a
    clock of that name already running restarts (e.g. a reassignment or a
    reopening gives the unit its time again). Then `Case.deadline` is set to
    the running step clock's due time.
    """
    if event.action in CLOCK_ACTIONS:
        return
    now = event.created_at
    # Every clock stopped when the case left the open states (a resolved case waits for its report):
    # an event on such a case has nothing running to read.
    nothing_running = event.action == "intake" or (event.from_status and event.from_status not in OPEN_STATUSES)
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
        remote = _is_remote(case) if any(p.remote_amount or p.remote_complex_amount for p in starting.values()) else False
        calendar = current_calendar()
        start_at = case.received_at if event.action == "intake" else now
        for policy in starting.values():
            clock = CaseClock(
                case=case, policy=policy, clock=policy.clock, kind=policy.kind, unit=policy.unit,
                amount=effective_amount(policy, remote=remote, complex_case=False), is_remote=remote,
                started_at=start_at, start_event=event.action,
            )
            clock.due_at = advance(start_at, clock.amount, clock.unit, calendar=calendar)
            plan_next(clock, policy, max_level=_max_escalation_level(case.owner), now=now, calendar=calendar)
            clock.save()
            started.append(clock)
    still_running = [clock for clock in running if clock.stopped_at is None] + started
    deadline = _running_step_due(case, still_running)
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
    locked = _lock_case(case.pk)
    if locked is None:
        raise CaseNotFound()
    if by is None or not has_role(by, locked.owner, Role.LEADER):
        raise PermissionDenied(_("Chỉ lãnh đạo đơn vị đang xử lý vụ việc mới được thực hiện thao tác này."))
    return locked, _lock_running_clock(locked, clock)


def _locks_clock_to_extend(*, case: Case, clock: str, by):
    """The owner's leader, or the leader or supervisor of the tier above the case is escalated to (role table)."""
    from cases.lifecycle import transition_of

    locked = _lock_case(case.pk)
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
        plan_next(clock, clock.policy, max_level=_max_escalation_level(case.owner))
        clock.save(update_fields=["reminder_level", "escalation_base", "next_action", "next_level", "next_fire_at"])


def clock_extend(*, case: Case, clock: str, by, reason: str, decision_ref: str,
                 new_due: datetime | None = None, complex_case: bool = False) -> CaseClock:
    """Extend (gia hạn) a running clock: only the owning unit's leader, with a reason and a decision reference.

    Either a later `new_due`, or `complex_case=True` to apply the policy's
    longer period for complex matters. Where the law caps the period (the
    policy has a complex-matter amount), no extension goes past the cap.
    """
    reason = _required(reason, "reason", _("Cần nêu lý do gia hạn."))
    decision_ref = _required(decision_ref, "decision_ref", _("Cần nhập số, ký hiệu văn bản quyết định gia hạn."))
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
        plan_next(running, policy, max_level=_max_escalation_level(locked.owner), now=timezone.now(), calendar=calendar)
        running.save()
        pending = []
        _append(locked, pending, action="extend", actor=by, note=reason, data={
            "clock": running.clock, "clock_name": policy.name, "old_due": _iso(old_due), "new_due": _iso(new_due),
            "decision_ref": decision_ref, "complex": complex_case,
            # A red flag for the inspectors: the deadline had already passed when it was extended.
            "after_breach": timezone.now() > old_due,
        })
        also = []
        if running.kind == ClockKind.STEP:
            locked.deadline = new_due
            also.append("deadline")
        locked.version += 1
        also.append("version")
        # An extension decided by the tier above answers its escalation.
        flow_move(case=locked, move="extend", by=by)
        _save_and_announce(locked, pending, also=also)
    case.deadline, case.version = locked.deadline, locked.version
    return running


def clock_pause(*, case: Case, clock: str, by, reason: str) -> CaseClock:
    """Stop a clock counting (e.g. while waiting for the reporter); the leader of the owning unit, with a reason."""
    reason = _required(reason, "reason", _("Cần nêu lý do tạm dừng."))
    with transaction.atomic():
        locked, running = _leader_locks_clock(case=case, clock=clock, by=by)
        if running.paused_at is not None:
            raise ValidationError({"clock": _("Thời hạn này đang tạm dừng.")})
        running.paused_at = timezone.now()
        plan_next(running, running.policy, max_level=_max_escalation_level(locked.owner))
        running.save()
        pending = []
        _append(locked, pending, action="clock_pause", actor=by, note=reason,
                data={"clock": running.clock, "due": _iso(running.due_at)})
        _save_and_announce(locked, pending)
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
        plan_next(running, running.policy, max_level=_max_escalation_level(locked.owner), now=now)
        running.save()
        pending = []
        _append(locked, pending, action="clock_resume", actor=by, note=note, data={
            "clock": running.clock, "paused_seconds": int(paused_for.total_seconds()),
            "old_due": _iso(old_due), "new_due": _iso(running.due_at),
        })
        also = []
        if running.kind == ClockKind.STEP:
            locked.deadline = running.due_at
            also.append("deadline")
        _save_and_announce(locked, pending, also=also)
    return running


# --- the calendar table and the policies ---------------------------------------------------


def time_config_changed(sender=None, **kwargs) -> None:
    """Receiver for policy and topic edits: every process reloads the policies (and calendar)."""
    _calendar_changed()


def clock_policies_seed_if_empty(sender=None, using="default", **kwargs) -> int:
    """Receiver for post_migrate: the default policies when the table is empty (a new or flushed database).

    Administrators' edits are never touched: once any policy exists, nothing is added.
    """
    import importlib

    from django.db import connections

    from .models import ClockPolicy

    calendar_invalidate()
    if ClockPolicy._meta.db_table not in connections[using].introspection.table_names():
        return 0  # migrated back below the table
    if ClockPolicy.objects.using(using).exists():
        return 0
    from .default_policies import POLICIES as defaults
    ClockPolicy.objects.using(using).bulk_create(ClockPolicy(**row) for row in defaults)
    calendar_invalidate()
    return len(defaults)


def _calendar_changed() -> None:
    # Now, for this transaction's own reads, and again after commit, so no
    # process keeps a copy loaded from the data before the change committed.
    calendar_invalidate()
    transaction.on_commit(calendar_invalidate)


def calendar_adjustment_set(*, day: date, kind: str, by=None, reason: str = "") -> CalendarAdjustment:
    """Add (or change) a day off or a swapped working day; running deadlines follow at the next sweep."""
    if kind not in CalendarAdjustment.Kind.values:
        raise ValidationError({"kind": _("Loại điều chỉnh không hợp lệ.")})
    with transaction.atomic():
        adjustment, _created = CalendarAdjustment.objects.update_or_create(
            date=day, defaults={"kind": kind, "reason": reason or "", "created_by": by}
        )
        CalendarChange.objects.create(date=day, kind=kind, action=CalendarChange.Action.SET, reason=reason or "",
                                      changed_by=by)
        _calendar_changed()
    return adjustment


def calendar_adjustment_remove(*, day: date, by=None, reason: str = "") -> bool:
    """Remove an adjustment; False when there was none."""
    with transaction.atomic():
        adjustment = CalendarAdjustment.objects.select_for_update().filter(date=day).first()
        if adjustment is None:
            return False
        CalendarChange.objects.create(date=day, kind=adjustment.kind, action=CalendarChange.Action.REMOVE,
                                      reason=reason or "", changed_by=by)
        adjustment.delete()
        _calendar_changed()
    return True


def calendar_changes_apply() -> int:
    """Recompute running deadlines for every calendar change not applied yet; returns clocks moved.

    Each case is recomputed in its own transaction, under its row lock, and
    records a `deadline_recomputed` event for each clock whose due time
    moved. Running it again moves nothing more.
    """
    changes = list(CalendarChange.objects.filter(applied_at__isnull=True).order_by("pk"))
    if not changes:
        return 0
    calendar_invalidate()
    calendar = current_calendar()
    years = {change.date.year for change in changes}
    first = timezone.make_aware(datetime(min(years), 1, 1))
    after_last = timezone.make_aware(datetime(max(years) + 1, 1, 1))
    affected = (
        CaseClock.objects.filter(stopped_at__isnull=True, unit__in=(TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS),
                                 started_at__lt=after_last)
        .filter(Q(due_at__gte=first) | Q(next_fire_at__gte=first))
        .values_list("case_id", flat=True).distinct()
    )
    actor = changes[-1].changed_by
    summary = [{"date": change.date.isoformat(), "kind": change.kind, "action": change.action} for change in changes]
    moved = 0
    for case_id in sorted(set(affected)):
        moved += _case_recompute(case_id=case_id, calendar=calendar, actor=actor, summary=summary)
    CalendarChange.objects.filter(pk__in=[change.pk for change in changes]).update(
        applied_at=timezone.now(), clocks_recomputed=moved
    )
    return moved


def _case_recompute(*, case_id: int, calendar, actor, summary) -> int:
    with transaction.atomic():
        case = _lock_case(case_id)
        clocks = list(
            CaseClock.objects.select_for_update(of=("self",)).select_related("policy")
            .filter(case=case, stopped_at__isnull=True, unit__in=(TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS))
        )
        now = timezone.now()
        pending = []
        for clock in clocks:
            old_due = clock.due_at
            new_due = clock_base_due(clock, calendar=calendar)
            if new_due == old_due:
                plan_next(clock, clock.policy, max_level=_max_escalation_level(case.owner), calendar=calendar)
                clock.save(update_fields=["next_action", "next_level", "next_fire_at"])
                continue
            clock.due_at = new_due
            plan_next(clock, clock.policy, max_level=_max_escalation_level(case.owner), now=now, calendar=calendar)
            clock.save()
            _append(case, pending, action="deadline_recomputed", actor=actor,
                    note=_("Lịch làm việc thay đổi; thời hạn được tính lại."),
                    data={"clock": clock.clock, "old_due": _iso(old_due), "new_due": _iso(new_due),
                          "calendar_changes": summary})
        deadline = _running_step_due(case, CaseClock.objects.filter(case=case, stopped_at__isnull=True))
        also = []
        if deadline != case.deadline:
            case.deadline = deadline
            also.append("deadline")
        _save_and_announce(case, pending, also=also)
        return len(pending)


# --- the sweep: reminders and escalation ---------------------------------------------------


@dataclass
class SweepResult:
    started_at: datetime
    examined: int = 0
    reminders: int = 0
    escalations: int = 0
    skipped_busy: int = 0
    failed: int = 0
    recomputed: int = 0
    duration_ms: int = 0
    events: list = field(default_factory=list)

    @property
    def fired(self) -> int:
        return self.reminders + self.escalations


def clocks_sweep(*, now: datetime | None = None, batch_size: int = 500, chunk_size: int = 50) -> SweepResult:
    """Fire every reminder and escalation that is due; safe to run twice or twice at once.

    One indexed range query per batch finds the due clocks (running, with
    `next_fire_at` come), so the cost grows with the due work, not with the
    number of open cases. Each chunk of them is one transaction: their cases
    are locked with SKIP LOCKED (a case someone is changing, or another sweep
    holds, waits for the next sweep), then each clock fires in its own
    savepoint, so one broken clock is logged and cannot stop the others.
    """
    started = monotonic_time.monotonic()
    now = now or timezone.now()
    result = SweepResult(started_at=now)
    result.recomputed = calendar_changes_apply()
    calendar = current_calendar()
    units_above: dict = {}
    after = None
    while True:
        due = CaseClock.objects.filter(stopped_at__isnull=True, next_fire_at__lte=now)
        if after is not None:
            due = due.filter(Q(next_fire_at__gt=after[0]) | Q(next_fire_at=after[0], pk__gt=after[1]))
        batch = list(due.order_by("next_fire_at", "pk").values_list("pk", "case_id", "next_fire_at")[:batch_size])
        for first in range(0, len(batch), chunk_size):
            chunk = batch[first:first + chunk_size]
            result.examined += len(chunk)
            _fire_chunk(chunk, now=now, calendar=calendar, units_above=units_above, result=result)
        if len(batch) < batch_size:
            break
        after = (batch[-1][2], batch[-1][0])
    result.duration_ms = int((monotonic_time.monotonic() - started) * 1000)
    sweep_heartbeat_record(at=now, duration_ms=result.duration_ms, fired=result.fired)
    return result


def _fire_chunk(chunk, *, now, calendar, units_above, result: SweepResult) -> None:
    with transaction.atomic(), outbox_deliveries_batched():
        cases = {
            case.pk: case
            for case in Case.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("owner").filter(pk__in={case_id for _, case_id, _ in chunk}).order_by("pk")
        }
        result.skipped_busy += sum(1 for _, case_id, _ in chunk if case_id not in cases)
        # Re-read under the lock: another sweep may have fired them, a transition stopped them.
        clocks = (
            CaseClock.objects.select_for_update(of=("self",), skip_locked=True).select_related("policy")
            .filter(pk__in=[clock_id for clock_id, case_id, _ in chunk if case_id in cases],
                    stopped_at__isnull=True, paused_at__isnull=True, next_fire_at__lte=now)
            .order_by("next_fire_at", "pk")
        )
        for clock in clocks:
            try:
                with transaction.atomic():
                    _clock_fire(clock, cases[clock.case_id], now=now, calendar=calendar, units_above=units_above,
                                result=result)
            except Exception:
                # Rolled back to the savepoint: this clock stays due and is retried next sweep.
                logger.exception("clock %s of case %s failed to fire", clock.pk, clock.case_id)
                cases[clock.case_id].refresh_from_db()
                result.failed += 1


def _clock_fire(clock: CaseClock, case: Case, *, now, calendar, units_above, result: SweepResult) -> None:
    policy = clock.policy
    max_level = _max_escalation_level(case.owner)
    due_now = [f for f in clock_schedule(clock, policy, max_level=max_level, calendar=calendar) if f.at <= now]
    reminders = [f for f in due_now if f.action == CaseClock.NextAction.REMIND]
    escalations = [f for f in due_now if f.action == CaseClock.NextAction.ESCALATE]
    pending = []
    fired = [0, 0]
    reached = 0  # the highest level actually escalated to
    if reminders:
        clock.reminder_level = reminders[-1].level
        if not escalations:
            # Only the latest reminder: earlier ones a late sweep missed say nothing more.
            _remind(case, clock, reminders[-1], pending)
            fired[0] += 1
    for firing in escalations:
        key = (case.owner.path, firing.level)
        if key not in units_above:
            units_above[key] = _unit_above(case.owner, firing.level)
        if units_above[key] is not None:
            _escalate(case, clock, firing, units_above[key], pending, now)
            fired[1] += 1
            reached = firing.level
        clock.escalation_level = firing.level
    clock.last_fired_at = now
    plan_next(clock, policy, max_level=max_level, calendar=calendar)
    clock.save(update_fields=["reminder_level", "escalation_level", "last_fired_at", "next_action", "next_level",
                              "next_fire_at"])
    also = []
    if case.escalation_level < reached:
        case.escalation_level = reached
        also.append("escalation_level")
    _save_and_announce(case, pending, also=also)
    result.reminders += fired[0]
    result.escalations += fired[1]
    result.events.extend(pending)


def _remind(case: Case, clock: CaseClock, firing, pending: list) -> None:
    _append(case, pending, action="remind", note=_("Nhắc hạn: %(name)s, hạn %(due)s.") % {
        "name": clock.policy.name, "due": timezone.localtime(clock.due_at).strftime("%H:%M %d/%m/%Y"),
    }, data={
        "clock": clock.clock, "clock_name": clock.policy.name, "level": firing.level, "due": _iso(clock.due_at),
        "scheduled_for": _iso(firing.at), "to_units": [case.owner.code], "to_roles": list(REMINDER_ROLES),
    })


def _escalate(case: Case, clock: CaseClock, firing, target: Unit, pending: list, now: datetime) -> None:
    Escalation.objects.create(case=case, clock=clock, level=firing.level, to_unit=target, created_at=now)
    # The tier above gets a task with real moves (pull up, reassign, extend, instruct), not only a message.
    flow_open_direction(case=case, unit=target)
    _append(case, pending, action="escalate", note=_("Quá hạn: %(name)s. Chuyển %(unit)s (mức %(level)s).") % {
        "name": clock.policy.name, "unit": target.name, "level": firing.level,
    }, data={
        "clock": clock.clock, "clock_name": clock.policy.name, "level": firing.level, "due": _iso(clock.due_at),
        "scheduled_for": _iso(firing.at), "to_units": [target.code], "to_roles": list(ESCALATION_ROLES),
        "owner": case.owner.code,
    })


def sweep_heartbeat_record(*, at: datetime, duration_ms: int = 0, fired: int = 0) -> None:
    """Remember the last successful sweep, in the shared cache and in the database."""
    # This runs every few seconds, idle or not: one UPDATE, and its commit does not wait for the disk (a
    # heartbeat lost in a crash is rewritten by the next sweep; nothing else is in this transaction).
    values = {"last_success_at": at, "last_duration_ms": duration_ms, "last_fired": fired}
    own_transaction = not connection.in_atomic_block  # never relax a caller's transaction
    with transaction.atomic():
        if own_transaction and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        if not SweepHeartbeat.objects.filter(name=SWEEP_NAME).update(**values):
            SweepHeartbeat.objects.update_or_create(name=SWEEP_NAME, defaults=values)
    try:
        cache.set(SWEEP_CACHE_KEY, {"at": at.isoformat(), "duration_ms": duration_ms, "fired": fired}, timeout=None)
    except Exception:  # noqa: BLE001 - the database row is enough for the health check
        logger.warning("shared cache unavailable: sweep heartbeat kept in the database only")

