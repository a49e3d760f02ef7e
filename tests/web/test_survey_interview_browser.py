"""An interviewer on a phone (390 px, Debian's Chromium): the survey's interview form opened with a signal, three
answers entered without one (the offline module keeps them on the device), sent once each when the signal is
back. Screenshot for docs/surveys.md: docs/screenshots/survey-interview-phone.png."""

import io

import pytest
from django.core.management import call_command

from surveys.demo import TOPIC as DEMO_TOPIC
from surveys.models import AnswerChannel, SurveyAnswer, SurveyPlan

from .browser_kit import PHONE, Screens, screen_problems


def _answer(page, sex: str, level: str, wish: str):
    page.locator("input[name=locality][value=DM-ANBINH-T01]").check()
    page.locator(f"input[name=sex][value={sex}]").check()
    page.locator("input[name=nhom_tuoi][value='35-59']").check()
    page.locator("input[name=dung_nuoc_may][value=yes]").check()
    page.locator(f"input[name=hai_long][value='{level}']").check()
    for row in ("khau_lap_dat", "khau_hoa_don", "khau_su_co"):
        page.locator(f"input[name={row}][value='4']").check()
    page.locator("textarea[name=kien_nghi]").fill(wish)


@pytest.mark.django_db(transaction=True)
def test_three_interviews_entered_offline_are_stored_once_each(live_server, browser):
    call_command("seed_demo", stdout=io.StringIO())
    plan = SurveyPlan.objects.get(topic=DEMO_TOPIC)  # the demo's collecting survey (the other one is closed)
    screens = Screens(browser, live_server.url, viewport=PHONE)
    page = screens.person("dtv")
    page.goto(f"{live_server.url}/surveys/{plan.pk}/")
    page.get_by_test_id("interview-link").click()
    page.wait_for_selector("[data-testid=interview-answers]")
    assert page.evaluate("navigator.serviceWorker.ready.then((registration) => registration.active !== null)")
    assert screen_problems(page, phone=True) == []
    screens.shot(page, "survey-interview-phone")

    page.context.set_offline(True)
    wishes = [f"Kiến nghị số {n}: sửa đường ống thôn Đông." for n in (1, 2, 3)]
    for number, wish in enumerate(wishes, start=1):
        _answer(page, "female" if number % 2 else "male", str(number + 2), wish)
        page.get_by_role("button", name="Lưu phiếu").click()
        page.wait_for_selector(f"html[data-offline-pending='{number}']", state="attached")
        # The next interview's start is its own first answer (only the length reaches the server).
        assert page.input_value("input[name=started_at]") == ""
    assert not SurveyAnswer.objects.filter(plan=plan).exists()  # nothing reached the server
    assert "chờ gửi" in page.inner_text("[data-offline-status]")

    page.context.set_offline(False)
    page.wait_for_selector("html[data-offline-pending='0']", state="attached")
    stored = SurveyAnswer.objects.filter(plan=plan)
    assert sorted(a.data["kien_nghi"] for a in stored) == wishes
    assert {a.channel for a in stored} == {AnswerChannel.INTERVIEW}
    assert len({a.idempotency_key for a in stored}) == 3 and all(a.collected_at for a in stored)
    assert all(a.duration_seconds is not None for a in stored)  # timed from the first answer to saving
    # Opening the form again (the module flushes on every load) sends nothing a second time.
    page.reload()
    page.evaluate("window.dlxhOffline.flush()")
    assert SurveyAnswer.objects.filter(plan=plan).count() == 3
    page.context.close()
