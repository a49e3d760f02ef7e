"""The demo province (seed_demo + seed_reports) shows what the issue asks for; the screens speak
Vietnamese to every demo user; the API documents itself."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from cases.audit import audit_verify
from reports.models import Inspection, Report, ReportKind, ReportStatus
from reports.periods import last_ended_period
from tests.web.test_no_english import _english_in

DEMO_USERS = ["clerk", "leader", "handler", "secretariat", "clerk2", "leader2", "handler2", "supervisor",
              "inspector", "admin"]


def _client(username):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)
    call_command("seed_reports", verbosity=0)
    return Inspection.objects.get()


def test_the_demo_province_shows_reports_consolidation_flags_and_an_inspection(demo):
    from django.utils import timezone

    start, _end = last_ended_period(ReportKind.MONTHLY, timezone.localdate())
    sent = Report.objects.filter(kind=ReportKind.MONTHLY, period_start=start, status=ReportStatus.SUBMITTED)
    assert sorted(sent.values_list("unit__code", flat=True)) == ["DM-ANBINH", "DM-BINHMINH"]
    assert all(report.versions.get(number=1).marked_cases for report in sent)
    assert sent.get(unit__code="DM-ANBINH").version == 2  # one corrected, with its diff

    side = _client("supervisor").get("/reports/units/DM/").content.decode()
    assert 'data-testid="consolidated"' in side and "Đảng ủy xã An Bình" in side and "Đảng ủy phường Bình Minh" in side

    panel = _client("leader").get("/dashboard/").content.decode().split('data-testid="emerging-panel"')[1]
    assert "Nước sạch" in panel and "Thôn Đông" in panel

    inspector = _client("inspector")
    page = inspector.get(f"/reports/inspection/{demo.pk}/")
    assert page.status_code == 200
    assert "Gia hạn sau khi đã quá hạn" in page.content.decode()
    assert audit_verify().ok

    call_command("seed_reports", verbosity=0)  # idempotent
    assert Report.objects.exclude(kind=ReportKind.SITUATION).count() == 2 and Inspection.objects.count() == 1


def test_report_screens_are_free_of_english_for_every_demo_user(demo):
    report = Report.objects.filter(kind=ReportKind.MONTHLY).order_by("pk").first()  # seed_demo drafts a situation one
    case_code = report.versions.get(number=1).marked_cases[0]
    pages = ["/reports/", f"/reports/{report.pk}/", f"/reports/{report.pk}/?v=2", "/reports/units/DM/",
             "/reports/units/DM-ANBINH/", "/reports/emerging/", "/reports/exports/", "/reports/inspection/",
             f"/reports/inspection/{demo.pk}/", f"/reports/inspection/{demo.pk}/?check=1",
             f"/reports/inspection/{demo.pk}/cases/?metric=flagged", f"/reports/inspection/{demo.pk}/sample/",
             f"/reports/inspection/{demo.pk}/cases/{case_code}/?at=01/01/2030", "/reports/inspection/log/",
             "/dashboard/"]
    leaks, shown = {}, 0
    for username in DEMO_USERS:
        client = _client(username)
        for path in pages:
            response = client.get(path)
            assert response.status_code in (200, 403, 404), (username, path, response.status_code)
            shown += response.status_code == 200
            if found := _english_in(response):
                leaks[(username, path)] = found
    assert shown > 40
    assert not leaks, leaks


def test_the_report_api_documents_itself(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--urlconf", "tests.reports.api_urls", "--validate", "--fail-on-warn",
                 "--file", str(out))
    text = out.read_text()
    for path in ("/api/v1/reports/", "/api/v1/reports/{id}/submit/", "/api/v1/reports/{id}/corrections/"):
        assert path in text
