"""A monthly report: its draft figures, submission (which cases become `reported`), corrections."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from cases.exceptions import Conflict, PermissionDenied, TransitionNotAllowed
from cases.models import Case, CaseEvent, CaseStatus
from reports.exceptions import ReportNotFound
from reports.figures import report_figures
from reports.models import Report, ReportKind, ReportStatus, ReportVersion
from reports.periods import bounds, due_at, period_containing, previous_period
from reports.services import report_correct, report_draft_create, report_narrative_update, report_submit

from .conftest import at

MARCH = (at(2026, 3, 1, 0).date(), at(2026, 3, 31, 0).date())


@pytest.fixture
def march(world, life):
    """Commune A's March 2026, plus the neighbours a report must leave out."""
    c = {}
    c["on_time"] = life.resolved(at(2026, 3, 2), days=3, title="Đúng hạn")
    c["late"] = life.resolved(at(2026, 3, 3), days=22, title="Trễ hạn")
    c["open"] = life.case(at(2026, 3, 10), (at(2026, 3, 10, 10), "verify"), (at(2026, 3, 10, 11), "assign"),
                          title="Còn mở, quá hạn")
    c["rejected"] = life.case(at(2026, 3, 12), (at(2026, 3, 12, 10), "reject"), title="Không thụ lý")
    c["quiet"] = life.case(at(2026, 3, 20), (at(2026, 3, 20, 10), "verify"), (at(2026, 3, 20, 11), "assign"),
                           (at(2026, 3, 21), "resolve"), topic=world.quiet_topic, title="Góp ý")
    c["february"] = life.resolved(at(2026, 2, 20), days=5, title="Tháng hai, chưa báo cáo")
    c["after"] = life.resolved(at(2026, 3, 28), days=5, title="Xong sau kỳ")  # resolved 2 April
    c["commune_b"] = life.resolved(at(2026, 3, 5), days=3, commune="B", title="Của phường B")
    c["reopened"] = life.case(at(2026, 3, 15), (at(2026, 3, 15, 10), "verify"), (at(2026, 3, 15, 11), "assign"),
                              (at(2026, 3, 16), "orient"), (at(2026, 3, 18), "resolve"), (at(2026, 3, 20), "reopen"),
                              title="Mở lại")
    life.tm.move_to(at(2026, 4, 5), tick=False)
    for case in c.values():
        case.refresh_from_db()
    return c


def _status_then(case, moment):
    """Independent of reports.figures: replay the case's events in Python."""
    status = CaseStatus.RECEIVED
    for event in CaseEvent.objects.filter(case=case).order_by("seq"):
        if event.created_at < moment and event.to_status:
            status = event.to_status
    return status


def test_draft_figures_equal_counts_computed_from_the_data(world, march, time_machine):
    figures = report_figures(unit=world.commune_a, kind=ReportKind.MONTHLY, start=MARCH[0], end=MARCH[1])
    since, until = bounds(*MARCH)

    # Independently: every case of commune A's subtree, filtered in Python.
    mine = [case for case in Case.objects.select_related("owner", "topic", "locality", "channel")
            if case.owner.path.startswith(world.commune_a.path)]
    received = [case for case in mine if since <= case.received_at < until]
    assert figures["received"] == len(received) == 7  # on_time, late, open, rejected, quiet, after, reopened
    assert {r["code"]: r["n"] for r in figures["by_topic"]} == dict(Counter(case.topic.code for case in received))
    assert {r["code"]: r["n"] for r in figures["by_locality"]} == dict(Counter(case.locality.code for case in received))
    assert {r["code"]: r["n"] for r in figures["by_channel"]} == dict(Counter(case.channel.code for case in received))
    expected_status = Counter(_status_then(case, until) for case in received)
    assert {r["code"]: r["n"] for r in figures["by_status"] if r["n"]} == dict(expected_status)
    assert expected_status == {"resolved": 3, "assigned": 2, "rejected": 1, "oriented": 1}

    resolved_in_march = {e.case_id for e in CaseEvent.objects.filter(action="resolve", created_at__gte=since,
                                                                     created_at__lt=until)
                         if e.case.owner.path.startswith(world.commune_a.path)}
    assert figures["resolved_in_period"] == len(resolved_in_march) == 4  # on_time, late, quiet, reopened
    assert figures["on_time"] == {"resolved": 4, "on_time": 2, "late": 1, "then_reopened": 1, "open_overdue": 2,
                                  "rate": round(2 / 6, 4)}
    assert figures["overdue"]["count"] == 2
    assert {row["code"] for row in figures["overdue"]["cases"]} == {march["open"].code, march["reopened"].code}
    assert figures["reopened"] == 1
    assert figures["reported_cases"] == {
        "in_period": sorted([march["on_time"].code, march["late"].code, march["quiet"].code]),
        "carried_over": [march["february"].code],
    }
    assert figures["previous"]["received"] == 1 and figures["previous"]["resolved_in_period"] == 1
    assert figures["change"]["received"] == 6


