"""The demo's closed survey: about 400 answers over both communes, every stratum reached, the same answers
on every run, and a second seeding adds nothing."""

from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from surveys.demo import CLOSED_ANSWERS, CLOSED_TOPIC, closed_answers_generate
from surveys.models import SurveyAnswer, SurveyPlan
from surveys.selectors import quota_progress

pytestmark = pytest.mark.django_db


def _web(username) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_seed_demo_adds_a_closed_survey_with_its_answers():
    call_command("seed_demo", verbosity=0)
    plan = SurveyPlan.objects.get(topic=CLOSED_TOPIC)
    assert plan.closed_at is not None and plan.unit.code == "DM"
    answers = SurveyAnswer.objects.filter(plan=plan)
    assert answers.count() == CLOSED_ANSWERS
    assert Counter(a["locality"] for a in answers.values_list("stratum", flat=True)).keys() == {"DM-ANBINH",
                                                                                                "DM-BINHMINH"}
    progress = quota_progress(plan=plan)
    assert len(progress) == 12 and all(row["answers"] > 0 for row in progress)
    assert sum(row["answers"] for row in progress) == CLOSED_ANSWERS
    # Uneven on purpose: some strata past their target, some short of it.
    assert any(row["answers"] >= row["quota"].target for row in progress)
    assert any(row["answers"] < row["quota"].target for row in progress)
    assert answers.filter(late=True).count() == 6
    assert all(day > plan.period_end for day in answers.filter(late=True).values_list("received_on", flat=True))
    page = _web("leader_province").get(f"/surveys/{plan.pk}/").content.decode()
    assert "Phiếu nhận muộn: 6." in page and "phiếu trả lời: 400" in page
    call_command("seed_demo", verbosity=0)
    assert SurveyAnswer.objects.filter(plan__topic=CLOSED_TOPIC).count() == CLOSED_ANSWERS


def test_the_demo_answers_are_the_same_every_time():
    assert closed_answers_generate() == closed_answers_generate()
    assert closed_answers_generate() != closed_answers_generate(seed=1)
