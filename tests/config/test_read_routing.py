"""Read routing (config/db_routing.py): the heavy pages read from the replica, a person's reads after their own
write from the primary. Two aliases on one PostgreSQL server: `replica` mirrors the test database, as Django's
TEST MIRROR setting makes it, and logs in as the application's role like `default`."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import connections
from django.utils import timezone
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from rest_framework.test import APIClient

from config import db_routing
from config.db_routing import PIN_COOKIE, REPLICA_DB_ALIAS
from reports.models import ReportKind
from reports.services import report_draft_create

pytestmark = pytest.mark.postgres

ROUTER = "config.db_routing.ReplicaRouter"


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup):
    """A second connection to the test database, `replica` (what TEST MIRROR makes of it)."""
    connections.settings[REPLICA_DB_ALIAS] = {**connections["default"].settings_dict, "TEST": {"MIRROR": "default"}}
    yield
    connections[REPLICA_DB_ALIAS].close()
    del connections[REPLICA_DB_ALIAS]
    del connections.settings[REPLICA_DB_ALIAS]


@pytest.fixture
def replica():
    """Settings as DATABASE_REPLICA_URL makes them: the alias (above) and the router."""
    with override_settings(DATABASE_ROUTERS=[ROUTER]):
        yield


# Tables of who is logged in and with which rights: read from the primary on every page (PRIMARY_ONLY_APPS).
_LOGIN_TABLES = ('"auth_', '"django_session"', '"guardian_', '"knox_', '"otp_', '"axes_', '"django_content_type"')


def _case_reads(queries) -> list[str]:
    """The reads of the product's data (cases, units, reports, clocks...): every SELECT but the logins'."""
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")
            and not any(table in q["sql"].split(" WHERE ")[0] for table in _LOGIN_TABLES)]


def _reads_where(get):
    """(reads of cases on the primary, on the replica) while `get()` runs, and its response."""
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections[REPLICA_DB_ALIAS]) as replica:
        response = get()
    return _case_reads(primary.captured_queries), _case_reads(replica.captured_queries), response


def _client(user, api=False):
    client = APIClient() if api else Client()
    client.force_login(user)
    return client


PAGES = [
    ("/", "dashboard/"),  # web:dashboard
    ("/", "cases/export.csv"),  # web:export
    ("/", "reports/"),  # reports:list
    ("/", "api/v1/stats/"),  # the statistics API
]


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA_DB_ALIAS])
@pytest.mark.parametrize("path", [prefix + rest for prefix, rest in PAGES])
def test_report_dashboard_export_and_stats_reads_go_to_the_replica(replica, world, new_case, path):
    new_case()
    client = _client(world.supervisor)
    on_primary, on_replica, response = _reads_where(lambda: client.get(path))
    assert response.status_code == 200, path
    assert on_replica, f"{path} read no case from the replica"
    assert not on_primary, f"{path} read cases from the primary: {on_primary}"


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA_DB_ALIAS])
def test_a_persons_reads_right_after_their_own_write_go_to_the_primary(replica, world, new_case):
    case = new_case()
    clerk, supervisor = _client(world.clerk, api=True), _client(world.supervisor, api=True)
    assert clerk.post(f"/api/v1/cases/{case.code}/transitions/verify/", {}, format="json").status_code == 200
    del clerk.cookies[PIN_COOKIE]  # as an API client keeping no cookies: the mark kept under the person holds

    on_primary, on_replica, response = _reads_where(lambda: clerk.get("/api/v1/stats/"))
    assert response.status_code == 200
    assert on_primary and not on_replica  # the clerk sees the case they just verified, whatever the lag
    on_primary, on_replica, response = _reads_where(lambda: supervisor.get("/api/v1/stats/"))
    assert response.status_code == 200
    assert on_replica and not on_primary  # nobody else is pinned


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA_DB_ALIAS])
def test_other_pages_and_every_write_use_the_primary(replica, world, new_case):
    case = new_case()
    client = _client(world.clerk)
    on_primary, on_replica, response = _reads_where(lambda: client.get(f"/cases/{case.code}/"))
    assert response.status_code == 200
    assert on_primary and not on_replica


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA_DB_ALIAS])
def test_health_shows_the_replica_lag_and_the_dashboard_when_its_figures_were_true(replica, world, client):
    body = client.get("/health/").json()
    assert body["replica_lag_seconds"] == 0.0  # a mirror of the primary itself: not a standby, no lag
    assert "\ndlxh_replica_lag_seconds 0.0\n" in client.get("/metrics").content.decode()
    client.force_login(world.supervisor)
    page = client.get("/dashboard/").content.decode()
    assert "Số liệu tính đến" in page


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA_DB_ALIAS])
def test_a_draft_report_read_from_a_lagging_replica_states_the_figures_as_of_its_data(replica, world, monkeypatch):
    """Two minutes behind: the draft's figures are computed as of two minutes ago, and say so."""
    report = report_draft_create(by=world.secretariat, unit=world.commune_a, kind=ReportKind.MONTHLY,
                                 period_start=timezone.localdate().replace(day=1))
    monkeypatch.setattr(db_routing, "replica_lag_seconds", lambda: 120.0)
    client = _client(world.secretariat)
    now = timezone.localtime()
    page = client.get(f"/reports/{report.pk}/").content.decode()
    as_of = re.search(r"Số liệu tính đến</dt><dd>(\d\d/\d\d/\d{4} \d\d:\d\d)", page)[1]
    shown = datetime.strptime(as_of, "%d/%m/%Y %H:%M").replace(tzinfo=now.tzinfo)
    assert now - timedelta(minutes=3) <= shown <= now - timedelta(minutes=1)
    # The same page right after the secretariat's own write: from the primary, as of now.
    client.post(f"/reports/{report.pk}/save/", {"narrative": "Tình hình ổn định."})
    page = client.get(f"/reports/{report.pk}/").content.decode()
    as_of = re.search(r"Số liệu tính đến</dt><dd>(\d\d/\d\d/\d{4} \d\d:\d\d)", page)[1]
    shown = datetime.strptime(as_of, "%d/%m/%Y %H:%M").replace(tzinfo=now.tzinfo)
    assert shown >= now - timedelta(minutes=1)