def test_submitting_marks_exactly_the_resolved_cases_and_is_refused_twice(world, march):
    report = report_draft_create(by=world.secretariat, unit=world.commune_a, kind=ReportKind.MONTHLY,
                                 period_start=at(2026, 3, 17).date())
    assert (report.period_start, report.period_end) == MARCH
    assert report.due_at == at(2026, 4, 15, 0)  # before the 15th of the next month

    report_submit(report=report, by=world.secretariat, narrative="Tình hình tháng 3 ổn định.")

    reported = set(Case.objects.filter(status=CaseStatus.REPORTED).values_list("code", flat=True))
    assert reported == {march[name].code for name in ("on_time", "late", "quiet", "february")}
    for name in ("after", "commune_b"):
        assert Case.objects.get(pk=march[name].pk).status == CaseStatus.RESOLVED
    assert Case.objects.get(pk=march["reopened"].pk).status == CaseStatus.ASSIGNED
    event = CaseEvent.objects.get(case=march["on_time"], action="report")
    assert (event.actor, event.data) == (world.secretariat, {"report": report.reference, "deadline": None})

    report.refresh_from_db()
    assert (report.status, report.version, report.submitted_by) == (ReportStatus.SUBMITTED, 1, world.secretariat)
    version = report.versions.get()
    assert sorted(version.marked_cases) == sorted(reported)
    assert version.narrative == "Tình hình tháng 3 ổn định."

    with pytest.raises(TransitionNotAllowed):
        report_submit(report=report, by=world.secretariat)
    with pytest.raises(TransitionNotAllowed):
        report_narrative_update(report=report, by=world.secretariat, narrative="Sửa lén")
    assert ReportVersion.objects.filter(report=report).count() == 1
    assert CaseEvent.objects.filter(action="report").count() == 4


def test_a_failed_marking_leaves_the_report_a_draft_and_every_case_as_it_was(world, march, monkeypatch):
    from cases import services as case_services

    real = case_services.case_mark_reported
    calls = []

    def flaky(*, case, by, report_ref):
        calls.append(case.code)
        if len(calls) == 3:
            raise TransitionNotAllowed()  # e.g. reopened by someone else a moment ago
        return real(case=case, by=by, report_ref=report_ref)

    monkeypatch.setattr("reports.services.case_mark_reported", flaky)
    report = report_draft_create(by=world.leader, unit=world.commune_a, kind=ReportKind.MONTHLY,
                                 period_start=MARCH[0])
    with pytest.raises(Conflict):
        report_submit(report=report, by=world.leader)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and not report.versions.exists()
    assert not Case.objects.filter(status=CaseStatus.REPORTED).exists()
    assert not CaseEvent.objects.filter(action="report").exists()


