"""Reports through the screens and the REST API: who sees what (404 out of reach), drafting,
submitting (409 the second time), the parent tier's side-by-side view, due-date alerts."""

import pytest
from rest_framework.test import APIClient

from cases.models import Case, CaseStatus
from reports.models import Report, ReportAlert, ReportKind, ReportStatus
from reports.services import report_alerts_sweep, report_draft_create, report_submit

from .conftest import at


@pytest.fixture
def api(world):
    def as_(username):
        client = APIClient()
        client.force_authenticate(world.users[username])
        return client

    return as_


@pytest.fixture
def draft(world, life):
    life.resolved(at(2026, 3, 2), days=3, title="Của xã A")
    life.resolved(at(2026, 3, 3), days=3, commune="B", title="Của phường B")
    life.tm.move_to(at(2026, 4, 3), tick=False)
    return report_draft_create(by=world.secretariat, unit=world.commune_a, kind=ReportKind.MONTHLY,
                               period_start=at(2026, 3, 1).date(), narrative="Dự thảo của xã A")


def test_commune_b_cannot_see_commune_a_draft(draft, as_user, api):
    for username in ("secretariat", "leader"):
        assert as_user(username).get(f"/reports/{draft.pk}/").status_code == 200
        assert api(username).get(f"/api/v1/reports/{draft.pk}/").status_code == 200
    # Commune B, the handler, and even the tiers above while it is a draft: not found, like a missing report.
    for username in ("leader2", "clerk2", "handler", "supervisor", "inspector"):
        assert as_user(username).get(f"/reports/{draft.pk}/").status_code == 404, username
        response = api(username).get(f"/api/v1/reports/{draft.pk}/")
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), username
        assert as_user(username).post(f"/reports/{draft.pk}/submit/", {"confirm": "1"}).status_code == 404
        assert api(username).post(f"/api/v1/reports/{draft.pk}/submit/", {}, format="json").status_code == 404
        assert draft.pk not in [r["id"] for r in api(username).get("/api/v1/reports/").json()]
    assert as_user("leader2").get("/reports/9999/").status_code == 404
    assert Report.objects.get(pk=draft.pk).status == ReportStatus.DRAFT


