"""A collaborator on a phone (390 px, Debian's Chromium): the note screen, then three notes filed without a
signal (the offline module keeps them on the device), sent once each when the signal is back. Screenshots for
docs/collaborators.md: docs/screenshots/collaborators-*.png."""

import re

import pytest
from django.core.management import call_command

from collaborators.models import OpinionNote

from .browser_kit import DESKTOP, PASSWORD, PHONE, Screens, screen_problems

SUBJECT = "Tin đồn thu hồi đất làm khu công nghiệp"


def _login(screens, username, landing):
    page = screens.person()
    page.goto(screens.base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(landing))
    return page


@pytest.mark.django_db(transaction=True)
def test_three_notes_filed_offline_are_stored_once_each(live_server, browser):
    call_command("seed_demo", verbosity=0)
    screens = Screens(browser, live_server.url, viewport=PHONE)
    page = _login(screens, "ctv", r".*/collaborators/notes/$")
    assert "Không ghi họ tên, số điện thoại" in page.inner_text("[data-testid=no-pii]")
    assert screen_problems(page, phone=True) == []
    screens.shot(page, "collaborators-notes-phone")
    # The installable app: the manifest is linked and the service worker registers (it keeps the screen offline).
    assert page.locator("link[rel=manifest]").count() == 1
    assert page.evaluate("navigator.serviceWorker.ready.then((registration) => registration.active !== null)")
    before = OpinionNote.objects.count()

    page.context.set_offline(True)
    for number in range(1, 4):
        page.select_option("#id_subject", label=SUBJECT)
        page.check("input[name=attitude][value=concerned]")
        page.fill("#id_summary", f"Ghi nhận số {number}: người dân hỏi về quy hoạch khu công nghiệp.")
        page.click(".note-card button[type=submit]")
        page.wait_for_selector(f"html[data-offline-pending='{number}']", state="attached")
    assert OpinionNote.objects.count() == before  # nothing reached the server
    assert "chờ gửi" in page.inner_text("[data-offline-status]")
    screens.shot(page, "collaborators-offline-phone")

    page.context.set_offline(False)
    page.wait_for_selector("html[data-offline-pending='0']", state="attached")
    filed = OpinionNote.objects.filter(summary__startswith="Ghi nhận số")
    assert sorted(filed.values_list("summary", flat=True)) == [
        f"Ghi nhận số {n}: người dân hỏi về quy hoạch khu công nghiệp." for n in (1, 2, 3)]
    assert len(set(filed.values_list("idempotency_key", flat=True))) == 3
    # Opening the screen again (the module flushes on every load) sends nothing a second time.
    page.reload()
    page.evaluate("window.dlxhOffline.flush()")
    assert OpinionNote.objects.count() == before + 3

    # Online, a note naming a resident is refused with the reason, and its text comes back to be corrected.
    page.select_option("#id_subject", label=SUBJECT)
    page.check("input[name=attitude][value=indignant]")
    page.fill("#id_summary", "Ông Năm, số 0912 345 678, nói sắp thu hồi đất.")
    page.click(".note-card button[type=submit]")
    page.wait_for_selector("[data-offline-status]:has-text('Phiếu bị từ chối')")
    assert "số điện thoại (0912…78)" in page.inner_text("[data-offline-status]")
    assert page.input_value("#id_summary") == "Ông Năm, số 0912 345 678, nói sắp thu hồi đất."
    assert page.is_checked("input[name=attitude][value=indignant]")
    assert OpinionNote.objects.count() == before + 3
    page.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_leaders_screens(live_server, browser):
    call_command("seed_demo", verbosity=0)
    screens = Screens(browser, live_server.url, viewport=DESKTOP)
    page = _login(screens, "leader", r".*/cases/.*")
    page.click("text=Cộng tác viên")
    page.click(f"text={SUBJECT}")
    assert page.locator("[data-testid=picture] svg.small-multiple").count() >= 1
    assert screen_problems(page, phone=False) == []
    screens.shot(page, "collaborators-picture")
    page.goto(live_server.url + "/collaborators/network/DM-ANBINH/")
    assert "Thôn Đoài" in page.inner_text("[data-testid=uncovered]")
    assert screen_problems(page, phone=False) == []
    screens.shot(page, "collaborators-network")
    page.context.close()
