"""An interviewer's answers from a device that may be offline: each device key filed once, with the time the
device says it was collected; only interviewers assigned to the plan; checked by the form's rules."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import AnswerChannel, SurveyAnswer
from surveys.services import assignment_add, plan_approve, questionnaire_draft, questionnaire_freeze

from .conftest import CONTENT

pytestmark = pytest.mark.django_db

GOOD = {"sex": "female", "tuoi": "34", "hai_long": "1", "van_de": ["mui", "duc"], "dg_tiep_nhan": "2",
        "dg_xu_ly": "3", "chi_phi": "120.5", "ngay": "2026-12-03", "mo_ta": "Nước có mùi clo."}
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def collecting(world, make_plan, interviewer):
    plan = plan_approve(plan=make_plan(), by=world.leader)
    questionnaire_freeze(version=questionnaire_draft(plan=plan, by=world.secretariat, content=CONTENT),
                         by=world.secretariat)
    assignment_add(plan=plan, by=world.secretariat, user=interviewer, target=20)
    return plan


def _post(client, plan, key, collected_at=None, **answers):
    moment = collected_at or (timezone.now() - timedelta(hours=2)).isoformat()
    return client.post(f"/surveys/{plan.pk}/interview/", {**GOOD, **answers, "idempotency_key": str(key),
                                                          "collected_at": moment}, **JSON)


def test_each_device_key_is_stored_once_with_its_collection_time(collecting, as_user):
    phone = as_user("dtv")
    page = phone.get(f"/surveys/{collecting.pk}/interview/")
    assert page.status_code == 200 and 'data-offline="survey-interview"' in page.content.decode()
    assert "Không ghi họ tên, số điện thoại hay địa chỉ" in page.content.decode()
    key = uuid.uuid4()
    collected = timezone.now().replace(microsecond=0) - timedelta(days=1, hours=3)
    first = _post(phone, collecting, key, collected.isoformat())
    assert first.status_code == 201 and first.json()["created"] is True
    again = _post(phone, collecting, key, sex="male")  # the device sent it again: nothing more, nothing changed
    assert again.status_code == 200 and again.json() == {"answer": first.json()["answer"], "created": False}
    answer = SurveyAnswer.objects.get()
    assert (answer.channel, answer.idempotency_key, answer.collected_at) == (AnswerChannel.INTERVIEW, key, collected)
    assert answer.data["sex"] == "female" and answer.stratum == {"sex": "female"}
    assert _post(phone, collecting, uuid.uuid4()).status_code == 201
    assert SurveyAnswer.objects.count() == 2


def test_wrong_answers_and_times_are_refused_and_nothing_is_stored(collecting, as_user):
    phone = as_user("dtv")
    missing = _post(phone, collecting, uuid.uuid4(), sex="", tuoi="ba mươi")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"sex": ["Câu này cần trả lời."], "tuoi": ["Cần một số nguyên."]}
    future = _post(phone, collecting, uuid.uuid4(), (timezone.now() + timedelta(days=1)).isoformat())
    assert future.status_code == 400
    assert future.json()["errors"] == {"collected_at": ["Thời điểm thu thập không thể sau thời điểm hiện tại."]}
    no_key = _post(phone, collecting, "")
    assert no_key.status_code == 400 and "idempotency_key" in no_key.json()["errors"]
    assert not SurveyAnswer.objects.exists()


def test_only_interviewers_assigned_to_the_plan(world, collecting, make_plan, as_user):
    # The plan's own secretariat reads it but does not interview: not found, like the interviewer on another plan.
    assert as_user("secretariat").get(f"/surveys/{collecting.pk}/interview/").status_code == 404
    assert _post(as_user("secretariat"), collecting, uuid.uuid4()).status_code == 404
    other = plan_approve(plan=make_plan(topic="Ý kiến về chợ mới"), by=world.leader)
    assert _post(as_user("dtv"), other, uuid.uuid4()).status_code == 404
    assert not SurveyAnswer.objects.exists()
    plan_page = as_user("dtv").get(f"/surveys/{collecting.pk}/").content.decode()
    assert f'href="/surveys/{collecting.pk}/interview/"' in plan_page


def test_an_answer_collected_offline_before_closing_arrives_late_and_is_marked(collecting, as_user, world):
    """The offline form files through the same door as the API and OpenRosa: the 7-day late window holds."""
    import time_machine

    from surveys.services import plan_close

    start = timezone.now().replace(microsecond=0)
    before = (start - timedelta(hours=3)).isoformat()
    with time_machine.travel(start, tick=False):
        plan_close(plan=collecting, by=world.secretariat)
    with time_machine.travel(start + timedelta(days=2), tick=False):
        phone = as_user("dtv")  # signed in then (a session does not last two days)
        late = _post(phone, collecting, uuid.uuid4(), before)
        assert late.status_code == 201
        refused = _post(phone, collecting, uuid.uuid4(), (start + timedelta(hours=1)).isoformat())
        assert refused.status_code == 409 and "đã kết thúc thu thập" in refused.json()["detail"]
    answer = SurveyAnswer.objects.get(plan=collecting)
    assert (answer.late, answer.channel) == (True, AnswerChannel.INTERVIEW)
