"""A survey from plan to frozen questionnaire through the real URLs and the API, as the named demo users;
scope answers 404; refusals come before validation."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from surveys.demo import TOPIC as DEMO_TOPIC
from surveys.models import PlanStatus, QuestionnaireStatus, SurveyPlan
from tests.api.conftest import person_token

from .conftest import CONTENT

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def web(username) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(get_user_model().objects.get(username=username))
    return client


def api(username) -> Client:
    user = get_user_model().objects.get(username=username)
    return Client(HTTP_AUTHORIZATION=f"Token {person_token(user)}", HTTP_ACCEPT_LANGUAGE="vi")


PLAN_FORM = {
    "unit": "DM-ANBINH", "topic": "Ý kiến người dân về chuyển đổi số ở xã", "purpose": "Nắm dư luận.",
    "period_start": "01/12/2026", "period_end": "26/02/2027", "method": "face_to_face", "target_size": "300",
    "localities": ["DM-ANBINH-T01", "DM-ANBINH-T02"], "strata_variables": ["sex"],
    "quotas": "sex=male: 150\nsex=female: 150",
    "margins": "sex=male: 2480\nsex=female: 2615", "budget_lines": "In phiếu: 900.000\nBồi dưỡng: 3000000",
    "step_design": "10/12/2026",
}


def test_plan_to_frozen_questionnaire_through_the_screens(demo):
    secretariat = web("secretariat")
    assert "Điều tra dư luận" in secretariat.get("/surveys/").content.decode()
    response = secretariat.post("/surveys/new/", PLAN_FORM)
    plan = SurveyPlan.objects.get(topic=PLAN_FORM["topic"])
    assert response.status_code == 302 and response["Location"] == f"/surveys/{plan.pk}/"
    page = secretariat.get(f"/surveys/{plan.pk}/").content.decode()
    assert "Dự thảo" in page and "Tổng: 3.900.000 đồng" in page and "Phê duyệt kế hoạch" not in page
    assert plan.margins() == {"sex": {"male": 2480, "female": 2615}}

    # Only a leader of commune A approves; another commune's leader does not even find it.
    assert web("leader2").post(f"/surveys/{plan.pk}/approve/").status_code == 404
    assert web("leader2").get(f"/surveys/{plan.pk}/").status_code == 404
    leader = web("leader")
    assert "Phê duyệt kế hoạch" in leader.get(f"/surveys/{plan.pk}/").content.decode()
    leader.post(f"/surveys/{plan.pk}/approve/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_by.username == "leader"

    secretariat.post(f"/surveys/{plan.pk}/questionnaires/new/")
    saved = secretariat.post(f"/surveys/{plan.pk}/questionnaires/1/", {
        "title": "Phiếu hỏi chuyển đổi số", "content": json.dumps(CONTENT, ensure_ascii=False)}, follow=True)
    assert "Đã lưu phiếu hỏi." in saved.content.decode()
    page = secretariat.get(f"/surveys/{plan.pk}/questionnaires/1/").content.decode()
    assert 'data-relevant="${hai_long} &lt;= 2"' in page and "Thang Likert" in page
    printed = secretariat.get(f"/surveys/{plan.pk}/questionnaires/1/print/").content.decode()
    assert "print.css" in printed and "Đánh giá các khâu" in printed and "Chỉ hỏi khi:" in printed
    pdf = secretariat.get(f"/surveys/{plan.pk}/questionnaires/1/print.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    secretariat.post(f"/surveys/{plan.pk}/questionnaires/1/freeze/")
    version = plan.questionnaires.get(number=1)
    assert version.status == QuestionnaireStatus.FROZEN
    refused = secretariat.post(f"/surveys/{plan.pk}/questionnaires/1/", {"title": "Sửa", "content": "{}"}, follow=True)
    assert "đã khóa khi bắt đầu thu thập" in refused.content.decode()
    version.refresh_from_db()
    assert version.title == "Phiếu hỏi chuyển đổi số"

    # The XLSForm the page gives goes back in as the next version: the same questionnaire.
    exported = secretariat.get(f"/surveys/{plan.pk}/questionnaires/1/xlsform.xlsx")
    upload = io.BytesIO(exported.content)
    upload.name = "phieu.xlsx"
    secretariat.post(f"/surveys/{plan.pk}/questionnaires/import/", {"file": upload})
    assert plan.questionnaires.get(number=2).content == version.content


def test_scope_on_the_screens(demo):
    plan = SurveyPlan.objects.get(topic=DEMO_TOPIC)  # the demo's, of commune A, with dtv assigned
    assert web("supervisor").get(f"/surveys/{plan.pk}/").status_code == 200
    assert web("dtv").get(f"/surveys/{plan.pk}/").status_code == 200
    assert plan.topic in web("dtv").get("/surveys/").content.decode()
    for outsider in ("leader2", "clerk2"):
        assert web(outsider).get(f"/surveys/{plan.pk}/").status_code == 404
        assert web(outsider).get(f"/surveys/{plan.pk}/questionnaires/1/xlsform.xlsx").status_code == 404
        assert web(outsider).post(f"/surveys/{plan.pk}/questionnaires/new/").status_code == 404
    assert web("clerk").get("/surveys/").status_code == 403
    # The interviewer reads, but writes nothing.
    dtv = web("dtv")
    assert dtv.post(f"/surveys/{plan.pk}/questionnaires/new/", follow=True).status_code == 200
    assert plan.questionnaires.count() == 1
    assert dtv.post("/surveys/new/", PLAN_FORM).status_code == 403


def test_plan_to_frozen_questionnaire_through_the_api(demo):
    body = {"topic": "Dư luận về an ninh trật tự", "period_start": "2026-12-01", "period_end": "2027-03-31",
            "method": "online", "target_size": 500, "strata_variables": ["sex"],
            "quotas": [{"stratum": {"sex": "male"}, "target": 250}],
            "margins": [{"variable": "sex", "category": "female", "population": 5300}],
            "budget_lines": [{"item": "Máy chủ khảo sát", "amount": 1_000_000}],
            "step_deadlines": {"publication": "2027-03-31"}}
    assert api("clerk").post("/api/v1/surveys/plans/", {"topic": ""}, content_type="application/json").status_code == 403
    assert api("leader2").post("/api/v1/surveys/plans/", {**body, "unit": "DM-ANBINH"},
                               content_type="application/json").status_code == 403
    bad = api("secretariat").post("/api/v1/surveys/plans/", {**body, "target_size": 0}, content_type="application/json")
    assert bad.status_code == 400 and "target_size" in bad.json()["errors"]
    created = api("secretariat").post("/api/v1/surveys/plans/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["unit"] == "DM-ANBINH" and plan["status"] == "draft" and len(plan["steps"]) == 7
    assert plan["margins"] == [{"variable": "sex", "category": "female", "population": 5300}]
    url = f"/api/v1/surveys/plans/{plan['id']}/"
    assert api("leader2").get(url).status_code == 404
    assert api("supervisor").get(url).status_code == 200
    assert api("secretariat").post(f"{url}approve/").status_code == 403
    assert api("leader").post(f"{url}approve/").json()["status"] == "approved"
    assert api("leader").put(url, body, content_type="application/json").status_code == 409

    drafted = api("secretariat").post(f"{url}questionnaires/", {"title": "Phiếu", "content": CONTENT},
                                      content_type="application/json")
    assert drafted.status_code == 201 and drafted.json()["questions"] == 9
    broken = api("secretariat").put(f"{url}questionnaires/1/", {"content": {"items": [{"type": "text"}]}},
                                    content_type="application/json")
    assert broken.status_code == 400 and "content" in broken.json()["errors"]
    assert api("secretariat").post(f"{url}questionnaires/1/freeze/").json()["status"] == "frozen"
    frozen = api("secretariat").put(f"{url}questionnaires/1/", {"title": "Sửa"}, content_type="application/json")
    assert frozen.status_code == 409 and "phiên bản mới" in frozen.json()["detail"]
    assert [v["number"] for v in api("supervisor").get(f"{url}questionnaires/").json()] == [1]
    assert api("dtv").get(url).status_code == 404  # not assigned to this one


def test_the_endpoints_are_in_the_schema(demo):
    schema = web("leader").get("/api/v1/schema/?format=json").json()
    for path in ("/api/v1/surveys/plans/", "/api/v1/surveys/plans/{id}/approve/",
                 "/api/v1/surveys/plans/{id}/questionnaires/{number}/freeze/", "/api/v1/surveys/plans/{id}/answers/",
                 "/api/v1/surveys/plans/{id}/close/", "/api/v1/surveys/plans/{id}/answers/{answer_id}/corrections/"):
        assert path in schema["paths"]


def test_demo_survey_collected_then_closed_as_the_demo_users(demo):
    plan = SurveyPlan.objects.get(topic=DEMO_TOPIC)
    answer = {"answers": {"locality": "DM-ANBINH-T01", "sex": "male", "nhom_tuoi": "35-59", "dung_nuoc_may": "no"}}
    sent = api("dtv").post(f"/api/v1/surveys/plans/{plan.pk}/answers/", answer, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="dtv-demo-1")
    assert sent.status_code == 201 and sent.json()["channel"] == "interview"
    assert "Kết thúc thu thập" not in web("dtv").get(f"/surveys/{plan.pk}/").content.decode()  # not the interviewer's
    closed = web("secretariat").post(f"/surveys/{plan.pk}/close/", follow=True).content.decode()
    assert "Đã kết thúc thu thập; không nhận phiếu trả lời mới." in closed and 'data-testid="collection-closed"' in closed
    assert "Phiếu nhận muộn: 0." in closed
    refused = api("dtv").post(f"/api/v1/surveys/plans/{plan.pk}/answers/", answer, content_type="application/json")
    assert refused.status_code == 409 and "đã kết thúc thu thập" in refused.json()["detail"]
    assert "đã kết thúc thu thập" in Client(HTTP_ACCEPT_LANGUAGE="vi").get(f"/khao-sat/{plan.pk}/").content.decode()
    listed = api("secretariat").get(f"/api/v1/surveys/plans/{plan.pk}/answers/").json()
    assert [row["data"]["locality"] for row in listed] == ["DM-ANBINH-T01"]
