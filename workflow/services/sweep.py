"""The sweep: reminders and escalations fired for every clock that is due, in chunks, on beat."""

import logging
import time as monotonic_time
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.actions import CaseAction
from cases.models import Case, Unit

from ..calendar import current_calendar
from ..deadlines import clock_schedule, plan_next
from ..engine import flow_open_direction
from ..models import CaseClock, Escalation, SweepHeartbeat
from .calendar import calendar_changes_apply
from .case_writes import (
    ESCALATION_ROLES,
    REMINDER_ROLES,
    append_event,
    iso,
    max_escalation_level,
    save_and_announce,
    unit_above,
)

logger = logging.getLogger(__name__)

SWEEP_NAME = "clocks"
SWEEP_CACHE_KEY = "workflow:sweep:clocks"

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
    with transaction.atomic():
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
    max_level = max_escalation_level(case.owner)
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
            units_above[key] = unit_above(case.owner, firing.level)
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
    save_and_announce(case, pending, also=also)
    result.reminders += fired[0]
    result.escalations += fired[1]
    result.events.extend(pending)


def _remind(case: Case, clock: CaseClock, firing, pending: list) -> None:
    append_event(case, pending, action=CaseAction.REMIND, note=_("Nhắc hạn: %(name)s, hạn %(due)s.") % {
        "name": clock.policy.name, "due": timezone.localtime(clock.due_at).strftime("%H:%M %d/%m/%Y"),
    }, data={
        "clock": clock.clock, "clock_name": clock.policy.name, "level": firing.level, "due": iso(clock.due_at),
        "scheduled_for": iso(firing.at), "to_units": [case.owner.code], "to_roles": list(REMINDER_ROLES),
    })


def _escalate(case: Case, clock: CaseClock, firing, target: Unit, pending: list, now: datetime) -> None:
    Escalation.objects.create(case=case, clock=clock, level=firing.level, to_unit=target, created_at=now)
    # The tier above gets a task with real moves (pull up, reassign, extend, instruct), not only a message.
    flow_open_direction(case=case, unit=target)
    append_event(case, pending, action=CaseAction.ESCALATE, note=_("Quá hạn: %(name)s. Chuyển %(unit)s (mức %(level)s).") % {
        "name": clock.policy.name, "unit": target.name, "level": firing.level,
    }, data={
        "clock": clock.clock, "clock_name": clock.policy.name, "level": firing.level, "due": iso(clock.due_at),
        "scheduled_for": iso(firing.at), "to_units": [target.code], "to_roles": list(ESCALATION_ROLES),
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
