"""The leader dashboard: counts by status, topic and locality for a period, overdue, on-time rate.

Every figure is a link to the list it counts: the queue with the same
filters (workflow.figures.tab_cases), so a figure and its list always agree; /api/v1/stats/ reads the same
selector (workflow.figures.dashboard_figures).
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from reports.models import OversightRead
from reports.oversight import oversight_read_record
from workflow.figures import OPEN_STATUS_FILTER, dashboard_figures

from ..forms import DashboardFilterForm
from ..ui import period_bounds


def _bars(bars, link):
    """[(label, n, percent of the largest, link)] for the inline SVG bars."""
    largest = max((bar.count for bar in bars), default=0)
    return [(bar.label or "—", bar.count, round(100 * bar.count / largest) if largest else 0, link(bar))
            for bar in bars]


def _trend(weeks) -> dict | None:
    """Bar positions for the week-by-week chart (an SVG 100 units high, 20 units a week)."""
    if not weeks:
        return None
    highest = max(max(week.received, week.resolved) for week in weeks)
    top = highest or 1

    def height(n) -> float:
        return round(96 * n / top, 1)

    def svg(number) -> str:  # SVG wants a decimal point whatever the page's language
        return f"{number:.1f}"

    rows = []
    for index, week in enumerate(weeks):
        received_h, resolved_h = height(week.received), height(week.resolved)
        rows.append({
            "label": week.start.strftime("%d/%m"), "received": week.received, "resolved": week.resolved,
            "x": index * 20 + 3, "x2": index * 20 + 10,
            "received_y": svg(100 - received_h), "received_h": svg(received_h),
            "resolved_y": svg(100 - resolved_h), "resolved_h": svg(resolved_h),
        })
    return {"weeks": rows, "width": len(rows) * 20, "top": highest,
            "first": rows[0]["label"], "last": rows[-1]["label"]}


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
    locality = cleaned.get("locality") or ""
    figures = dashboard_figures(user=request.user, since=since, until=until, locality=locality)
    oversight_read_record(user=request.user, kind=OversightRead.DASHBOARD,
                          filters={"received_after": since, "received_before": until, "locality": locality},
                          rows=figures.total)
    in_period = {**_period_params(cleaned), "locality": locality}
    status_bars = _bars(figures.by_status, lambda bar: _queue_link("all", status=bar.code, **in_period))
    topic_bars = _bars(figures.by_topic,
                       lambda bar: _queue_link("all", topic=bar.code, topic_exact=1, **in_period))
    locality_bars = _bars(
        figures.by_locality,
        lambda bar: _queue_link("all", **{**in_period, "locality": bar.code, "locality_exact": 1}),
    )
    rate = figures.on_time
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
        "figures": figures,
        "unit": figures.unit,
        "total": figures.total,
        "open_now": figures.open_now,
        "overdue_now": figures.overdue_now,
        "escalated": figures.escalated_now,
        "status_bars": status_bars,
        "topic_bars": topic_bars,
        "locality_bars": locality_bars,
        "trend": _trend(figures.by_week),
        "rate": rate,
        "rate_percent": round(100 * rate.rate) if rate is not None and rate.rate is not None else None,
    })
