"""The start of collection: invitation codes, the answers' checks by the form's rules, one answer per code,
and the online form for residents (no login)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from surveys.answers import answers_clean
from surveys.models import InvitationCode, SurveyAnswer
from surveys.questionnaire import clean_content
from surveys.services import (
    questionnaire_update,
    InvitationInvalid,
    answer_submit_online,
    invitation_codes_issue,
    plan_approve,
    questionnaire_draft,
    questionnaire_freeze,
)

from .conftest import CONTENT

pytestmark = pytest.mark.django_db

GOOD = {"sex": "female", "tuoi": "34", "hai_long": "1", "van_de": ["mui", "duc"], "dg_tiep_nhan": "2",
        "dg_xu_ly": "3", "chi_phi": "120.5", "ngay": "2026-12-03", "mo_ta": "Nước có mùi clo."}


@pytest.fixture
def collecting(world, make_plan, private_cache):
    plan = plan_approve(plan=make_plan(), by=world.leader)
    questionnaire_freeze(version=questionnaire_draft(plan=plan, by=world.secretariat, content=CONTENT),
                         by=world.secretariat)
    return plan


def test_answers_follow_the_forms_rules():
    content = clean_content(CONTENT)
    kept = answers_clean(content=content, raw=GOOD)
    assert kept["tuoi"] == 34 and kept["chi_phi"] == 120.5 and kept["van_de"] == ["duc", "mui"]
    # Satisfied: van_de is not asked, so its answer is dropped; mo_ta is asked only of those 60 and over.
    kept = answers_clean(content=content, raw={**GOOD, "hai_long": "5", "tuoi": "30"})
    assert "van_de" not in kept and "mo_ta" not in kept
    with pytest.raises(ValidationError) as refused:
        answers_clean(content=content, raw={"sex": "other", "tuoi": "ba mươi", "ngay": "2026-02-30"})
    errors = refused.value.message_dict
    assert set(errors) == {"sex", "tuoi", "ngay", "dg_tiep_nhan", "dg_xu_ly"}  # the matrix's rows are required


def test_one_answer_per_code_and_nothing_links_them(world, collecting):
    codes = invitation_codes_issue(plan=collecting, by=world.secretariat, count=3)
    assert len(set(codes)) == 3 and all(len(code) == 9 and code[4] == "-" for code in codes)
    stored = InvitationCode.objects.filter(plan=collecting)
    assert not any(code.replace("-", "") in row.digest for row in stored for code in codes)
    with pytest.raises(ValidationError):
        answer_submit_online(plan=collecting, code=codes[0], raw={"tuoi": "30"})  # incomplete: nothing kept
    assert not SurveyAnswer.objects.exists() and not stored.filter(used=True).exists()
    answer = answer_submit_online(plan=collecting, code=codes[0].lower(), raw=GOOD)
    assert answer.data["sex"] == "female" and answer.channel == "online"
    with pytest.raises(InvitationInvalid):
        answer_submit_online(plan=collecting, code=codes[0], raw=GOOD)
    assert SurveyAnswer.objects.count() == 1 and stored.filter(used=True).count() == 1
    field_names = {field.name for field in SurveyAnswer._meta.get_fields()}
    assert not field_names & {"code", "invitation", "created_at", "name", "phone", "address"}


def test_codes_only_for_an_approved_plan_by_its_unit(world, make_plan):
    from cases.exceptions import PermissionDenied, TransitionNotAllowed

    plan = make_plan()
    with pytest.raises(TransitionNotAllowed):
        invitation_codes_issue(plan=plan, by=world.secretariat, count=5)
    plan_approve(plan=plan, by=world.leader)
    with pytest.raises(PermissionDenied):
        invitation_codes_issue(plan=plan, by=world.leader2, count=0)  # 403 before 400


def test_the_online_form_for_residents(world, collecting, as_user, settings):
    page = as_user("secretariat").post(f"/surveys/{collecting.pk}/invitations/", {"count": "2"})
    codes = re.findall(r'<strong class="code">([A-Z0-9-]+)</strong>', page.content.decode())
    assert len(codes) == 2
    resident = Client(HTTP_ACCEPT_LANGUAGE="vi")
    url = f"/khao-sat/{collecting.pk}/"
    assert "Mã mời" in resident.get(url).content.decode()
    wrong = resident.post(url, {"code": "AAAA-AAAA"})
    assert wrong.status_code == 404 and "Mã mời không đúng hoặc đã được dùng." in wrong.content.decode()
    form = resident.post(url, {"code": codes[0]})
    assert form.status_code == 200 and 'name="sex"' in form.content.decode()
    missing = resident.post(url, {"code": codes[0], "step": "answers", "sex": "female"})
    assert missing.status_code == 400 and "Câu này cần trả lời." in missing.content.decode()
    assert 'value="female" checked' in missing.content.decode()  # what was given stays filled in
    done = resident.post(url, {"code": codes[0], "step": "answers", **GOOD})
    assert done.status_code == 200 and "Cảm ơn ông/bà đã trả lời!" in done.content.decode()
    again = resident.post(url, {"code": codes[0], "step": "answers", **GOOD})
    assert again.status_code == 409 and SurveyAnswer.objects.count() == 1
    settings.SURVEY_CODE_TRIES = 2
    assert resident.post(url, {"code": "BBBB-BBBB"}).status_code == 429  # this address's tries are used up


def test_no_online_form_before_collection(world, make_plan):
    plan = plan_approve(plan=make_plan(), by=world.leader)
    assert Client().get(f"/khao-sat/{plan.pk}/").status_code == 404
    assert Client().get("/khao-sat/999999/").status_code == 404


def test_the_open_link_one_answer_per_browser_and_a_limit_per_address(world, collecting, as_user, settings):
    url = f"/khao-sat/{collecting.pk}/"
    assert 'name="code"' in Client().get(url).content.decode()  # closed: a code is asked
    assert as_user("leader2").post(f"/surveys/{collecting.pk}/open-link/", {"enabled": "1"}).status_code == 404
    as_user("secretariat").post(f"/surveys/{collecting.pk}/open-link/", {"enabled": "1"})
    first = Client(HTTP_ACCEPT_LANGUAGE="vi")
    page = first.get(url).content.decode()
    assert 'name="sex"' in page and 'name="code"' not in page
    assert first.post(url, {"step": "answers", **GOOD}).status_code == 200
    again = first.post(url, {"step": "answers", **GOOD})
    assert again.status_code == 409 and "Trình duyệt này đã gửi câu trả lời" in again.content.decode()
    assert SurveyAnswer.objects.count() == 1
    settings.SURVEY_OPEN_PER_HOUR = 2
    assert Client().post(url, {"step": "answers", **GOOD}).status_code == 200  # another browser, same address
    assert Client().post(url, {"step": "answers", **GOOD}).status_code == 429
    assert SurveyAnswer.objects.count() == 2
    as_user("secretariat").post(f"/surveys/{collecting.pk}/open-link/", {"enabled": "0"})
    assert 'name="code"' in Client().get(url).content.decode()


def test_freezing_needs_the_strata_questions_and_answers_count_into_quotas(world, make_plan, as_user):
    from cases.exceptions import TransitionNotAllowed

    plan = plan_approve(plan=make_plan(), by=world.leader)  # strata: sex (male, female)
    without = {"form_id": "f", "items": [{"type": "select_one", "name": "sex", "label": "Giới tính", "list_name": "s",
                                          "choices": [{"name": "male", "label": "Nam"}]}]}
    version = questionnaire_draft(plan=plan, by=world.secretariat, content=without)
    with pytest.raises(TransitionNotAllowed) as refused:
        questionnaire_freeze(version=version, by=world.secretariat)
    assert "thiếu lựa chọn cho các nhóm: female" in str(refused.value.message)
    version = questionnaire_update(version=version, by=world.secretariat, content=CONTENT)
    questionnaire_freeze(version=version, by=world.secretariat)
    codes = invitation_codes_issue(plan=plan, by=world.secretariat, count=3)
    for code, sex in zip(codes, ("female", "female", "male")):
        answer_submit_online(plan=plan, code=code, raw={**GOOD, "sex": sex})
    page = as_user("secretariat").get(f"/surveys/{plan.pk}/").content.decode()
    rows = re.findall(r"<tr><td class=\"small\">sex=(\w+)</td><td>(\d+)</td><td>(\d+)</td></tr>", page)
    assert rows == [("male", "200", "1"), ("female", "200", "2")]
