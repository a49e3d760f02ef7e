"""The leader dashboard: counts by status, topic and locality for a period, overdue, on-time rate.

Every figure is a link to the list it counts: the queue with the same
filters (web.views.queues.tab_cases), so a figure and its list always agree.
"""

from datetime import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.models import CaseStatus
from cases.selectors import case_list_for_user, top_unit
from reports.models import OversightRead
from reports.oversight import oversight_read_record
from workflow.selectors import on_time_rate

from ..forms import DashboardFilterForm
from ..ui import OPEN_STATUS_FILTER, period_bounds
from .queues import tab_cases

TOP_ROWS = 12


def _bars(rows, label_key, link=None):
    """[(label, n, percent of the largest, link)] for the inline SVG bars."""
    rows = list(rows)
    largest = max((row["n"] for row in rows), default=0)
    return [(row[label_key] or "—", row["n"], round(100 * row["n"] / largest) if largest else 0,
             link(row) if link else None) for row in rows]


def _queue_link(tab: str, **params) -> str:
    query = {"tab": tab, **{key: value for key, value in params.items() if value not in (None, "")}}
    return f"{reverse('web:queue')}?{urlencode(query)}"


def _period_params(cleaned) -> dict:
    """The dashboard's period as the queue's filter form takes it."""
    period = cleaned.get("period") or ""
    params = {"period": period}
    if period == "custom" or cleaned.get("date_from") or cleaned.get("date_to"):
        params["period"] = "custom"
        for key in ("date_from", "date_to"):
            if cleaned.get(key):
                params[key] = cleaned[key].strftime("%d/%m/%Y")
    return params


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
    locality = cleaned.get("locality") or ""
    in_period = {**_period_params(cleaned), "locality": locality}

    by_status = {row["status"]: row["n"] for row in cases.values("status").annotate(n=Count("*"))}
    total = sum(by_status.values())
    oversight_read_record(user=request.user, kind=OversightRead.DASHBOARD, filters=filters, rows=total)
    status_bars = _bars(
        [{"label": label, "n": by_status.get(value, 0), "status": value} for value, label in CaseStatus.choices],
        "label", lambda row: _queue_link("all", status=row["status"], **in_period),
    )
    topic_bars = _bars(
        cases.values("topic__name", "topic__code").annotate(n=Count("*")).order_by("-n", "topic__name")[:TOP_ROWS],
        "topic__name", lambda row: _queue_link("all", topic=row["topic__code"], topic_exact=1, **in_period),
    )
    locality_bars = _bars(
        cases.values("locality__name", "locality__code").annotate(n=Count("*"))
        .order_by("-n", "locality__name")[:TOP_ROWS],
        "locality__name",
        lambda row: _queue_link("all", **{**in_period, "locality": row["locality__code"], "locality_exact": 1}),
    )
    # Now, whatever the period: what needs action today. Counted by the queue's own tabs, so each
    # figure is exactly the list its link opens.
    now_filters = {"locality": locality} if locality else {}
    overdue_now = tab_cases(user=request.user, tab="overdue", filters=now_filters).count()
    open_now = tab_cases(user=request.user, tab="all", filters={**now_filters, "status": OPEN_STATUS_FILTER}).count()
    escalated = tab_cases(user=request.user, tab="escalated", filters=now_filters).count()

    unit = top_unit(user=request.user)
    rate = None
    if unit is not None:
        rate = on_time_rate(
            user=request.user, unit=unit,
            since=since or timezone.make_aware(datetime(2000, 1, 1)), until=until or timezone.now(),
        )
    resolved_link = _queue_link("all", resolved=1, **_period_params(cleaned)) if rate is not None else None
    return render(request, "web/dashboard.html", {
        "links": {
            "total": _queue_link("all", **in_period),
            "open": _queue_link("all", status=OPEN_STATUS_FILTER, locality=locality),
            "overdue": _queue_link("overdue", locality=locality),
            "escalated": _queue_link("escalated", locality=locality),
            "resolved": resolved_link,
        },
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
