"""Reads about time: a case's clocks with "due in" / "overdue by", the on-time rate, sweep health.

`case_clocks` takes a case the caller already holds (read through
`cases.selectors.case_get_for_user`); the rate counts only cases the person
may see.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.actions import CaseAction
from cases.models import OPEN_STATUSES, Case, CaseEvent, Unit
from cases.selectors import case_list_for_user

from .deadlines import demo_scale
from .models import CaseClock, ClockKind, SweepHeartbeat
from .services import SWEEP_CACHE_KEY, SWEEP_NAME


def remaining_text(remaining: timedelta) -> str:
    """A short Vietnamese phrase: "còn 2 ngày", "quá hạn 3 ngày", "còn 5 giờ", "quá hạn 20 phút"."""
    seconds = abs(remaining.total_seconds())
    overdue = remaining.total_seconds() < 0
    if seconds >= 86400:
        n = int(seconds // 86400)
        return (ngettext("quá hạn %(n)d ngày", "quá hạn %(n)d ngày", n) if overdue
                else ngettext("còn %(n)d ngày", "còn %(n)d ngày", n)) % {"n": n}
    if seconds >= 3600:
        n = int(seconds // 3600)
        return (ngettext("quá hạn %(n)d giờ", "quá hạn %(n)d giờ", n) if overdue
                else ngettext("còn %(n)d giờ", "còn %(n)d giờ", n)) % {"n": n}
    n = max(int(seconds // 60), 1) if seconds else 0
    if n == 0:
        return _("đến hạn")
    return (ngettext("quá hạn %(n)d phút", "quá hạn %(n)d phút", n) if overdue
            else ngettext("còn %(n)d phút", "còn %(n)d phút", n)) % {"n": n}


@dataclass(frozen=True)
class ClockView:
    clock: str
    name: str
    kind: str
    legal_basis: str
    started_at: datetime
    due_at: datetime
    is_paused: bool
    extended: bool
    escalation_level: int
    remaining: timedelta  # negative when overdue
    text: str

    @property
    def is_overdue(self) -> bool:
        return self.remaining < timedelta(0)

    @property
    def due_in(self) -> timedelta | None:
        return self.remaining if self.remaining >= timedelta(0) else None

    @property
    def overdue_by(self) -> timedelta | None:
        return -self.remaining if self.remaining < timedelta(0) else None


def case_clocks(*, case: Case, now: datetime | None = None) -> list[ClockView]:
    """Every running clock of the case, soonest due first (step clock first on a tie)."""
    now = now or timezone.now()
    views = []
    for clock in CaseClock.objects.filter(case=case, stopped_at__isnull=True).select_related("policy"):
        # A paused clock does not count down: what was left when it paused.
        reference = clock.paused_at or now
        remaining = clock.due_at - reference
        views.append(ClockView(
            clock=clock.clock, name=clock.policy.name, kind=clock.kind, legal_basis=clock.policy.legal_basis,
            started_at=clock.started_at, due_at=clock.due_at, is_paused=clock.paused_at is not None,
            extended=bool(clock.extended_by) or clock.is_complex, escalation_level=clock.escalation_level,
            remaining=remaining, text=remaining_text(remaining),
        ))
    return sorted(views, key=lambda view: (view.due_at, view.kind != ClockKind.STEP))


def case_clock_history(*, case: Case) -> QuerySet[CaseClock]:
    """Every clock the case has run, stopped ones included (reopenings show as restarts)."""
    return CaseClock.objects.filter(case=case).select_related("policy").order_by("started_at", "pk")


@dataclass(frozen=True)
class OnTimeRate:
    resolved: int  # resolutions in the period
    resolved_on_time: int
    resolved_late: int
    resolved_then_reopened: int  # resolutions later reopened: not counted on time
    open_overdue: int  # cases open now whose running step clock is past due
    reopened: int  # reopen events in the period
    paused: int  # running clocks paused now

    @property
    def rate(self) -> float | None:
        """Resolved on time / (resolved + open overdue); None when there is nothing to count."""
        denominator = self.resolved + self.open_overdue
        return self.resolved_on_time / denominator if denominator else None


def on_time_rate(*, user, unit: Unit, since: datetime, until: datetime, clock: str = "resolve",
                 now: datetime | None = None) -> OnTimeRate:
    """The on-time rate of a unit's subtree for cases the person may see.

    A resolution counts when the `clock` step clock was stopped by a
    `resolve` event in [since, until): on time when it stopped by its due
    time (extensions and pauses already moved that due time). A resolution
    that was reopened later is not on time. Open cases overdue now count as late.
    """
    now = now or timezone.now()
    cases = case_list_for_user(user=user).filter(owner__path__startswith=unit.path).order_by()
    case_ids = cases.values("pk")
    resolutions = CaseClock.objects.filter(
        case_id__in=case_ids, clock=clock, stop_event=CaseAction.RESOLVE, stopped_at__gte=since, stopped_at__lt=until,
    )
    reopen_times: dict[int, list[datetime]] = {}
    for case_id, at in CaseEvent.objects.filter(
        case_id__in=case_ids, action=CaseAction.REOPEN, created_at__gte=since
    ).values_list("case_id", "created_at"):
        reopen_times.setdefault(case_id, []).append(at)
    resolved = resolved_on_time = resolved_late = then_reopened = 0
    for case_id, stopped_at, due_at in resolutions.values_list("case_id", "stopped_at", "due_at"):
        resolved += 1
        if any(at > stopped_at for at in reopen_times.get(case_id, ())):
            then_reopened += 1
        elif stopped_at <= due_at:
            resolved_on_time += 1
        else:
            resolved_late += 1
    open_overdue = (
        cases.filter(status__in=OPEN_STATUSES)
        .filter(Q(clocks__stopped_at__isnull=True, clocks__kind=ClockKind.STEP, clocks__paused_at__isnull=True,
                  clocks__due_at__lt=min(now, until)))
        .distinct().count()
    )
    reopened = CaseEvent.objects.filter(
        case_id__in=case_ids, action=CaseAction.REOPEN, created_at__gte=since, created_at__lt=until
    ).count()
    paused = CaseClock.objects.filter(case_id__in=case_ids, stopped_at__isnull=True, paused_at__isnull=False).count()
    return OnTimeRate(
        resolved=resolved, resolved_on_time=resolved_on_time, resolved_late=resolved_late,
        resolved_then_reopened=then_reopened, open_overdue=open_overdue, reopened=reopened, paused=paused,
    )


@dataclass(frozen=True)
class SweepHealth:
    status: str  # "ok" or "late"
    last_sweep_at: datetime | None
    age_seconds: int | None
    interval_seconds: int
    demo_clock_scale: float

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def sweep_interval_seconds() -> int:
    return int(getattr(settings, "CLOCKS_SWEEP_SECONDS", 60))


def sweep_health(*, now: datetime | None = None) -> SweepHealth:
    """"late" when the last successful sweep is older than three sweep intervals (or never ran)."""
    now = now or timezone.now()
    last = None
    try:
        cached = cache.get(SWEEP_CACHE_KEY)
    except Exception:  # noqa: BLE001 - the database row answers when the cache is down
        cached = None
    if cached:
        last = parse_datetime(cached["at"])
    row = SweepHeartbeat.objects.filter(name=SWEEP_NAME).values_list("last_success_at", flat=True).first()
    if row is not None and (last is None or row > last):
        last = row
    interval = sweep_interval_seconds()
    age = int((now - last).total_seconds()) if last else None
    status = "ok" if age is not None and age <= 3 * interval else "late"
    return SweepHealth(status=status, last_sweep_at=last, age_seconds=age, interval_seconds=interval,
                       demo_clock_scale=demo_scale())

