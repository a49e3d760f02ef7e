"""A clerk keys a paper form with the keyboard only (Debian's Chromium, 1366 px): the form number is focused
first, Tab moves from question to question, Space and the arrow keys choose, Ctrl+Enter saves, and the number
field is focused again for the next form. Screenshot for docs/surveys.md: docs/screenshots/survey-paper-entry.png."""

import io

import pytest
from django.core.management import call_command

from surveys.demo import TOPIC as DEMO_TOPIC
from surveys.models import AnswerChannel, PaperEntry, SurveyAnswer, SurveyPlan

from .browser_kit import DESKTOP, Screens, screen_problems


@pytest.mark.django_db(transaction=True)
def test_a_paper_form_keyed_without_a_mouse(live_server, browser):
    call_command("seed_demo", stdout=io.StringIO())
    plan = SurveyPlan.objects.get(topic=DEMO_TOPIC)  # the demo's collecting survey (the other one is closed)
    screens = Screens(browser, live_server.url, viewport=DESKTOP)
    page = screens.person("secretariat")
    page.goto(f"{live_server.url}/surveys/{plan.pk}/paper/")
    assert page.evaluate("document.activeElement.name") == "form_number"
    keys = page.keyboard
    keys.type("17")
    keys.press("Tab"); keys.press("Space")                         # locality: Thôn Đông
    keys.press("Tab"); keys.press("ArrowDown")                     # sex: Nam → Nữ
    keys.press("Tab"); keys.press("Space")                         # age group: 18–34
    keys.press("Tab"); keys.press("ArrowDown")                     # tap water: Có → Không (its questions hide)
    keys.press("Tab"); keys.type("Sửa đường ống thôn Đông.")       # wish (open text), the next field shown
    assert screen_problems(page, phone=False) == []
    screens.shot(page, "survey-paper-entry")
    keys.press("Control+Enter")
    page.wait_for_selector("text=Đã nhập phiếu số 17.")
    assert page.evaluate("document.activeElement.name") == "form_number"
    entry = PaperEntry.objects.get()
    assert (entry.form_number, entry.round, entry.entered_by.username) == (17, 1, "secretariat")
    answer = SurveyAnswer.objects.get(plan=plan)
    assert answer.channel == AnswerChannel.PAPER
    assert answer.data == {"locality": "DM-ANBINH-T01", "sex": "female", "nhom_tuoi": "18-34",
                           "dung_nuoc_may": "no", "kien_nghi": "Sửa đường ống thôn Đông."}
    page.context.close()
