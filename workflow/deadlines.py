"""Deadline arithmetic: which clock policy applies, when a clock is due, what fires when.

Pure functions over policies and clocks (no writes); `workflow.services`
writes. Time units (hours, calendar days, working days) follow the
Vietnamese working calendar (`workflow.calendar`).

Demo mode: `DLXH_DEMO_CLOCK_SCALE` > 1 divides every duration by that
factor and counts every day as a working day (a demo can show reminders and
escalations in minutes); it is shown on screen and in the health check.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from config.shared_configuration import versioned

from .calendar import WorkingCalendar, current_calendar
from .models import CaseClock, ClockKind, ClockPolicy, PublicResponse, TimeUnit

_UNIT_SECONDS = {TimeUnit.HOURS: 3600, TimeUnit.CALENDAR_DAYS: 86400, TimeUnit.WORKING_DAYS: 86400}


def demo_scale() -> float:
    """How many times faster than real time clocks run (1 outside demos)."""
    scale = float(getattr(settings, "DLXH_DEMO_CLOCK_SCALE", 1) or 1)
    return scale if scale > 0 else 1.0


# --- time arithmetic ----------------------------------------------------------


def advance(moment: datetime, amount: int, unit: str, *, calendar: WorkingCalendar | None = None) -> datetime:
    """`amount` units after `moment` (before it when negative)."""
    scale = demo_scale()
    if scale != 1:
        return moment + timedelta(seconds=amount * _UNIT_SECONDS[unit] / scale)
    if unit == TimeUnit.HOURS:
        return moment + timedelta(hours=amount)
    calendar = calendar or current_calendar()
    if unit == TimeUnit.WORKING_DAYS:
        return calendar.add_working_days(moment, amount)
    end = moment + timedelta(days=amount)
    # Civil Code 2015 art. 148(5): a period whose last day is a day off ends on the next working day.
    return calendar.roll_to_working_day(end) if amount > 0 else end


def midpoint(start: datetime, end: datetime, unit: str, *, calendar: WorkingCalendar | None = None) -> datetime:
    """Half the time: of working time for working-day clocks, of wall time otherwise."""
    if unit == TimeUnit.WORKING_DAYS and demo_scale() == 1:
        return (calendar or current_calendar()).working_midpoint(start, end)
    return start + (end - start) / 2


# --- policies -----------------------------------------------------------------


def effective_amount(policy: ClockPolicy, *, remote: bool, complex_case: bool) -> int:
    """The amount for this case: remote areas and complex matters may get longer (Law on Complaints art. 28)."""
    if complex_case and remote and policy.remote_complex_amount:
        return policy.remote_complex_amount
    if complex_case and policy.complex_amount:
        return policy.complex_amount
    if remote and policy.remote_amount:
        return policy.remote_amount
    return policy.amount


def legal_maximum(policy: ClockPolicy, *, remote: bool) -> int | None:
    """The longest the law allows (the complex-matter amount), or None when the policy sets no cap."""
    if remote and policy.remote_complex_amount:
        return policy.remote_complex_amount
    return policy.complex_amount or None


def case_kind_of(case) -> str:
    """The case's kind of matter (cases.models.CaseKind)."""
    return getattr(case, "kind", "") or ""


def _applies(policy: ClockPolicy, *, status, priority, topic, kind, needs_public_response) -> bool:
    if policy.status and policy.status != status:
        return False
    if policy.priority and policy.priority != priority:
        return False
    if policy.topic_id and (topic is None or not topic.path.startswith(policy.topic.path)):
        return False
    if policy.case_kind and policy.case_kind != kind:
        return False
    if policy.public_response == PublicResponse.REQUIRED and not needs_public_response:
        return False
    if policy.public_response == PublicResponse.NOT_REQUIRED and needs_public_response:
        return False
    return True


def _specificity(policy: ClockPolicy):
    return (
        len(policy.topic.path) if policy.topic_id else 0,
        bool(policy.case_kind),
        bool(policy.priority),
        bool(policy.public_response),
        bool(policy.status),
        -policy.pk,
    )


def active_policies() -> list[ClockPolicy]:
    """The active policies, read once per change of the time configuration (read-only: do not modify)."""
    return versioned("policies", lambda: list(ClockPolicy.objects.filter(is_active=True).select_related("topic")))