def test_draft_save_and_submit_through_the_screens(draft, as_user, world):
    client = as_user("secretariat")
    page = client.get(f"/reports/{draft.pk}/").content.decode()
    assert 'data-testid="submit-report"' in page and "Dự thảo của xã A" in page
    client.post(f"/reports/{draft.pk}/save/", {"narrative": "Đã sửa dự thảo"})
    assert Report.objects.get(pk=draft.pk).narrative == "Đã sửa dự thảo"
    unconfirmed = client.post(f"/reports/{draft.pk}/submit/", {"narrative": "Bản gửi chính thức"}, follow=True)
    assert "Hãy đánh dấu ô xác nhận" in unconfirmed.content.decode()
    draft.refresh_from_db()
    assert draft.status == ReportStatus.DRAFT and draft.narrative != "Bản gửi chính thức"
    response = client.post(f"/reports/{draft.pk}/submit/", {"narrative": "Bản gửi chính thức", "confirm": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.narrative) == (ReportStatus.SUBMITTED, "Bản gửi chính thức")
    assert Case.objects.get(title="Của xã A").status == CaseStatus.REPORTED
    assert Case.objects.get(title="Của phường B").status == CaseStatus.RESOLVED
    again = client.post(f"/reports/{draft.pk}/submit/", {"confirm": "1"}, follow=True).content.decode()
    assert "Báo cáo này đã được gửi." in again
    # The tiers above now read it; the supervisor sees no submit button.
    page = as_user("supervisor").get(f"/reports/{draft.pk}/").content.decode()
    assert "Bản gửi chính thức" in page and 'data-testid="submit-report"' not in page
    assert as_user("leader2").get(f"/reports/{draft.pk}/").status_code == 404


def test_the_api_drafts_lists_and_submits_once(world, life, api):
    life.resolved(at(2026, 3, 2), days=3)
    life.tm.move_to(at(2026, 4, 3), tick=False)
    client = api("secretariat")
    created = client.post("/api/v1/reports/", {"unit": world.commune_a.code, "kind": "monthly",
                                               "period_start": "2026-03-12"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["period_start"], body["period_end"]) == ("draft", "2026-03-01", "2026-03-31")
    assert body["figures"]["received"] == 1 and body["versions"] == []
    duplicate = client.post("/api/v1/reports/", {"unit": world.commune_a.code, "kind": "monthly",
                                                 "period_start": "2026-03-02"}, format="json")
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "conflict")
    refused = api("leader2").post("/api/v1/reports/", {"unit": world.commune_a.code, "kind": "monthly",
                                                       "period_start": "2026-03-02"}, format="json")
    assert refused.status_code == 403
    invalid = client.post("/api/v1/reports/", {"unit": "KHONG-CO", "kind": "weekly", "period_start": "x"},
                          format="json")
    assert invalid.status_code == 400 and set(invalid.json()["errors"]) == {"unit", "kind", "period_start"}

    listed = client.get("/api/v1/reports/?status=draft").json()
    assert [r["id"] for r in listed] == [body["id"]]
    submitted = client.post(f"/api/v1/reports/{body['id']}/submit/", {"narrative": "Gửi qua API"}, format="json")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted" and len(submitted.json()["versions"][0]["marked_cases"]) == 1
    twice = client.post(f"/api/v1/reports/{body['id']}/submit/", {}, format="json")
    assert (twice.status_code, twice.json()["code"]) == (409, "transition_not_allowed")
    correction = client.post(f"/api/v1/reports/{body['id']}/corrections/",
                             {"narrative": "Gửi qua API, đính chính", "reason": "Sửa câu chữ"}, format="json")
    assert correction.status_code == 201 and correction.json()["number"] == 2
    assert api("supervisor").get(f"/api/v1/reports/{body['id']}/").json()["version"] == 2
    assert client.get("/api/v1/reports/abc/").status_code == 404


def test_the_parent_tier_sees_its_children_side_by_side(world, life, as_user):
    life.resolved(at(2026, 3, 2), days=3)
    life.resolved(at(2026, 3, 3), days=3)
    life.resolved(at(2026, 3, 4), days=3, commune="B")
    life.tm.move_to(at(2026, 4, 3), tick=False)
    for writer, unit in ((world.secretariat, world.commune_a), (world.leader2, world.commune_b)):
        report = report_draft_create(by=writer, unit=unit, kind=ReportKind.MONTHLY, period_start=at(2026, 3, 1).date())
        report_submit(report=report, by=writer)
    page = as_user("supervisor").get("/reports/units/P/?kind=monthly&day=15/03/2026")
    assert page.status_code == 200
    html = page.content.decode()
    table = html.split('data-testid="side-by-side"')[1].split("</table>")[0]
    assert world.commune_a.name in table and world.commune_b.name in table
    received_row = table.split("Vụ việc tiếp nhận trong kỳ")[1].split("</tr>")[0]
    cells = [part.split("</td>")[0] for part in received_row.split("<td>")[1:]]
    assert cells == ["2", "1", "<strong>3</strong>"]
    consolidated = html.split('data-testid="consolidated"')[1]
    assert 'data-testid="fig-received">3<' in consolidated
    assert as_user("leader2").get("/reports/units/P/").status_code == 404
    assert as_user("leader").get("/reports/units/P-A/").status_code == 200  # its own (no children reporting)


def test_a_missing_report_is_reminded_then_escalated_to_the_parent(world, life, time_machine, as_user):
    time_machine.move_to(at(2026, 4, 13, 8), tick=False)  # two days before the March report is due
    assert report_alerts_sweep()["remind"] == 2  # communes A and B
    assert report_alerts_sweep()["remind"] == 0  # firing twice has the effect of firing once
    reminder = ReportAlert.objects.get(unit=world.commune_a, action="remind")
    assert (reminder.to_unit, reminder.period_start) == (world.commune_a, at(2026, 3, 1).date())
    assert "Sắp đến hạn" in as_user("secretariat").get("/reports/").content.decode()

    report = report_draft_create(by=world.secretariat, unit=world.commune_a, kind=ReportKind.MONTHLY,
                                 period_start=at(2026, 3, 1).date())
    report_submit(report=report, by=world.secretariat)
    reminder.refresh_from_db()
    assert reminder.resolved_at is not None

    time_machine.move_to(at(2026, 4, 15, 8), tick=False)
    assert report_alerts_sweep()["escalate"] == 1  # only commune B is late
    escalation = ReportAlert.objects.get(action="escalate")
    assert (escalation.unit, escalation.to_unit) == (world.commune_b, world.province)
    assert not ReportAlert.objects.filter(unit=world.province).exists()  # the top reports to nobody here
    page = as_user("supervisor").get("/reports/units/P/?kind=monthly&day=01/03/2026").content.decode()
    assert "Đã báo cấp trên: chưa nộp" in page
    assert "Chưa nộp, đã báo cấp trên" in as_user("supervisor").get("/reports/").content.decode()
    own = as_user("leader2").get("/reports/").content.decode()
    assert "Quá hạn nộp" in own and "Chưa nộp, đã báo cấp trên" not in own  # the escalation goes up, not sideways
    assert "Quá hạn nộp" not in as_user("secretariat").get("/reports/").content.decode()  # A's was sent


def test_the_celery_tasks_and_the_beat_entry(world, time_machine, settings):
    from reports.services import export_job_create
    from reports.tasks import export_job_run_task, report_alerts_sweep_task

    assert settings.CELERY_BEAT_SCHEDULE["reports-alerts-sweep"]["task"] == report_alerts_sweep_task.name
    time_machine.move_to(at(2026, 4, 13, 8), tick=False)
    assert report_alerts_sweep_task.apply().get() == {"remind": 2, "escalate": 0}
    job = export_job_create(by=world.clerk, fmt="csv", filters={})
    export_job_run_task.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == job.Status.DONE and job.file.endswith(".csv")


def test_a_reader_who_may_not_correct_is_refused_before_the_body_is_read(world, api):
    """Issue 15, item 8: 403 before 400; an empty body from the supervisor is a 403, a stranger's a 404."""
    report = report_draft_create(by=world.secretariat, unit=world.commune_a, kind=ReportKind.AD_HOC,
                                 period_start=at(2026, 3, 1).date(), period_end=at(2026, 3, 2).date())
    report_submit(report=report, by=world.secretariat)

    refused = api("supervisor").post(f"/api/v1/reports/{report.pk}/corrections/", {}, format="json")
    assert refused.status_code == 403
    assert api("clerk2").post(f"/api/v1/reports/{report.pk}/corrections/", {}, format="json").status_code == 404
    invalid = api("secretariat").post(f"/api/v1/reports/{report.pk}/corrections/", {}, format="json")
    assert invalid.status_code == 400  # the writer gets the validation errors
    assert Report.objects.get(pk=report.pk).version == 1