def test_a_correction_is_a_new_version_with_its_differences(world, march, life):
    report = report_draft_create(by=world.secretariat, unit=world.commune_a, kind=ReportKind.MONTHLY,
                                 period_start=MARCH[0])
    report_submit(report=report, by=world.secretariat, narrative="Dòng một.\nDòng hai.")
    first = report.versions.get(number=1)
    frozen = dict(first.figures)

    # A case received in March but logged late, then resolved: the figures change.
    life.tm.move_to(at(2026, 4, 6), tick=False)
    late_logged = life.case(at(2026, 3, 30), (at(2026, 4, 6, 10), "verify"), title="Nhập muộn")
    version = report_correct(report=report, by=world.secretariat, narrative="Dòng một.\nDòng hai, đã sửa.",
                             reason="Bổ sung vụ việc nhập muộn.")

    assert version.number == 2 and version.reason == "Bổ sung vụ việc nhập muộn."
    first.refresh_from_db()
    assert first.figures == frozen  # the first version never changes
    rows = {(row["key"], row["code"]): (row["old"], row["new"]) for row in version.diff["figures"]}
    assert rows[("received", "")] == (7, 8)
    assert rows[("by_topic", world.topic.code)][1] == rows[("by_topic", world.topic.code)][0] + 1
    assert ["-", "Dòng hai."] in version.diff["narrative"] and ["+", "Dòng hai, đã sửa."] in version.diff["narrative"]
    assert ["-", "Dòng một."] not in version.diff["narrative"]
    report.refresh_from_db()
    assert (report.version, report.narrative) == (2, "Dòng một.\nDòng hai, đã sửa.")
    assert late_logged.code not in version.marked_cases  # still open: nothing more to mark
    # What the report accounts for, over both versions.
    assert march["february"].code in version.figures["reported_cases"]["carried_over"]

    with pytest.raises(ValidationError):  # nothing changed: no empty version
        report_correct(report=report, by=world.secretariat, narrative=report.narrative, reason="Không có gì")
    with pytest.raises(ValidationError):
        report_correct(report=report, by=world.secretariat, narrative="Khác", reason="  ")
    assert report.versions.count() == 2


def test_who_drafts_and_submits(world, march):
    with pytest.raises(PermissionDenied):
        report_draft_create(by=world.handler, unit=world.commune_a, kind=ReportKind.MONTHLY, period_start=MARCH[0])
    with pytest.raises(PermissionDenied):  # the province's supervisor reads, but does not write a commune's report
        report_draft_create(by=world.supervisor, unit=world.commune_a, kind=ReportKind.MONTHLY, period_start=MARCH[0])
    report = report_draft_create(by=world.secretariat, unit=world.commune_a, kind=ReportKind.MONTHLY,
                                 period_start=MARCH[0])
    with pytest.raises(ReportNotFound):  # commune B cannot even see it
        report_submit(report=report, by=world.leader2)
    with pytest.raises(ReportNotFound):  # a draft stays with its unit until sent
        report_submit(report=report, by=world.supervisor)
    with pytest.raises(Conflict):  # one monthly report per unit and month
        report_draft_create(by=world.leader, unit=world.commune_a, kind=ReportKind.MONTHLY, period_start=MARCH[1])
    report_submit(report=report, by=world.leader)  # the leader may send the secretariat's draft
    with pytest.raises(PermissionDenied):  # once sent the supervisor reads it, still may not correct it
        report_correct(report=report, by=world.supervisor, narrative="x", reason="y")
    assert Report.objects.get(pk=report.pk).submitted_by == world.leader


def test_periods_and_due_dates():
    from datetime import date

    assert period_containing(ReportKind.QUARTERLY, date(2026, 5, 20)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert period_containing(ReportKind.SIX_MONTH, date(2026, 8, 1)) == (date(2026, 7, 1), date(2026, 12, 31))
    assert period_containing(ReportKind.ANNUAL, date(2026, 8, 1)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert due_at(ReportKind.ANNUAL, date(2026, 12, 31)) == at(2027, 1, 15, 0)
    assert due_at(ReportKind.AD_HOC, date(2026, 3, 3), opened_at=at(2026, 3, 3, 8)) == at(2026, 3, 4, 8)
    assert previous_period(ReportKind.MONTHLY, date(2026, 3, 1), date(2026, 3, 31)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert previous_period(ReportKind.AD_HOC, date(2026, 3, 8), date(2026, 3, 10)) == (date(2026, 3, 5), date(2026, 3, 7))


def test_a_rapid_report_names_its_own_days(world, march):
    report = report_draft_create(by=world.leader, unit=world.commune_a, kind=ReportKind.AD_HOC,
                                 period_start=at(2026, 3, 28).date(), period_end=at(2026, 4, 3).date())
    assert report.due_at == at(2026, 4, 5) + timedelta(hours=24)
    with pytest.raises(ValidationError):  # not in the future
        report_draft_create(by=world.leader, unit=world.commune_a, kind=ReportKind.AD_HOC,
                            period_start=at(2026, 4, 1).date(), period_end=at(2026, 4, 9).date())
    again = report_draft_create(by=world.leader, unit=world.commune_a, kind=ReportKind.AD_HOC,
                                period_start=at(2026, 3, 28).date(), period_end=at(2026, 4, 3).date())
    assert again.pk != report.pk  # rapid reports may be many
