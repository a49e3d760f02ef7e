"""A unit's figures for a period, from aggregates: what a report says and freezes.

The scope is the unit's work: cases owned by a unit of its subtree. The
figures are about the unit, not about whoever reads them, so they are
computed from the unit tree (not from a person's scope); the report pages
check who may read them first.

Status counts are "as they stood" at the end of the period (or now, for a
period not over yet), replayed from the append-only history, so the same
period gives the same numbers however late it is drafted.
"""

from datetime import date, datetime

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import OPEN_STATUSES, Case, CaseEvent, CaseStatus, Unit
from workflow.models import CaseClock, ClockKind, Escalation

from .periods import bounds, previous_period

OVERDUE_LISTED = 50
# Bumped when the shape of the figures changes, so old versions stay readable.
FIGURES_SCHEMA = 1


def unit_cases(unit: Unit) -> QuerySet[Case]:
    """Every case owned by the unit or a unit below it."""
    return Case.objects.filter(owner__path__startswith=unit.path).order_by()


def _count_by(cases: QuerySet[Case], field: str) -> list[dict]:
    rows = (
        cases.values(f"{field}__code", f"{field}__name").annotate(n=Count("*"))
        .order_by("-n", f"{field}__name")
    )
    return [{"code": row[f"{field}__code"], "name": row[f"{field}__name"], "n": row["n"]} for row in rows]


def _status_then(as_of: datetime):
    """The status a case had at `as_of`: the target of its last event before then."""
    last = (
        CaseEvent.objects.filter(case=OuterRef("pk"), created_at__lt=as_of)
        .order_by("-seq").values("to_status")[:1]
    )
    # Logged later with an earlier reception time: it was waiting for intake then.
    return Coalesce(Subquery(last), Value(CaseStatus.RECEIVED))


def status_counts(cases: QuerySet[Case], as_of: datetime) -> list[dict]:
    counted = {
        row["status_then"]: row["n"]
        for row in cases.annotate(status_then=_status_then(as_of)).values("status_then").annotate(n=Count("*"))
    }
    return [{"code": value, "name": str(label), "n": counted.get(value, 0)} for value, label in CaseStatus.choices]


def on_time(cases: QuerySet[Case], since: datetime, until: datetime, as_of: datetime) -> dict:
    """The on-time rate as workflow.selectors.on_time_rate defines it, for a unit's cases.

    Resolutions in the period (the `resolve` step clock stopped by a resolve
    event) are on time when they stopped by their due time (extensions and
    pauses already moved it); a resolution reopened later is not on time;
    open cases overdue at `as_of` count as late.
    """
    ids = cases.values("pk")
    resolutions = CaseClock.objects.filter(
        case_id__in=ids, clock="resolve", stop_event="resolve", stopped_at__gte=since, stopped_at__lt=until,
    ).values_list("case_id", "stopped_at", "due_at")
    reopen_times: dict[int, list[datetime]] = {}
    for case_id, at in CaseEvent.objects.filter(case_id__in=ids, action="reopen", created_at__gte=since).values_list(
        "case_id", "created_at"
    ):
        reopen_times.setdefault(case_id, []).append(at)
    resolved = on_time_n = late = then_reopened = 0
    for case_id, stopped_at, due in resolutions:
        resolved += 1
        if any(at > stopped_at for at in reopen_times.get(case_id, ())):
            then_reopened += 1
        elif stopped_at <= due:
            on_time_n += 1
        else:
            late += 1
    overdue = overdue_cases(cases, as_of).count()
    denominator = resolved + overdue
    return {
        "resolved": resolved, "on_time": on_time_n, "late": late, "then_reopened": then_reopened,
        "open_overdue": overdue, "rate": round(on_time_n / denominator, 4) if denominator else None,
    }


def overdue_cases(cases: QuerySet[Case], as_of: datetime) -> QuerySet[Case]:
    """Open cases whose running (not paused) step clock was past due at `as_of`."""
    late_clocks = CaseClock.objects.filter(
        stopped_at__isnull=True, kind=ClockKind.STEP, paused_at__isnull=True, due_at__lt=as_of
    ).values("case_id")
    return cases.filter(status__in=OPEN_STATUSES, pk__in=late_clocks)


def resolved_in(cases: QuerySet[Case], since: datetime, until: datetime) -> QuerySet[Case]:
    """Cases with a resolution recorded in the period (whatever became of them later)."""
    resolutions = CaseEvent.objects.filter(action="resolve", created_at__gte=since, created_at__lt=until)
    return cases.filter(pk__in=resolutions.values("case_id"))


