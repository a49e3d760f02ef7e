"""The lists behind the queue's tabs, and the dashboard's figures counted from them: one selector feeds the
dashboard screen and `GET /api/v1/stats/`, so a figure, its list and the API always agree."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from cases.actions import CaseAction
from cases.models import OPEN_STATUSES, Case, CaseStatus, Unit
from cases.selectors import case_list_for_user, top_unit

from .models import CaseClock
from .queues import escalated_to_me, my_tasks, task_queue_for_user
from .selectors import OnTimeRate, on_time_rate

# The status filter for "still being handled": every open status at once.
OPEN_STATUS_FILTER = "open"
TASK_TABS = {"mine": my_tasks, "unit": task_queue_for_user, "escalated": escalated_to_me}
# The longest topic and locality lists the figures carry.
TOP_ROWS = 12
# The trend shows at most this many weeks, the last ones of the period.
MAX_WEEKS = 26
# The on-time rate over "all time" starts here.
EPOCH = datetime(2000, 1, 1)


def _resolved_between(after, before):
    """Ids of cases whose resolve clock a resolution stopped in [after, before) (as on_time_rate counts)."""
    clocks = CaseClock.objects.filter(clock="resolve", stop_event=CaseAction.RESOLVE)
    if after:
        clocks = clocks.filter(stopped_at__gte=after)
    if before:
        clocks = clocks.filter(stopped_at__lt=before)
    return clocks.values("case_id")


def tab_cases(*, user, tab: str, filters: dict) -> QuerySet[Case]:
    """The cases of one tab, through the scoped selector; task tabs keep only cases with an open task there.

    Besides the selector's filters: status "open" (every status still being handled), `topic_exact` /
    `locality_exact` (that topic or unit only, not its sub-items: the dashboard's bars count that way) and
    `resolved_after` / `resolved_before` (resolved in that time, as the on-time rate counts).
    """
    filters = dict(filters)
    extra = {key: filters.pop(key) for key in ("topic_exact", "locality_exact", "resolved_after", "resolved_before")
             if key in filters}
    open_only = filters.get("status") == OPEN_STATUS_FILTER
    if open_only:
        del filters["status"]
    cases = case_list_for_user(user=user, filters={**filters, "overdue": tab == "overdue"})
    if open_only:
        cases = cases.filter(status__in=OPEN_STATUSES)
    if extra.get("topic_exact") and filters.get("topic"):
        cases = cases.filter(topic__code=filters["topic"])
    if extra.get("locality_exact") and filters.get("locality"):
        cases = cases.filter(locality__code=filters["locality"])
    if "resolved_after" in extra or "resolved_before" in extra:
        cases = cases.filter(pk__in=_resolved_between(extra.get("resolved_after"), extra.get("resolved_before")))
    if tab in TASK_TABS:
        cases = cases.filter(pk__in=TASK_TABS[tab](user=user).values("process__artifact_object_id"))
    return cases


@dataclass(frozen=True)
class Bar:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Week:
    start: date  # a Monday, local time
    received: int
    resolved: int


@dataclass
class DashboardFigures:
    since: datetime | None
    until: datetime | None
    locality: str  # a unit's code, "" for the person's whole scope
    unit: Unit | None  # whose subtree the on-time rate counts
    total: int = 0  # received in the period
    by_status: list[Bar] = field(default_factory=list)  # every status, in lifecycle order
    by_topic: list[Bar] = field(default_factory=list)  # the largest TOP_ROWS
    by_locality: list[Bar] = field(default_factory=list)
    open_now: int = 0  # whatever the period: what needs action today
    overdue_now: int = 0
    escalated_now: int = 0
    on_time: OnTimeRate | None = None
    by_week: list[Week] = field(default_factory=list)  # oldest first, every week of the period shown


def dashboard_figures(*, user, since: datetime | None, until: datetime | None, locality: str = "") -> DashboardFigures:
    """Counts by status, topic and locality of the cases received in [since, until) that the person may see
    (in `locality`'s subtree when given), what is open, overdue and escalated now, and the on-time rate."""
    scope = case_list_for_user(user=user, filters={"locality": locality} if locality else {}).order_by()
    cases = scope
    if since:
        cases = cases.filter(received_at__gte=since)
    if until:
        cases = cases.filter(received_at__lt=until)
    counted = {row["status"]: row["n"] for row in cases.values("status").annotate(n=Count("*"))}
    topics = cases.values("topic__code", "topic__name").annotate(n=Count("*")).order_by("-n", "topic__name")
    localities = (cases.values("locality__code", "locality__name").annotate(n=Count("*"))
                  .order_by("-n", "locality__name"))
    now_filters = {"locality": locality} if locality else {}
    unit = Unit.objects.filter(code=locality).first() if locality else top_unit(user=user)
    return DashboardFigures(
        since=since, until=until, locality=locality, unit=unit,
        total=sum(counted.values()),
        by_status=[Bar(value, str(label), counted.get(value, 0)) for value, label in CaseStatus.choices],
        by_topic=[Bar(row["topic__code"], row["topic__name"], row["n"]) for row in topics[:TOP_ROWS]],
        by_locality=[Bar(row["locality__code"], row["locality__name"], row["n"]) for row in localities[:TOP_ROWS]],
        open_now=tab_cases(user=user, tab="all", filters={**now_filters, "status": OPEN_STATUS_FILTER}).count(),
        overdue_now=tab_cases(user=user, tab="overdue", filters=now_filters).count(),
        escalated_now=tab_cases(user=user, tab="escalated", filters=now_filters).count(),
        on_time=on_time_rate(user=user, unit=unit, since=since or timezone.make_aware(EPOCH),
                             until=until or timezone.now()) if unit is not None else None,
        by_week=_weeks(cases, scope, since, until),
    )


def _weeks(cases: QuerySet[Case], scope: QuerySet[Case], since: datetime | None,
           until: datetime | None) -> list[Week]:
    """Cases received and resolved (as the on-time rate counts a resolution) each week of the period, at
    most the last MAX_WEEKS, with no week missing."""
    last = timezone.localdate(min(until, timezone.now()) if until else timezone.now())
    last_monday = last - timedelta(days=last.weekday())
    first_monday = last_monday - timedelta(weeks=MAX_WEEKS - 1)
    if since is not None:
        first = timezone.localdate(since)
        first_monday = max(first_monday, first - timedelta(days=first.weekday()))
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first_monday, datetime.min.time()), tz)
    received = {row["week"]: row["n"] for row in (
        cases.filter(received_at__gte=start).annotate(week=TruncWeek("received_at", tzinfo=tz))
        .values("week").annotate(n=Count("*")))}
    resolutions = CaseClock.objects.filter(
        case_id__in=scope.values("pk"), clock="resolve", stop_event=CaseAction.RESOLVE, stopped_at__gte=start)
    if until is not None:
        resolutions = resolutions.filter(stopped_at__lt=until)
    resolved = {row["week"]: row["n"] for row in (
        resolutions.annotate(week=TruncWeek("stopped_at", tzinfo=tz)).values("week").annotate(n=Count("*")))}
    received = {_day(week): n for week, n in received.items()}
    resolved = {_day(week): n for week, n in resolved.items()}
    weeks, monday = [], first_monday
    while monday <= last_monday:
        weeks.append(Week(monday, received.get(monday, 0), resolved.get(monday, 0)))
        monday += timedelta(weeks=1)
    return weeks


def _day(moment) -> date:
    return timezone.localdate(moment) if isinstance(moment, datetime) else moment
