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
from django.utils.translation import gettext_lazy as _

from cases.actions import CaseAction
from cases.models import OPEN_STATUSES, Case, CaseEvent, CaseStatus, Unit
from workflow.models import CaseClock, ClockKind, Escalation

from .models import ReportKind
from .periods import bounds, previous_period
from .situation import opinion_figures, survey_results

OVERDUE_LISTED = 50
# Up to this many, a unit's case ids are read once and passed as a list: PostgreSQL then probes the
# case_id indexes of events and clocks instead of joining whole tables (a province-month: seconds → ms).
ID_LIST_LIMIT = 50_000
# How a resolved case waiting for its leader's decision is listed wherever a report lists its cases.
PENDING_DECISION_LABEL = _("Chờ lãnh đạo quyết định mở lại")
# Bumped when the shape of the figures changes, so old versions stay readable.
# 2: `pending_decision` (resolved cases a leader must first decide on after a resident's "not fixed").
FIGURES_SCHEMA = 2


def unit_cases(unit: Unit) -> QuerySet[Case]:
    """Every case owned by the unit or a unit below it.

    By the owner ids (read first) rather than a join on the unit paths: PostgreSQL then reads a
    province's cases through the owner index instead of scanning the whole table.
    """
    if unit.depth == 1 and Unit.objects.filter(depth=1).count() == 1:
        return Case.objects.order_by()  # the whole tree: no filter to evaluate
    unit_ids = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    return Case.objects.filter(owner_id__in=unit_ids).order_by()


def case_ids(cases: QuerySet[Case]):
    """The cases' ids for filtering other tables: a list when there are few, the subquery when many."""
    ids = list(cases.values_list("pk", flat=True)[: ID_LIST_LIMIT + 1])
    return ids if len(ids) <= ID_LIST_LIMIT else cases.values("pk")


def _sorted_counts(counter: dict) -> list[dict]:
    rows = [{"code": code, "name": name, "n": n} for (code, name), n in counter.items()]
    return sorted(rows, key=lambda row: (-row["n"], row["name"]))


def breakdown(received: QuerySet[Case], as_of: datetime) -> dict:
    """Counts by topic, locality, channel and status (as it stood at `as_of`), from one grouped query."""
    rows = (
        received.annotate(status_then=_status_then(as_of))
        .values("topic__code", "topic__name", "locality__code", "locality__name", "channel__code", "channel__name",
                "status_then")
        .annotate(n=Count("*")).order_by()
    )
    groups = {"topic": {}, "locality": {}, "channel": {}}
    statuses: dict[str, int] = {}
    total = 0
    for row in rows:
        total += row["n"]
        for field, counter in groups.items():
            key = (row[f"{field}__code"], row[f"{field}__name"])
            counter[key] = counter.get(key, 0) + row["n"]
        statuses[row["status_then"]] = statuses.get(row["status_then"], 0) + row["n"]
    return {
        "received": total,
        "by_topic": _sorted_counts(groups["topic"]),
        "by_status": [{"code": value, "name": str(label), "n": statuses.get(value, 0)}
                      for value, label in CaseStatus.choices],
        "by_locality": _sorted_counts(groups["locality"]),
        "by_channel": _sorted_counts(groups["channel"]),
    }


def _status_then(as_of: datetime):
    """The status a case had at `as_of`: the target of its last event before then."""
    last = (
        CaseEvent.objects.filter(case=OuterRef("pk"), created_at__lt=as_of)
        .order_by("-seq").values("to_status")[:1]
    )
    # Logged later with an earlier reception time: it was waiting for intake then.
    return Coalesce(Subquery(last), Value(CaseStatus.RECEIVED))


class Moves:
    """The resolve and reopen events of a set of cases since a moment, read once and counted in Python."""

    def __init__(self, ids, since: datetime):
        self.rows = list(
            CaseEvent.objects.filter(case_id__in=ids, action__in=(CaseAction.RESOLVE, CaseAction.REOPEN), created_at__gte=since)
            .values_list("case_id", "action", "created_at")
        )

    def cases(self, action: str, since: datetime, until: datetime) -> set[int]:
        return {case_id for case_id, act, at in self.rows if act == action and since <= at < until}

    def count(self, action: str, since: datetime, until: datetime) -> int:
        return sum(1 for _case, act, at in self.rows if act == action and since <= at < until)

    def reopen_times(self, since: datetime) -> dict[int, list[datetime]]:
        times: dict[int, list[datetime]] = {}
        for case_id, act, at in self.rows:
            if act == CaseAction.REOPEN and at >= since:
                times.setdefault(case_id, []).append(at)
        return times


