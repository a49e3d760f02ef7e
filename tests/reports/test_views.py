"""The report actions on the screens: done, or refused in the service's own words back on the
report's page; a report out of reach is a 404, like a missing one."""

import pytest

from reports.models import ReportKind
from reports.services import report_draft_create, report_submit

from .conftest import at


@pytest.fixture
def sent(world, life):
    life.resolved(at(2026, 3, 2), days=3)
    life.tm.move_to(at(2026, 4, 3), tick=False)
    report = report_draft_create(by=world.secretariat, unit=world.commune_a, kind=ReportKind.MONTHLY,
                                 period_start=at(2026, 3, 1).date(), narrative="Bản đã gửi")
    return report_submit(report=report, by=world.secretariat)


def _shown(response) -> str:
    return response.content.decode()


def test_a_refused_report_action_comes_back_to_the_report_with_the_reason(sent, as_user):
    page = f"/reports/{sent.pk}/"
    client = as_user("secretariat")

    saved = client.post(f"{page}save/", {"narrative": "Sửa sau khi gửi"}, follow=True)
    assert saved.redirect_chain == [(page, 302)]
    assert "Báo cáo đã gửi; muốn sửa phải lập bản đính chính." in _shown(saved)
    assert "Đã lưu dự thảo." not in _shown(saved)
    again = client.post(f"{page}submit/", follow=True)
    assert again.redirect_chain == [(page, 302)] and "Báo cáo này đã được gửi." in _shown(again)
    unchanged = client.post(f"{page}correct/", {"narrative": sent.narrative, "reason": "Không có gì"}, follow=True)
    assert unchanged.redirect_chain == [(page, 302)]
    assert "Không có thay đổi nào so với phiên bản đang có." in _shown(unchanged)
    # The supervisor reads the sent report, but may not correct it.
    refused = as_user("supervisor").post(f"{page}correct/", {"narrative": "Khác", "reason": "Thử"}, follow=True)
    assert "Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới sửa, gửi báo cáo." in _shown(refused)
    for path in ("save/", "submit/", "correct/"):
        assert as_user("leader2").post(f"{page}{path}", {"narrative": "Khác", "reason": "Thử"}).status_code == 404

    sent.refresh_from_db()
    assert (sent.version, sent.narrative, sent.versions.count()) == (1, "Bản đã gửi", 1)


def test_a_correction_through_the_screen_opens_its_new_version(sent, as_user):
    client = as_user("secretariat")
    response = client.post(f"/reports/{sent.pk}/correct/", {"narrative": "Bản đính chính", "reason": "Bổ sung"})
    assert response.status_code == 302 and response["Location"] == f"/reports/{sent.pk}/?v=2"
    assert "Đã lập bản đính chính (phiên bản 2)." in _shown(client.get(response["Location"]))
    sent.refresh_from_db()
    assert (sent.version, sent.narrative) == (2, "Bản đính chính")


def test_a_version_not_there_is_not_found_on_the_page_and_in_the_export(sent, as_user):
    client = as_user("secretariat")
    for path in (f"/reports/{sent.pk}/", f"/reports/{sent.pk}/export.csv"):
        assert client.get(f"{path}?v=1").status_code == 200, path
        assert client.get(f"{path}?v=2").status_code == 404, path
        assert as_user("leader2").get(f"{path}?v=1").status_code == 404, path
    newest = client.get(f"/reports/{sent.pk}/export.csv?v=abc")  # not a number: the newest version
    assert newest["Content-Disposition"] == f'attachment; filename="bao-cao-{sent.pk}-v1.csv"'
