"""Item 9: the demo's earlier clean-water wave of commune A, cleaned, coded, weighted, analysed and
published to the tier above, where the province's leader finds it; the collecting wave compares with it
through the question bank."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from surveys.demo import TOPIC
from surveys.demo_results import BANK, DUPLICATES, RESULTS_TITLE, WAVE_ANSWERS, WAVE_TOPIC
from surveys.models import AnswerCode, AnswerFlag, CleaningDecision, SurveyPlan, SurveyResults, WeightingRun

pytestmark = pytest.mark.django_db


def _web(username) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_the_demo_wave_goes_from_answers_to_results_published_to_the_province():
    call_command("seed_demo", verbosity=0)
    plan = SurveyPlan.objects.get(topic=WAVE_TOPIC)
    assert plan.unit.code == "DM-ANBINH" and plan.answers.count() == WAVE_ANSWERS
    # Cleaning: every flagged answer has a decision with its reason; the planted copies are excluded.
    flagged = set(AnswerFlag.objects.filter(answer__plan=plan).values_list("answer_id", flat=True))
    decided = set(CleaningDecision.objects.filter(answer__plan=plan).values_list("answer_id", flat=True))
    assert flagged and flagged == decided
    copies = list(plan.answers.order_by("-pk").values_list("pk", flat=True)[:DUPLICATES])
    assert set(CleaningDecision.objects.filter(answer_id__in=copies).values_list("decision", flat=True)) == {"exclude"}
    assert AnswerCode.objects.filter(answer__plan=plan).exists()
    # Weighted to the margins and published to the tier above, its small cells hidden.
    run = WeightingRun.objects.filter(plan=plan).first()
    assert run.converged and run.design_effect >= 1
    results = SurveyResults.objects.get(plan=plan)
    assert (results.title, results.status, results.scope) == (RESULTS_TITLE, "published", "parent")
    assert results.weighting_id == run.pk and results.published_by.username == "leader"
    shown = [cell["n"] for table in results.tables if table["kind"] == "crosstab" for row in table["cells"]
             for cell in row if not cell["suppressed"]]
    shown += [row["n"] for table in results.tables if table["kind"] == "frequency" for row in table["rows"]
              if not row["suppressed"]]
    assert shown and all(n == 0 or n >= 5 for n in shown)
    # The province's leader reads it and finds it in the data system; the other commune's leader does not.
    province = _web("leader_province")
    assert province.get(f"/surveys/results/{results.pk}/").status_code == 200
    found = province.get("/surveys/data-system/", {"question": "hài lòng", "locality": "DM-ANBINH"}).content.decode()
    assert WAVE_TOPIC in found and RESULTS_TITLE in found
    assert _web("leader2").get(f"/surveys/results/{results.pk}/").status_code == 404
    # The collecting wave names the same bank questions, and its analysis shows the earlier published figures.
    collecting = SurveyPlan.objects.get(topic=TOPIC)
    content = collecting.questionnaires.get().content
    banked = {item["name"]: item.get("bank") for section in content["items"] for item in section.get("items", [section])}
    assert all(banked[name] == code for name, code in BANK.items())
    # A second seeding adds nothing.
    call_command("seed_demo", verbosity=0)
    assert SurveyResults.objects.filter(plan__topic=WAVE_TOPIC).count() == 1
