"""The survey screens in Chromium: the shared table of show/skip conditions run by the form's own JavaScript,
the conditions live on the questionnaire, and the plan and questionnaire pages and the residents' online form
at 390 px and 1366 px (no sideways scroll, 44 px targets on a phone, no WCAG 2.1 AA violation). Screenshots for docs/surveys.md."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from django.contrib.auth import get_user_model

from surveys.demo import TOPIC as DEMO_TOPIC
from surveys.models import SurveyAnswer, SurveyPlan
from surveys.selectors import quota_progress
from surveys.services import invitation_codes_issue
from tests.surveys.relevant_generated import generated_cases
from tests.surveys.test_relevant import outcome as python_outcome

from .browser_kit import DESKTOP, PHONE, Screens, screen_problems

CASES = json.loads((Path(__file__).parents[1] / "surveys" / "relevant_cases.json").read_text(encoding="utf-8"))["cases"]

RUN_TABLE = """(cases) => cases.map((c) => {
  try { return {shown: window.DlxhRelevant.evaluate(c.expr, c.answers)}; }
  catch (e) { if (e instanceof window.DlxhRelevant.RelevantError) return {error: true}; throw e; }
})"""


@pytest.mark.django_db(transaction=True)
def test_survey_screens_and_the_shared_conditions_in_the_browser(browser, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    plan = SurveyPlan.objects.get(topic=DEMO_TOPIC)  # the demo's collecting survey (the other one is closed)
    secretariat = get_user_model().objects.get(username="secretariat")
    sessions, problems = {}, []
    for viewport, prefix in ((DESKTOP, ""), (PHONE, "phone-")):
        screens = Screens(browser, live_server.url, viewport=viewport, sessions=sessions)
        page = screens.person("secretariat")
        page.goto(f"{live_server.url}/surveys/{plan.pk}/")
        assert page.get_by_test_id("plan-status").inner_text() == "Đã phê duyệt"
        problems += screen_problems(page, phone=viewport is PHONE)
        screens.shot(page, f"{prefix}survey-plan")
        page.goto(f"{live_server.url}/surveys/{plan.pk}/questionnaires/1/")
        page.wait_for_function("() => window.DlxhRelevant !== undefined")
        if viewport is DESKTOP:
            results = page.evaluate(RUN_TABLE, CASES)
            expected = [{"error": True} if c.get("error") else {"shown": c["shown"]} for c in CASES]
            assert [(c["expr"], got) for c, got in zip(CASES, results)] == [
                (c["expr"], want) for c, want in zip(CASES, expected)]
            # Beyond the table: seeded random conditions and answers, the browser against Python.
            generated = generated_cases()
            in_browser = page.evaluate(RUN_TABLE, generated)
            in_python = [python_outcome(c["expr"], c["answers"]) for c in generated]
            assert [(c["expr"], c["answers"], got) for c, got in zip(generated, in_browser)] == [
                (c["expr"], c["answers"], want) for c, want in zip(generated, in_python)]
        problem_question = page.locator(".question[data-name=van_de]")
        assert problem_question.is_hidden()
        page.locator("input[name=dung_nuoc_may][value=yes]").check()
        page.locator("input[name=hai_long][value='1']").check()
        assert problem_question.is_visible()
        problems += screen_problems(page, phone=viewport is PHONE)
        screens.shot(page, f"{prefix}survey-questionnaire")
        page.context.close()

        # A resident on the online form, no login: the code, the questions as conditions allow, thanks.
        code = invitation_codes_issue(plan=plan, by=secretariat, count=1)[0]
        page = screens.person(None)
        page.goto(f"{live_server.url}/khao-sat/{plan.pk}/")
        problems += screen_problems(page, phone=viewport is PHONE)
        page.fill("#id_code", code)
        page.get_by_role("button", name="Bắt đầu trả lời").click()
        page.locator("input[name=locality][value=DM-ANBINH-T01]").check()
        page.locator("input[name=sex][value=female]").check()
        page.locator("input[name=nhom_tuoi][value='35-59']").check()
        page.locator("input[name=dung_nuoc_may][value=yes]").check()
        page.locator("input[name=hai_long][value='2']").check()
        page.locator("input[name=van_de][value=mat_nuoc]").check()
        page.locator("input[name=so_ngay_mat_nuoc]").fill("3")
        for row in ("khau_lap_dat", "khau_hoa_don", "khau_su_co"):
            page.locator(f"input[name={row}][value='3']").check()
        problems += screen_problems(page, phone=viewport is PHONE)
        screens.shot(page, f"{prefix}survey-online-form")
        page.get_by_role("button", name="Gửi câu trả lời").click()
        assert "Cảm ơn ông/bà đã trả lời!" in page.get_by_test_id("public-done").inner_text()
        page.context.close()
    answers = list(SurveyAnswer.objects.filter(plan=plan).values_list("data", flat=True))
    assert len(answers) == 2 and all(a["so_ngay_mat_nuoc"] == 3 and a["van_de"] == ["mat_nuoc"] for a in answers)
    progress = {frozenset(row["quota"].stratum.items()): row["answers"] for row in quota_progress(plan=plan)}
    assert progress[frozenset({("locality", "DM-ANBINH-T01"), ("sex", "female")})] == 2
    assert sum(progress.values()) == 2
    assert problems == []
