"""The answers API (idempotent intake, scoped reads), closing with the 7-day late window for answers
collected offline before it, and recorded corrections after closing; time moved with time-machine."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from surveys.models import AnswerCorrection, SurveyAnswer
from surveys.services import assignment_add, plan_approve, questionnaire_draft, questionnaire_freeze
from tests.api.conftest import person_token

from .conftest import CONTENT

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 12, 10, 9, 0, tzinfo=TZ)
GOOD = {"sex": "female", "tuoi": 34, "hai_long": "4", "dg_tiep_nhan": "2", "dg_xu_ly": "3"}


def api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {person_token(user)}", HTTP_ACCEPT_LANGUAGE="vi")


@pytest.fixture
def collecting(world, make_plan, interviewer):
    plan = plan_approve(plan=make_plan(), by=world.leader)
    questionnaire_freeze(version=questionnaire_draft(plan=plan, by=world.secretariat, content=CONTENT),
                         by=world.secretariat)
    assignment_add(plan=plan, by=world.secretariat, user=interviewer, target=50)
    return plan


def post(client, plan, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(f"/api/v1/surveys/plans/{plan.pk}/answers/", body, content_type="application/json", **headers)


def test_interviewer_sends_once_per_key_and_readers_read(world, collecting, interviewer):
    client = api(interviewer)
    first = post(client, collecting, {"answers": GOOD}, key="dtv-0001")
    assert first.status_code == 201, first.content
    again = post(client, collecting, {"answers": GOOD}, key="dtv-0001")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"] and SurveyAnswer.objects.count() == 1
    answer = SurveyAnswer.objects.get()
    assert answer.channel == "interview" and answer.stratum == {"sex": "female"} and not answer.late
    # The same checks as the online form: every wrong question named, nothing stored.
    wrong = post(client, collecting, {"answers": {"sex": "other", "tuoi": "ba mươi"}}, key="dtv-0002")
    assert wrong.status_code == 400
    problems = " ".join(wrong.json()["errors"]["answers"])
    assert "sex: Lựa chọn không có trong câu hỏi." in problems and "tuoi: Cần một số nguyên." in problems
    assert "dg_xu_ly: Câu này cần trả lời." in problems and SurveyAnswer.objects.count() == 1
    # Reading: the unit's staff and the province's supervisor; not the interviewer (403), not commune B (404).
    listed = api(world.secretariat).get(f"/api/v1/surveys/plans/{collecting.pk}/answers/")
    assert listed.status_code == 200 and listed.json()[0]["data"]["sex"] == "female"
    assert set(listed.json()[0]) == {"id", "questionnaire", "channel", "data", "corrected", "stratum", "received_on",
                                     "late", "corrections"}
    assert api(world.users["supervisor"]).get(f"/api/v1/surveys/plans/{collecting.pk}/answers/").status_code == 200
    assert client.get(f"/api/v1/surveys/plans/{collecting.pk}/answers/").status_code == 403
    assert api(world.users["leader2"]).get(f"/api/v1/surveys/plans/{collecting.pk}/answers/").status_code == 404


def test_who_may_send_is_asked_before_the_body(world, collecting):
    # A supervisor reads the plan but does not collect: 403 even for a body that is not valid.
    refused = post(api(world.users["supervisor"]), collecting, {"answers": "không phải đối tượng"})
    assert refused.status_code == 403
    assert post(api(world.users["leader2"]), collecting, {"answers": GOOD}).status_code == 404
    assert post(api(world.leader), collecting, {"answers": GOOD}).status_code == 201  # the unit's leader collects too


def test_closing_stops_answers_and_the_late_window(world, collecting, interviewer):
    client = api(interviewer)
    with time_machine.travel(START, tick=False):
        closed = api(world.secretariat).post(f"/api/v1/surveys/plans/{collecting.pk}/close/")
        assert closed.status_code == 200 and closed.json()["closed_at"]
        # Online: the form says so; the API: 409 with the message.
        page = Client(HTTP_ACCEPT_LANGUAGE="vi").get(f"/khao-sat/{collecting.pk}/")
        assert "đã kết thúc thu thập lúc 09:00 10/12/2026" in page.content.decode()
        now = post(client, collecting, {"answers": GOOD})
        assert now.status_code == 409 and "đã kết thúc thu thập" in now.json()["detail"]
    before = (START - timedelta(hours=2)).isoformat()
    with time_machine.travel(START + timedelta(days=6), tick=False):
        late = post(client, collecting, {"answers": GOOD, "collected_at": before})
        assert late.status_code == 201 and late.json()["late"] is True
        after_close = post(client, collecting, {"answers": GOOD,
                                                "collected_at": (START + timedelta(hours=1)).isoformat()})
        assert after_close.status_code == 409
    with time_machine.travel(START + timedelta(days=7, minutes=1), tick=False):
        too_late = post(client, collecting, {"answers": GOOD, "collected_at": before})
        assert too_late.status_code == 409 and "quá 7 ngày" in too_late.json()["detail"]
    assert SurveyAnswer.objects.filter(late=True).count() == 1 and SurveyAnswer.objects.count() == 1


def test_corrections_only_after_closing_and_recorded(world, collecting):
    secretariat = api(world.secretariat)
    answer_id = post(secretariat, collecting, {"answers": GOOD}).json()["id"]
    url = f"/api/v1/surveys/plans/{collecting.pk}/answers/{answer_id}/corrections/"
    body = {"changes": {"tuoi": 43}, "reason": "Nhập nhầm tuổi từ phiếu giấy."}
    early = secretariat.post(url, body, content_type="application/json")
    assert early.status_code == 409 and "sau khi kết thúc thu thập" in early.json()["detail"]
    secretariat.post(f"/api/v1/surveys/plans/{collecting.pk}/close/")
    assert secretariat.post(url, {**body, "changes": {"tuoi": "x"}}, content_type="application/json").status_code == 400
    corrected = secretariat.post(url, body, content_type="application/json")
    assert corrected.status_code == 201, corrected.content
    shown = corrected.json()
    assert shown["data"]["tuoi"] == 34 and shown["corrected"]["tuoi"] == 43  # the original stays
    assert shown["corrections"][0]["by"] == "secretariat" and shown["corrections"][0]["reason"] == body["reason"]
    assert AnswerCorrection.objects.count() == 1 and SurveyAnswer.objects.get().data["tuoi"] == 34
    interviewer_try = api(world.users["dtv"]).post(url, body, content_type="application/json")
    assert interviewer_try.status_code == 403