def to_mark_reported(cases: QuerySet[Case], since: datetime, until: datetime) -> tuple[list[str], list[str]]:
    """Codes of the cases a submission accounts for: (resolved in the period, carried over).

    Still `resolved` now, last resolved before the period's end. Those
    resolved before the period began are carried over: no earlier report
    took them (its unit's report was missing, or sent before they closed).
    """
    rows = (
        cases.filter(status=CaseStatus.RESOLVED)
        .annotate(last_resolved=Max("events__created_at", filter=Q(events__action="resolve")))
        .filter(last_resolved__lt=until)
        .order_by("code")
        .values_list("code", "last_resolved")
    )
    in_period = [code for code, at in rows if at >= since]
    carried = [code for code, at in rows if at < since]
    return in_period, carried


def _escalations(cases: QuerySet[Case], since, until) -> dict:
    rows = Escalation.objects.filter(case_id__in=cases.values("pk"), created_at__gte=since, created_at__lt=until)
    by_level = {str(row["level"]): row["n"] for row in rows.values("level").annotate(n=Count("*")).order_by("level")}
    return {"count": sum(by_level.values()), "cases": rows.values("case_id").distinct().count(), "by_level": by_level}


def _core(unit: Unit, start: date, end: date, now: datetime) -> dict:
    since, until = bounds(start, end)
    as_of = min(now, until)
    cases = unit_cases(unit)
    received = cases.filter(received_at__gte=since, received_at__lt=until)
    return {
        "received": received.count(),
        "by_topic": _count_by(received, "topic"),
        "resolved_in_period": resolved_in(cases, since, until).count(),
        "on_time": on_time(cases, since, until, as_of),
        "_cases": cases, "_received": received, "_since": since, "_until": until, "_as_of": as_of,
    }


def report_figures(*, unit: Unit, kind: str, start: date, end: date, now: datetime | None = None) -> dict:
    """Everything a report states, as JSON-safe data (names frozen as they are today)."""
    from .emerging import emerging_issues

    now = now or timezone.now()
    core = _core(unit, start, end, now)
    cases, received, since, until, as_of = (core.pop(k) for k in ("_cases", "_received", "_since", "_until", "_as_of"))
    overdue = overdue_cases(cases, as_of).select_related("owner").order_by("deadline", "pk")
    in_period, carried = to_mark_reported(cases, since, until)
    previous_start, previous_end = previous_period(kind, start, end)
    previous = _core(unit, previous_start, previous_end, now)
    for key in ("_cases", "_received", "_since", "_until", "_as_of"):
        previous.pop(key)
    rate, previous_rate = core["on_time"]["rate"], previous["on_time"]["rate"]
    return {
        "schema": FIGURES_SCHEMA,
        "unit": {"code": unit.code, "name": unit.name},
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "as_of": as_of.isoformat(),
        **core,
        "by_status": status_counts(received, as_of),
        "by_locality": _count_by(received, "locality"),
        "by_channel": _count_by(received, "channel"),
        "overdue": {
            "count": overdue.count(),
            "cases": [
                {"code": case.code, "title": case.title, "owner": case.owner.name,
                 "deadline": case.deadline.isoformat() if case.deadline else None}
                for case in overdue[:OVERDUE_LISTED]
            ],
        },
        "escalations": _escalations(cases, since, until),
        "reopened": CaseEvent.objects.filter(
            case_id__in=cases.values("pk"), action="reopen", created_at__gte=since, created_at__lt=until
        ).count(),
        "reported_cases": {"in_period": in_period, "carried_over": carried},
        "previous": {
            "period": {"start": previous_start.isoformat(), "end": previous_end.isoformat()},
            "received": previous["received"],
            "resolved_in_period": previous["resolved_in_period"],
            "on_time_rate": previous_rate,
            "by_topic": {row["code"]: row["n"] for row in previous["by_topic"]},
        },
        "change": {
            "received": core["received"] - previous["received"],
            "resolved_in_period": core["resolved_in_period"] - previous["resolved_in_period"],
            "on_time_rate": round(rate - previous_rate, 4) if rate is not None and previous_rate is not None else None,
        },
        "emerging": [signal.as_dict() for signal in emerging_issues(unit=unit, until=as_of)],
    }
