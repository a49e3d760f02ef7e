"""A resolved case whose resident answered "not fixed" waits for its leader's decision (issue 13, item 4):
a report submission does not mark it reported, and the report lists it as pending, in its figures,
on the report page and in its spreadsheet. Once the leader decides, a correction accounts for it."""

import io

import pytest
from openpyxl import load_workbook

from cases.models import Case, CaseEvent, CaseStatus
from cases.selectors import case_available_transitions
from cases.services import case_keep_closed, case_public_feedback, case_reopen
from reports.figures import report_figures
from reports.models import ReportKind, ReportStatus
from reports.services import report_correct, report_draft_create, report_submit
from workflow.flows import CaseFlow
from workflow.queues import my_tasks

from .conftest import at

MARCH = at(2026, 3, 1).date()
PENDING_LABEL = "Chờ lãnh đạo quyết định mở lại"


@pytest.fixture
def march(world, life):
    """Commune A's March: one case resolved and accepted, one the resident says is not fixed."""
    cases = {
        "fixed": life.resolved(at(2026, 3, 2), days=3, title="Đèn đường đã sáng"),
        "not_fixed": life.resolved(at(2026, 3, 9), days=3, title="Cống vẫn tắc"),
    }
    life.tm.move_to(at(2026, 3, 20), tick=False)
    waiting = cases["not_fixed"]
    case_public_feedback(case=waiting, secret=waiting.public_secret, fixed=False, comment="Mưa xuống vẫn ngập.")
    life.tm.move_to(at(2026, 4, 3), tick=False)
    for case in cases.values():
        case.refresh_from_db()
    return cases


def _draft(world):
    return report_draft_create(by=world.secretariat, unit=world.commune_a, kind=ReportKind.MONTHLY,
                               period_start=MARCH)


def test_the_figures_list_the_waiting_case_as_pending_not_as_reported(world, march):
    figures = report_figures(unit=world.commune_a, kind=ReportKind.MONTHLY, start=MARCH,
                             end=at(2026, 3, 31).date())
    assert figures["reported_cases"] == {"in_period": [march["fixed"].code], "carried_over": []}
    assert figures["pending_decision"] == {"count": 1, "cases": [march["not_fixed"].code]}


def test_a_submission_marks_the_others_and_leaves_the_waiting_case_to_its_leader(world, march):
    report = _draft(world)
    report_submit(report=report, by=world.secretariat, narrative="Tháng 3.")

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    version = report.versions.get(number=1)
    assert version.marked_cases == [march["fixed"].code]
    assert version.figures["pending_decision"]["cases"] == [march["not_fixed"].code]
    assert Case.objects.get(pk=march["fixed"].pk).status == CaseStatus.REPORTED
    waiting = Case.objects.get(pk=march["not_fixed"].pk)
    assert (waiting.status, waiting.reopen_requested) == (CaseStatus.RESOLVED, True)
    assert not CaseEvent.objects.filter(case=waiting, action="report").exists()
    # The decision is still the leader's to make, and waits in his queue.
    assert case_available_transitions(case=waiting, user=world.leader) == ["reopen", "keep_closed"]
    assert my_tasks(user=world.leader).filter(process__artifact_object_id=waiting.pk,
                                              flow_task=CaseFlow.decide_step).exists()


def test_once_kept_closed_a_correction_accounts_for_it(world, march, life):
    report = _draft(world)
    report_submit(report=report, by=world.secretariat)
    life.tm.move_to(at(2026, 4, 4), tick=False)
    case_keep_closed(case=march["not_fixed"], by=world.leader, reason="Cống đã thông; ngập do triều cường.")

    version = report_correct(report=report, by=world.secretariat, narrative="Tháng 3, bổ sung.",
                             reason="Lãnh đạo đã quyết định giữ kết quả.")
    assert version.marked_cases == [march["not_fixed"].code]
    assert version.figures["pending_decision"] == {"count": 0, "cases": []}
    assert sorted(version.figures["reported_cases"]["in_period"]) == sorted(
        [march["fixed"].code, march["not_fixed"].code])
    assert {row["key"]: (row["old"], row["new"]) for row in version.diff["figures"]}["pending_decision.count"] == (1, 0)
    assert Case.objects.get(pk=march["not_fixed"].pk).status == CaseStatus.REPORTED


def test_a_reopened_case_leaves_the_pending_list_and_a_correction_records_it(world, march, life):
    report = _draft(world)
    report_submit(report=report, by=world.secretariat)
    life.tm.move_to(at(2026, 4, 4), tick=False)
    case_reopen(case=march["not_fixed"], by=world.leader, reason="Cần nạo vét lại.")

    version = report_correct(report=report, by=world.secretariat, narrative=report.narrative,
                             reason="Vụ việc chờ quyết định đã được mở lại.")
    assert version.marked_cases == []
    assert version.figures["pending_decision"]["cases"] == []
    changed = {row["key"]: (row["old"], row["new"]) for row in version.diff["figures"]}
    assert changed["pending_decision.count"] == (1, 0)
    assert changed["on_time.on_time"] == (2, 1)  # a resolution reopened later is not on time
    assert Case.objects.get(pk=march["not_fixed"].pk).status == CaseStatus.ASSIGNED


def test_the_report_screen_and_its_spreadsheet_list_the_pending_case(world, march, as_user):
    report = _draft(world)
    client = as_user("secretariat")
    draft_page = client.get(f"/reports/{report.pk}/").content.decode()
    pending_line = draft_page.split('data-testid="pending-decision"', 1)[1].split("</p>", 1)[0]
    assert PENDING_LABEL in pending_line and march["not_fixed"].code in pending_line
    assert march["fixed"].code not in pending_line

    response = client.post(f"/reports/{report.pk}/submit/", {"narrative": "Bản gửi chính thức", "confirm": "1"})
    assert response.status_code == 302
    assert Case.objects.get(pk=march["not_fixed"].pk).status == CaseStatus.RESOLVED
    assert Case.objects.get(pk=march["fixed"].pk).status == CaseStatus.REPORTED

    sent_page = as_user("leader").get(f"/reports/{report.pk}/").content.decode()
    pending_line = sent_page.split('data-testid="pending-decision"', 1)[1].split("</p>", 1)[0]
    assert PENDING_LABEL in pending_line and march["not_fixed"].code in pending_line

    book = load_workbook(io.BytesIO(client.get(f"/reports/{report.pk}/export.xlsx").content), read_only=True)
    listed = list(book["Đưa vào báo cáo"].iter_rows(min_row=2, values_only=True))
    assert (march["fixed"].code, "Giải quyết trong kỳ") in listed
    assert (march["not_fixed"].code, PENDING_LABEL) in listed
    summary = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(values_only=True) if row and row[0]}
    assert summary["Vụ việc chờ lãnh đạo quyết định mở lại"] == 1
