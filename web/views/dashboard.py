"""The leader dashboard: counts by status, topic and locality for a period, overdue, on-time rate."""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.models import OPEN_STATUSES, CaseStatus
from cases.selectors import case_list_for_user
from workflow.selectors import cases_escalated_to_user, on_time_rate

from .. import lookups
from ..forms import DashboardFilterForm
from .common import period_bounds

TOP_ROWS = 12


def _bars(rows, label_key):
    """[(label, n, percent of the largest)] for the inline SVG bars."""
    rows = list(rows)
    largest = max((row["n"] for row in rows), default=0)
    return [(row[label_key] or "—", row["n"], round(100 * row["n"] / largest) if largest else 0) for row in rows]


@login_required
@require_GET
def dashboard(request):
    form = DashboardFilterForm(request.GET or {"period": "30d"}, user=request.user)
    cleaned = form.cleaned_data if form.is_valid() else {"period": "30d"}
    since, until = period_bounds(cleaned.get("period") or "", cleaned.get("date_from"), cleaned.get("date_to"))
    filters = {}
    if since:
        filters["received_after"] = since
    if until:
        filters["received_before"] = until
    if cleaned.get("locality"):
        filters["locality"] = cleaned["locality"]
    cases = case_list_for_user(user=request.user, filters=filters).order_by()

    by_status = {row["status"]: row["n"] for row in cases.values("status").annotate(n=Count("*"))}
    status_rows = [{"label": label, "n": by_status.get(value, 0)} for value, label in CaseStatus.choices]
    total = sum(by_status.values())
    largest = max((row["n"] for row in status_rows), default=0)
    status_bars = [(row["label"], row["n"], round(100 * row["n"] / largest) if largest else 0) for row in status_rows]
    topic_bars = _bars(cases.values("topic__name").annotate(n=Count("*")).order_by("-n", "topic__name")[:TOP_ROWS],
                       "topic__name")
    locality_bars = _bars(
        cases.values("locality__name").annotate(n=Count("*")).order_by("-n", "locality__name")[:TOP_ROWS],
        "locality__name",
    )
    # Overdue now, whatever the period: what needs action today.
    overdue_now = case_list_for_user(user=request.user, filters={"overdue": True, **(
        {"locality": cleaned["locality"]} if cleaned.get("locality") else {})}).count()
    open_now = case_list_for_user(user=request.user).filter(status__in=OPEN_STATUSES).count()
    escalated = case_list_for_user(user=request.user).filter(
        status__in=OPEN_STATUSES, pk__in=cases_escalated_to_user(user=request.user).values("pk")
    ).count()

    unit = lookups.top_unit(user=request.user)
    rate = None
    if unit is not None:
        rate = on_time_rate(
            user=request.user, unit=unit,
            since=since or timezone.make_aware(datetime(2000, 1, 1)), until=until or timezone.now(),
        )
    return render(request, "web/dashboard.html", {
        "form": form,
        "unit": unit,
        "total": total,
        "open_now": open_now,
        "overdue_now": overdue_now,
        "escalated": escalated,
        "status_bars": status_bars,
        "topic_bars": topic_bars,
        "locality_bars": locality_bars,
        "rate": rate,
        "rate_percent": round(100 * rate.rate) if rate is not None and rate.rate is not None else None,
    })