def policies_started_by(action: str, case, *, policies: list[ClockPolicy]) -> dict[str, ClockPolicy]:
    """For each clock that `action` starts on this case, the most specific policy that applies.

    Legal clocks compete by name. Step clocks compete by the status they run in: a case has one current
    step, so a kind's own step (a complaint's transfer) replaces the general one (verification).
    """
    chosen: dict[tuple, ClockPolicy] = {}
    for policy in policies:
        if action not in (policy.start_events or []):
            continue
        if not _applies(
            policy, status=case.status, priority=case.priority, topic=case.topic, kind=case_kind_of(case),
            needs_public_response=case.topic.needs_public_response,
        ):
            continue
        key = ("step", policy.status) if policy.kind == ClockKind.STEP and policy.status else ("clock", policy.clock)
        current = chosen.get(key)
        if current is None or _specificity(policy) > _specificity(current):
            chosen[key] = policy
    return {policy.clock: policy for policy in chosen.values()}


def step_deadline(*, status: str, priority: str, start: datetime, needs_public_response: bool = True):
    """When the step that `status` waits for is due (from the policy table), or None for closed states.

    Uses the general step policies (no topic or kind); the clocks started
    from the case's events refine it and keep `Case.deadline` equal to the
    running step clock.
    """
    candidates = [
        policy for policy in active_policies()
        if policy.kind == ClockKind.STEP and policy.status == status and not policy.topic_id and not policy.case_kind
        and _applies(policy, status=status, priority=priority, topic=None, kind="",
                     needs_public_response=needs_public_response)
    ]
    if not candidates:
        return None
    policy = max(candidates, key=_specificity)
    return advance(start, policy.amount, policy.unit)


# --- a clock's schedule -------------------------------------------------------


@dataclass(frozen=True)
class Firing:
    at: datetime
    action: str  # CaseClock.NextAction
    level: int


def clock_base_due(clock: CaseClock, *, calendar: WorkingCalendar | None = None) -> datetime:
    """Due time from the start, the effective amount, extensions and pauses (what recomputation uses)."""
    return advance(clock.started_at, clock.amount, clock.unit, calendar=calendar) + clock.extended_by + clock.paused_total


def reminder_times(clock: CaseClock, policy: ClockPolicy, *, calendar=None) -> list[datetime]:
    """Default: at half the time, and one working day before the due time (when that is later)."""
    times = []
    if policy.remind_at_half:
        times.append(midpoint(clock.started_at, clock.due_at, clock.unit, calendar=calendar))
    if policy.remind_working_days_before:
        before = advance(clock.due_at, -policy.remind_working_days_before, TimeUnit.WORKING_DAYS, calendar=calendar)
        if before > clock.started_at and (not times or before > times[-1]):
            times.append(before)
    return times


def clock_schedule(clock: CaseClock, policy: ClockPolicy, *, max_level: int, calendar=None) -> list[Firing]:
    """Every reminder and escalation still to come, in order.

    Escalation level `base + 1` fires at the due time; each next level
    (one tier higher) after the clock's own amount again, while there is a
    tier above to escalate to (`max_level`).
    """
    calendar = calendar or current_calendar()
    firings = [
        Firing(at, CaseClock.NextAction.REMIND, level)
        for level, at in enumerate(reminder_times(clock, policy, calendar=calendar), start=1)
        if level > clock.reminder_level
    ]
    if policy.escalate:
        for level in range(clock.escalation_level + 1, max_level + 1):
            steps = level - clock.escalation_base - 1
            at = advance(clock.due_at, clock.amount * steps, clock.unit, calendar=calendar) if steps else clock.due_at
            firings.append(Firing(at, CaseClock.NextAction.ESCALATE, level))
    order = {CaseClock.NextAction.REMIND: 0, CaseClock.NextAction.ESCALATE: 1}
    return sorted(firings, key=lambda firing: (firing.at, order[firing.action], firing.level))


def plan_next(clock: CaseClock, policy: ClockPolicy, *, max_level: int, now: datetime | None = None,
              calendar=None) -> None:
    """Set the clock's next action from its schedule.

    With `now`, the due time has just moved (start, extension, calendar
    change, resume): reminders whose time has already passed are not sent
    late, and escalation starts again at the next level from the new due time.
    """
    calendar = calendar or current_calendar()
    if now is not None:
        clock.escalation_base = clock.escalation_level
        clock.reminder_level = sum(1 for at in reminder_times(clock, policy, calendar=calendar) if at <= now)
    upcoming = [] if clock.stopped_at or clock.paused_at else clock_schedule(
        clock, policy, max_level=max_level, calendar=calendar
    )
    if upcoming:
        clock.next_action, clock.next_level, clock.next_fire_at = upcoming[0].action, upcoming[0].level, upcoming[0].at
    else:
        clock.next_action, clock.next_level, clock.next_fire_at = CaseClock.NextAction.NONE, 0, None

