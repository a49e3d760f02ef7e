"""The question bank: a questionnaire's question put into it under a code, used in another unit's draft with its
code kept (checked: an unknown code or another type is refused), carried through XLSForm and into the dataset."""

import pytest
from django.core.exceptions import ValidationError

from cases.exceptions import PermissionDenied
from surveys.dataset import dataset_variables
from surveys.models import BankQuestion
from surveys.services import plan_approve, questionnaire_draft, questionnaire_freeze, questionnaire_import, questionnaire_update
from surveys.services.bank import bank_question_add, bank_question_use
from surveys.xlsform import xlsform_export

from .conftest import CONTENT
from .datasys_world import api

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(world, make_plan):
    plan = plan_approve(plan=make_plan(), by=world.leader)
    return questionnaire_freeze(version=questionnaire_draft(plan=plan, by=world.secretariat, content=CONTENT),
                                by=world.secretariat)


@pytest.fixture
def draft_b(world, make_plan):
    plan = make_plan(by=world.leader2, unit=world.commune_b, topic="Nước sạch ở phường B")
    return questionnaire_draft(plan=plan, by=world.leader2, content={"form_id": "b", "items": CONTENT["items"][:1]})


def test_round_trip_from_one_survey_to_another(world, frozen, draft_b):
    added = bank_question_add(version=frozen, question="hai_long", code="hai-long-nuoc", topic="Nước sạch",
                              by=world.secretariat)
    assert (added.label, added.type, added.unit, added.topic) == (
        "Mức độ hài lòng với dịch vụ nước sạch", "likert", world.commune_a, "Nước sạch")
    assert [c["name"] for c in added.choices] == ["1", "2", "3", "4", "5"]
    # Commune B takes it into its draft: same wording, type and choices, the bank's code kept.
    version = bank_question_use(version=draft_b, code="hai-long-nuoc", by=world.leader2)
    item = version.content["items"][-1]
    assert item["bank"] == "hai-long-nuoc" and item["name"] == "hai_long_nuoc" and item["type"] == "likert"
    assert item["label"] == added.label and item["choices"] == added.choices
    # XLSForm out and in keeps the code in its `bank` column.
    workbook = xlsform_export(content=version.content, title=version.title, version=version.number)
    imported = questionnaire_import(plan=version.plan, by=world.leader2, data=workbook, filename="b.xlsx")
    assert imported.content["items"][-1]["bank"] == "hai-long-nuoc"
    # Once frozen, the dataset's variable names the bank question (the comparison over time reads it).
    plan_approve(plan=version.plan, by=world.leader2)
    questionnaire_freeze(version=imported, by=world.leader2)
    variables = {v.name: v for v in dataset_variables(plan=version.plan)}
    assert variables["hai_long_nuoc"].bank == "hai-long-nuoc" and variables["sex"].bank is None


def test_refusals(world, frozen, draft_b):
    with pytest.raises(PermissionDenied):  # commune B does not bank commune A's questions
        bank_question_add(version=frozen, question="hai_long", code="x1", by=world.leader2)
    with pytest.raises(ValidationError, match="Mã câu hỏi gồm chữ thường"):
        bank_question_add(version=frozen, question="hai_long", code="Có dấu", by=world.secretariat)
    with pytest.raises(ValidationError, match="ma trận"):
        bank_question_add(version=frozen, question="danh_gia", code="dg", by=world.secretariat)
    with pytest.raises(ValidationError, match="không có câu mã"):
        bank_question_add(version=frozen, question="khong_co", code="kc", by=world.secretariat)
    bank_question_add(version=frozen, question="tuoi", code="tuoi", by=world.secretariat)
    with pytest.raises(ValidationError, match="đã có trong ngân hàng"):
        bank_question_add(version=frozen, question="chi_phi", code="tuoi", by=world.secretariat)
    assert BankQuestion.objects.count() == 1
    # A draft naming an unknown code, or the bank's code on another type, is refused and left unchanged.
    before = dict(draft_b.content)
    unknown = {"form_id": "b", "items": [*CONTENT["items"][:1],
                                         {"type": "integer", "name": "so", "label": "Số", "bank": "khong-co"}]}
    with pytest.raises(ValidationError, match="ngân hàng câu hỏi không có mã “khong-co”"):
        questionnaire_update(version=draft_b, by=world.leader2, content=unknown)
    other_type = {"form_id": "b", "items": [*CONTENT["items"][:1],
                                            {"type": "text", "name": "so", "label": "Số", "bank": "tuoi"}]}
    with pytest.raises(ValidationError, match="là loại khác"):
        questionnaire_update(version=draft_b, by=world.leader2, content=other_type)
    with pytest.raises(ValidationError, match="không có mã"):
        bank_question_use(version=draft_b, code="khong-co", by=world.leader2)
    draft_b.refresh_from_db()
    assert draft_b.content == before


def test_pages_and_api(world, frozen, draft_b, as_user):
    page = as_user("secretariat").get(f"/surveys/{frozen.plan_id}/questionnaires/{frozen.number}/")
    assert b'data-testid="bank-forms"' in page.content
    assert b'data-testid="bank-forms"' not in as_user("supervisor").get(
        f"/surveys/{frozen.plan_id}/questionnaires/{frozen.number}/").content
    url = f"/surveys/{frozen.plan_id}/questionnaires/{frozen.number}/bank/add/"
    assert as_user("supervisor").post(url, {"question": "hai_long", "code": "hl"}).status_code == 403
    assert as_user("leader2").post(url, {"question": "hai_long", "code": "hl"}).status_code == 404
    done = as_user("secretariat").post(url, {"question": "hai_long", "code": "hai-long-nuoc", "topic": "Nước sạch"},
                                       follow=True)
    assert "Đã đưa câu “hai_long” vào ngân hàng, mã hai-long-nuoc." in done.content.decode()
    again = as_user("secretariat").post(url, {"question": "tuoi", "code": "hai-long-nuoc"}, follow=True)
    assert "Mã “hai-long-nuoc” đã có trong ngân hàng" in again.content.decode()
    use = f"/surveys/{draft_b.plan_id}/questionnaires/{draft_b.number}/bank/use/"
    assert as_user("secretariat").post(use, {"code": "hai-long-nuoc"}).status_code == 404  # commune B's plan
    used = as_user("leader2").post(use, {"code": "hai-long-nuoc", "name": "hl"}, follow=True)
    assert "Đã thêm câu hai-long-nuoc của ngân hàng vào cuối phiếu." in used.content.decode()
    draft_b.refresh_from_db()
    assert draft_b.content["items"][-1]["name"] == "hl"
    listed = as_user("leader2").get("/surveys/bank/", {"q": "hai long"}).content.decode()
    assert "hai-long-nuoc" in listed and "Mức độ hài lòng với dịch vụ nước sạch" in listed
    assert "hai-long-nuoc" not in as_user("leader2").get("/surveys/bank/", {"q": "chợ"}).content.decode()
    assert as_user("clerk").get("/surveys/bank/").status_code == 403
    body = api(world.leader2).get("/api/v1/surveys/bank/", {"q": "nuoc"}).json()
    assert body == [{"code": "hai-long-nuoc", "label": "Mức độ hài lòng với dịch vụ nước sạch", "type": "likert",
                     "choices": CONTENT["items"][1]["choices"], "topic": "Nước sạch", "unit": "P-A"}]
