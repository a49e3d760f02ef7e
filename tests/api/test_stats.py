"""Issue 16, item 2: `GET /api/v1/stats/` gives the dashboard's own figures (one selector feeds both), scoped
to the caller, for a unit subtree and a period."""

import re

import pytest
from rest_framework.test import APIClient

from cases.services import case_verify
from reports.models import InspectionAccessLog, OversightRead

pytestmark = pytest.mark.django_db


def api_as(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_authenticate(user)
    return client


def screen_figures(page) -> dict:
    figures = page.context["figures"]
    bars = lambda rows: [{"code": bar.code, "label": bar.label, "count": bar.count} for bar in rows]  # noqa: E731
    return {
        "total": figures.total, "by_status": bars(figures.by_status), "by_topic": bars(figures.by_topic),
        "by_locality": bars(figures.by_locality), "open": figures.open_now, "overdue": figures.overdue_now,
        "escalated": figures.escalated_now,
    }


@pytest.fixture
def cases(world, new_case):
    made = [new_case(f"Vụ việc {n}") for n in range(3)]
    case_verify(case=made[0], by=world.clerk)
    new_case("Của phường B", by=world.clerk2, locality=world.hamlet_b)
    return made


def test_the_api_and_the_dashboard_show_the_same_figures(world, cases, as_user):
    for params, query in (({}, {}), ({"locality": world.commune_a.code}, {"unit": world.commune_a.code})):
        page = as_user("leader").get("/dashboard/", {"period": "30d", **params})
        response = api_as(world.leader).get("/api/v1/stats/", query)
        assert response.status_code == 200, response.json()
        body = response.json()
        assert {key: body[key] for key in screen_figures(page)} == screen_figures(page)
        assert body["total"] == 3  # commune A's three, not commune B's
        assert {bar["code"]: bar["count"] for bar in body["by_status"]}["verified"] == 1
        assert body["on_time"]["rate"] is None and body["on_time"]["resolved"] == 0


def test_scope_the_period_and_bad_input(world, cases):
    commune_b = api_as(world.clerk2).get("/api/v1/stats/").json()
    assert commune_b["total"] == 1
    # A unit out of the caller's reach is not found, like a case out of reach.
    assert api_as(world.clerk2).get("/api/v1/stats/", {"unit": world.commune_a.code}).status_code == 404
    last_year = api_as(world.leader).get("/api/v1/stats/", {"period": "2025"}).json()
    assert last_year["total"] == 0 and last_year["since"].startswith("2025-01-01")
    response = api_as(world.leader).get("/api/v1/stats/", {"period": "2026-13"})
    assert response.status_code == 400 and "period" in response.json()["errors"]
    # A period and dates narrow each other, like any two filters; dates that leave nothing count nothing.
    narrowed = api_as(world.leader).get("/api/v1/stats/", {"period": "2025", "date_from": "2025-10-01"}).json()
    assert narrowed["since"].startswith("2025-10-01") and narrowed["until"].startswith("2026-01-01")
    empty = api_as(world.leader).get("/api/v1/stats/", {"date_from": "2026-10-05", "date_to": "2026-10-01"})
    assert empty.status_code == 200 and empty.json()["total"] == 0
    assert APIClient().get("/api/v1/stats/").status_code == 401


def test_an_inspectors_stats_read_is_one_access_log_row(world, cases):
    assert api_as(world.inspector).get("/api/v1/stats/").status_code == 200
    row = InspectionAccessLog.objects.get()
    assert (row.kind, row.rows, row.unit_id) == (OversightRead.API_STATS, 4, world.province.pk)


def test_the_week_by_week_trend_is_the_same_on_the_screen_and_in_the_api(world, cases, as_user):
    page = as_user("leader").get("/dashboard/", {"period": "30d"})
    body = api_as(world.leader).get("/api/v1/stats/").json()
    weeks = page.context["figures"].by_week
    assert [(w.start.isoformat(), w.received, w.resolved) for w in weeks] == [
        (w["start"], w["received"], w["resolved"]) for w in body["by_week"]]
    assert 5 <= len(weeks) <= 6 and sum(w.received for w in weeks) == 3  # 30 days touch five or six weeks
    assert all(w.start.weekday() == 0 for w in weeks)
    html = page.content.decode()
    trend = html.split('data-testid="trend"', 1)[1].split("</svg>", 1)[0]
    heights = [float(value) for value in re.findall(r'<rect class="received"[^>]* height="([^"]+)"', trend)]
    assert len(heights) == len(weeks) and max(heights) == 96.0  # SVG numbers, never "96,0"
