"""Issue 16, item 3: a report is drafted over the API with `unit` and `period` as API.md says (`2026-10`,
`2026-Q3`, `2026-H1`, `2026`); the unit defaults to the caller's, the period to the last complete month."""

import pytest
from rest_framework.test import APIClient

from cases.models import Role
from cases.services import unit_role_grant
from reports.models import Report

from .conftest import at


@pytest.fixture
def api(world):
    def as_(username):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="vi")
        client.force_authenticate(world.users[username])
        return client

    return as_


@pytest.mark.parametrize("period, kind, start, end", [
    ("2026-10", "monthly", "2026-10-01", "2026-10-31"),
    ("2026-Q3", "quarterly", "2026-07-01", "2026-09-30"),
    ("2026-H1", "six_month", "2026-01-01", "2026-06-30"),
    ("2026", "annual", "2026-01-01", "2026-12-31"),
])
def test_unit_and_period_as_the_contract_says(world, api, time_machine, period, kind, start, end):
    time_machine.move_to(at(2026, 11, 20), tick=False)
    response = api("secretariat").post("/api/v1/reports/", {"unit": world.commune_a.code, "period": period},
                                       format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["unit"], body["kind"], body["period_start"], body["period_end"]) == (
        world.commune_a.code, kind, start, end)


def test_with_nothing_said_it_is_the_callers_unit_and_the_last_complete_month(world, api, time_machine):
    time_machine.move_to(at(2026, 11, 20), tick=False)
    body = api("secretariat").post("/api/v1/reports/", {}, format="json").json()
    assert (body["unit"], body["kind"], body["period_start"], body["period_end"]) == (
        world.commune_a.code, "monthly", "2026-10-01", "2026-10-31")


def test_bad_periods_and_ambiguous_units_are_400_and_write_nothing(world, api, time_machine):
    time_machine.move_to(at(2026, 11, 20), tick=False)
    client = api("secretariat")
    for period in ("2026-13", "2026-Q5", "26-10", "2026-10-01", "tháng 10"):
        response = client.post("/api/v1/reports/", {"period": period}, format="json")
        assert response.status_code == 400 and "period" in response.json()["errors"], period
    both = client.post("/api/v1/reports/", {"period": "2026-10", "kind": "monthly", "period_start": "2026-10-02"},
                       format="json")
    assert both.status_code == 400
    unit_role_grant(user=world.secretariat, unit=world.commune_b, role=Role.SECRETARIAT, by=world.administrator)
    two = client.post("/api/v1/reports/", {"period": "2026-10"}, format="json")
    assert two.status_code == 400 and "unit" in two.json()["errors"]
    assert not Report.objects.exists()


def test_someone_who_writes_no_report_is_403_whatever_the_body(world, api):
    for body in ({}, {"period": "nonsense"}, {"unit": "NOPE"}):
        response = api("handler").post("/api/v1/reports/", body, format="json")
        assert response.status_code == 403, body
    assert not Report.objects.exists()
