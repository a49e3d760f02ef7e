"""The cleaning and coding screens in Chromium at 390 px and 1366 px: no sideways scroll, 44 px targets on a phone,
no WCAG 2.1 AA violation; a decision and a code saved by tapping. Screenshots for docs/surveys.md."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from surveys.demo import TOPIC as DEMO_TOPIC
from surveys.models import AnswerCode, CleaningDecision, SurveyPlan
from surveys.services import answer_collect
from surveys.services.cleaning import answers_check
from surveys.services.coding import code_tag_create

from .browser_kit import DESKTOP, PHONE, Screens, screen_problems

ANSWER = {"locality": "DM-ANBINH-T01", "sex": "female", "nhom_tuoi": "35-59", "dung_nuoc_may": "yes", "hai_long": "2",
          "van_de": ["duc", "mui"], "khau_lap_dat": "3", "khau_hoa_don": "3", "khau_su_co": "3",
          "kien_nghi": "Nước đục vào mùa mưa, đề nghị kiểm tra đường ống ở thôn Đông."}


@pytest.mark.django_db(transaction=True)
def test_cleaning_and_coding_screens_in_the_browser(browser, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    plan = SurveyPlan.objects.get(topic=DEMO_TOPIC)
    secretariat = get_user_model().objects.get(username="secretariat")
    for n in range(3):  # the same answer three times, straight down the matrix
        answer_collect(plan=plan, by=secretariat, raw=ANSWER, duration_seconds=240 + n)
    answer_collect(plan=plan, by=secretariat, raw={
        "locality": "DM-ANBINH-T02", "sex": "male", "nhom_tuoi": "18-34", "dung_nuoc_may": "yes", "hai_long": "4",
        "khau_lap_dat": "4", "khau_hoa_don": "5", "khau_su_co": "2", "kien_nghi": "Giá nước cao quá"},
        duration_seconds=40)
    answer_collect(plan=plan, by=secretariat, raw={
        "locality": "DM-ANBINH-T02", "sex": "female", "nhom_tuoi": "60_plus", "dung_nuoc_may": "yes", "hai_long": "1",
        "van_de": ["mat_nuoc"], "khau_lap_dat": "1", "khau_hoa_don": "2", "khau_su_co": "1",
        "kien_nghi": "Hay mất nước"}, duration_seconds=250)
    answers_check(plan=plan, by=secretariat)
    code_tag_create(plan=plan, question="kien_nghi", by=secretariat, name="nuoc_duc", label="Nước đục",
                    keywords="nuoc duc, cặn")
    code_tag_create(plan=plan, question="kien_nghi", by=secretariat, name="gia", label="Giá cao", keywords="giá")
    sessions, problems = {}, []
    for viewport, prefix in ((DESKTOP, ""), (PHONE, "phone-")):
        screens = Screens(browser, live_server.url, viewport=viewport, sessions=sessions)
        page = screens.person("secretariat")
        page.goto(f"{live_server.url}/surveys/{plan.pk}/cleaning/")
        assert page.get_by_test_id("flagged-answer").count() == 4  # two duplicates, straight lines, one speeder
        page.locator("details summary").first.click()
        problems += screen_problems(page, phone=viewport is PHONE)
        screens.shot(page, f"{prefix}survey-cleaning")
        if viewport is PHONE:
            card = page.get_by_test_id("flagged-answer").first
            card.locator("input[name=decision][value=exclude]").check()
            card.locator("input[name=reason]").fill("Nhập trùng")
            card.get_by_role("button", name="Ghi quyết định").click()
            page.wait_for_url("**#a*")
            assert CleaningDecision.objects.filter(reason="Nhập trùng").count() == 1
            problems += screen_problems(page, phone=True)
        page.goto(f"{live_server.url}/surveys/{plan.pk}/coding/kien_nghi/")
        problems += screen_problems(page, phone=viewport is PHONE)
        screens.shot(page, f"{prefix}survey-coding")
        if viewport is PHONE:
            card = page.get_by_test_id("open-answer").first
            assert card.get_by_test_id("suggested").count() == 1
            card.get_by_role("button", name="Lưu mã của phiếu này").click()
            page.wait_for_url("**#a*")
            assert AnswerCode.objects.filter(answer__plan=plan).count() == 1  # the demo's earlier wave has its own
        page.context.close()
    assert problems == []