def on_time(cases: QuerySet[Case], since: datetime, until: datetime, as_of: datetime, *, ids=None,
            moves: Moves | None = None) -> dict:
    """The on-time rate as workflow.selectors.on_time_rate defines it, for a unit's cases.

    Resolutions in the period (the `resolve` step clock stopped by a resolve
    event) are on time when they stopped by their due time (extensions and
    pauses already moved it); a resolution reopened later is not on time;
    open cases overdue at `as_of` count as late.
    """
    ids = case_ids(cases) if ids is None else ids
    moves = moves or Moves(ids, since)
    resolutions = CaseClock.objects.filter(
        case_id__in=ids, clock="resolve", stop_event=CaseAction.RESOLVE, stopped_at__gte=since, stopped_at__lt=until,
    ).values_list("case_id", "stopped_at", "due_at")
    reopen_times = moves.reopen_times(since)
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


def _resolved_before(cases: QuerySet[Case], until: datetime) -> list[tuple[str, datetime, bool]]:
    """(code, last resolved, reopen requested) of the cases still `resolved` now, last resolved before `until`."""
    return list(
        cases.filter(status=CaseStatus.RESOLVED)
        .annotate(last_resolved=Max("events__created_at", filter=Q(events__action=CaseAction.RESOLVE)))
        .filter(last_resolved__lt=until)
        .order_by("code")
        .values_list("code", "last_resolved", "reopen_requested")
    )


def reported_and_pending(cases: QuerySet[Case], since: datetime, until: datetime) -> tuple[list, list, list]:
    """Codes of (resolved in the period, carried over, waiting for a decision), from one query.

    A submission accounts for the first two. A case whose resident answered
    "not fixed" waits for its leader to reopen it or keep it closed: no report
    may mark it reported before then (the state machine refuses), so the report
    lists it as pending, and a later report or correction takes it once decided.
    """
    rows = _resolved_before(cases, until)
    decided = [(code, at) for code, at, waiting in rows if not waiting]
    in_period = [code for code, at in decided if at >= since]
    carried = [code for code, at in decided if at < since]
    pending = [code for code, _at, waiting in rows if waiting]
    return in_period, carried, pending


def _escalations(ids, since, until) -> dict:
    rows = list(Escalation.objects.filter(case_id__in=ids, created_at__gte=since, created_at__lt=until)
                .values_list("case_id", "level"))
    by_level: dict[str, int] = {}
    for _case_id, level in rows:
        by_level[str(level)] = by_level.get(str(level), 0) + 1
    return {"count": len(rows), "cases": len({case_id for case_id, _level in rows}),
            "by_level": dict(sorted(by_level.items()))}


def _core(cases, ids, moves: Moves, start: date, end: date, now: datetime) -> dict:
    since, until = bounds(start, end)
    as_of = min(now, until)
    received = cases.filter(received_at__gte=since, received_at__lt=until)
    return {
        **breakdown(received, as_of),
        "resolved_in_period": len(moves.cases(CaseAction.RESOLVE, since, until)),
        "on_time": on_time(cases, since, until, as_of, ids=ids, moves=moves),
    }


def report_figures(*, unit: Unit, kind: str, start: date, end: date, now: datetime | None = None,
                   subject_id: int | None = None) -> dict:
    """Everything a report states, as JSON-safe data (names frozen as they are today).

    A situation report, and a rapid report on one subject, also state the opinion notes (reports.situation).
    """
    from .emerging import emerging_issues

    now = now or timezone.now()
    since, until = bounds(start, end)
    as_of = min(now, until)
    previous_start, previous_end = previous_period(kind, start, end)
    cases = unit_cases(unit)
    ids = case_ids(cases)
    moves = Moves(ids, bounds(previous_start, previous_end)[0])
    core = _core(cases, ids, moves, start, end, now)
    previous = _core(cases, ids, moves, previous_start, previous_end, now)
    overdue = overdue_cases(cases, as_of).select_related("owner").order_by("deadline", "pk")
    in_period, carried, pending = reported_and_pending(cases, since, until)
    rate, previous_rate = core["on_time"]["rate"], previous["on_time"]["rate"]
    if kind == ReportKind.SITUATION:  # the monthly report accounts for the cases; this one only states them
        in_period, carried = [], []
    figures = {
        "schema": FIGURES_SCHEMA,
        "unit": {"code": unit.code, "name": unit.name},
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "as_of": as_of.isoformat(),
        **core,
        "overdue": {
            "count": overdue.count(),
            "cases": [
                {"code": case.code, "title": case.title, "owner": case.owner.name,
                 "deadline": case.deadline.isoformat() if case.deadline else None}
                for case in overdue[:OVERDUE_LISTED]
            ],
        },
        "escalations": _escalations(ids, since, until),
        "reopened": moves.count(CaseAction.REOPEN, since, until),
        "reported_cases": {"in_period": in_period, "carried_over": carried},
        # Beside reported_cases (whose two lists are what a submission marks): resolved, not marked.
        "pending_decision": {"count": len(pending), "cases": pending},
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
    if kind == ReportKind.SITUATION or subject_id is not None:
        figures["opinion"] = opinion_figures(unit=unit, start=start, end=end, subject_id=subject_id)
        figures["surveys"] = survey_results(unit=unit, start=start, end=end)
    return figures
