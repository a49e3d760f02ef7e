"""What the history and the logs store as codes, each reader sees in their own language: people by name and
unit (never a login), reporters by number, access-log pages by name, numbers with the reader's decimal mark."""

import pytest
from django.conf import settings
from django.utils import translation

from cases.services import case_assign, case_verify, reporter_reveal
from reports.inspection import StepTime

pytestmark = pytest.mark.django_db


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def named(world):
    # As the demo has them: family and middle names first, the given name last.
    for user, first, last in ((world.clerk, "Nguyễn Thị", "Nhận"), (world.leader, "Phạm Văn", "Lãnh"),
                              (world.handler, "Trần Văn", "Xử")):
        user.first_name, user.last_name = first, last
        user.save()
    return world


def test_the_history_names_people_with_their_unit_never_their_login(named, new_case, as_user):
    case = new_case("Cống thoát nước bị tắc")
    case_verify(case=case, by=named.clerk)
    case_assign(case=case, by=named.leader, unit=named.commune_a, assignee=named.handler)

    page = as_user("leader").get(f"/cases/{case.code}/").content.decode()
    history = page[page.index('id="history"'):] if 'id="history"' in page else page
    assert "Nguyễn Thị Nhận · Đảng ủy xã A" in history and "Trần Văn Xử · Đảng ủy xã A" in history
    for login in ("(clerk)", "(leader)", "(handler)", ": handler<", ">handler<"):
        assert login not in history, login


def test_a_reveal_names_the_reporter_in_the_readers_language(named, new_case, as_user):
    case = new_case("Rác tồn đọng")
    with translation.override("en"):  # the clerk works in English; the history keeps a number, not their words
        reporter_reveal(case=case, by=named.clerk, reason="Gọi lại báo kết quả")
    assert case.events.get(action="reveal_reporter").data["reporters"] == [1]

    vietnamese = as_user("clerk").get(f"/cases/{case.code}/audit/").content.decode()
    english = in_english(as_user("clerk")).get(f"/cases/{case.code}/audit/").content.decode()
    assert "Người phản ánh #1" in vietnamese and "Reporter #1" not in vietnamese
    assert "Reporter #1" in english and "Người phản ánh #1" not in english


def test_averages_use_the_readers_decimal_mark():
    step = StepTime(status="received", label="Tiếp nhận", count=3, average_seconds=0.7 * 3600)
    with translation.override("vi"):
        assert step.average_text == "0,7 giờ"
    with translation.override("en"):
        assert step.average_text == "0.7 hours"


def test_a_sent_report_reads_in_english_for_an_english_reader(world, new_case, as_user):
    from datetime import date

    from reports.services import report_draft_create, report_submit
    new_case("Rác tồn đọng")
    with translation.override("vi"):  # made and sent by someone working in Vietnamese: frozen figures, its title
        report = report_draft_create(by=world.secretariat, unit=world.commune_a, kind="monthly",
                                     period_start=date.today().replace(day=1))
        report_submit(report=report, by=world.secretariat)
    month = date.today().strftime("%m/%Y")
    assert report.title == f"Báo cáo tháng {month} — Đảng ủy xã A"

    english = in_english(as_user("secretariat")).get(f"/reports/{report.pk}/").content.decode()
    assert f"Monthly report {month} — Đảng ủy xã A" in english
    assert "Intake<" in english and "Tiếp nhận<" not in english  # the frozen status rows, by their codes
    vietnamese = as_user("secretariat").get(f"/reports/{report.pk}/").content.decode()
    assert f"Báo cáo tháng {month} — Đảng ủy xã A" in vietnamese and "Tiếp nhận<" in vietnamese
