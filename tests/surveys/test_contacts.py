"""Privacy of answers: a follow-up contact only with consent, kept apart from the answer (no link either way),
encrypted at rest, read only by the unit's secretariat or leaders with a reason, each read logged; open-text
answers holding a phone number, e-mail or identity number refused with the collaborators' message."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from surveys.models import FollowUpContact, FollowUpContactRead, SurveyAnswer
from surveys.services import (
    answer_submit_open,
    assignment_add,
    plan_approve,
    plan_open_link_set,
    questionnaire_draft,
    questionnaire_freeze,
)

from .conftest import CONTENT

pytestmark = pytest.mark.django_db

GOOD = {"sex": "female", "tuoi": "64", "hai_long": "1", "van_de": ["mui", "duc"], "dg_tiep_nhan": "2",
        "dg_xu_ly": "3", "mo_ta": "Nước có mùi clo."}
CONTACT = {"contact_consent": "1", "contact_name": "Lê Thị Hoa", "contact_phone": "0912 345 678",
           "contact_address": "Xóm 3"}


@pytest.fixture
def collecting(world, make_plan, interviewer):
    plan = plan_approve(plan=make_plan(), by=world.leader)
    questionnaire_freeze(version=questionnaire_draft(plan=plan, by=world.secretariat, content=CONTENT),
                         by=world.secretariat)
    assignment_add(plan=plan, by=world.secretariat, user=interviewer)
    return plan


def _interview(client, plan, **fields):
    return client.post(f"/surveys/{plan.pk}/interview/", {
        **GOOD, **fields, "idempotency_key": str(uuid.uuid4()),
        "collected_at": (timezone.now() - timedelta(hours=1)).isoformat()}, HTTP_ACCEPT="application/json")


def test_a_contact_only_with_consent_and_apart_from_the_answer(collecting, as_user):
    phone = as_user("dtv")
    without = _interview(phone, collecting, contact_phone="0912 345 678")
    assert without.status_code == 400 and without.json()["errors"] == {
        "contact_consent": ["Chỉ ghi thông tin liên hệ khi người trả lời đồng ý được liên hệ lại."]}
    empty = _interview(phone, collecting, contact_consent="1")
    assert empty.status_code == 400 and "contact_phone" in empty.json()["errors"]
    assert not SurveyAnswer.objects.exists() and not FollowUpContact.objects.exists()

    assert _interview(phone, collecting, **CONTACT).status_code == 201
    answer, contact = SurveyAnswer.objects.get(), FollowUpContact.objects.get()
    assert not any(k.startswith("contact") for k in answer.data) and "0912" not in str(answer.data)
    assert (contact.full_name, contact.phone, contact.address) == ("Lê Thị Hoa", "0912 345 678", "Xóm 3")
    # No link a reader can follow, either way; a random id, not a sequence beside the answers'.
    related = {f.related_model for f in SurveyAnswer._meta.get_fields() if f.is_relation}
    assert FollowUpContact not in related
    assert SurveyAnswer not in {f.related_model for f in FollowUpContact._meta.get_fields() if f.is_relation}
    assert isinstance(contact.pk, uuid.UUID)
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT full_name, phone, address FROM surveys_followupcontact")
        stored = " ".join(cursor.fetchone())
    assert "Hoa" not in stored and "0912" not in stored and "Xóm" not in stored


def test_open_text_answers_carry_no_phone_or_email(world, collecting, as_user):
    refused = _interview(as_user("dtv"), collecting, mo_ta="Gọi tôi số 0912 345 678 hoặc hoa@example.vn")
    assert refused.status_code == 400
    assert refused.json()["errors"]["mo_ta"] == [
        "Không được ghi thông tin cá nhân của người dân. Nội dung có địa chỉ thư điện tử (ho…@example.vn), "
        "số điện thoại (0912…78): hãy xóa rồi gửi lại."]
    assert not SurveyAnswer.objects.exists()
    # The online form too; and there, a consented contact is kept the same way.
    plan_open_link_set(plan=collecting, by=world.secretariat, enabled=True)
    page = as_user("dtv").post(f"/khao-sat/{collecting.pk}/", {**GOOD, "mo_ta": "CCCD 001234567890"})
    assert page.status_code == 400 and "số CMND/CCCD (0012…90)" in page.content.decode()
    answer_submit_open(plan=collecting, raw={**GOOD, **CONTACT})
    assert SurveyAnswer.objects.count() == 1 and FollowUpContact.objects.count() == 1


def test_contacts_read_by_the_secretariat_with_a_reason_every_read_logged(world, collecting, as_user):
    _interview(as_user("dtv"), collecting, **CONTACT)
    contact = FollowUpContact.objects.get()
    url = f"/surveys/{collecting.pk}/contacts/"
    secretariat = as_user("secretariat")
    listed = secretariat.get(url).content.decode()
    assert str(contact.pk)[:8] in listed and "0912" not in listed and "Lê Thị Hoa" not in listed
    no_reason = secretariat.post(url, {"contact": str(contact.pk), "reason": " "})
    assert no_reason.status_code == 400 and "Cần nêu lý do xem liên hệ người trả lời." in no_reason.content.decode()
    assert "0912" not in no_reason.content.decode() and not FollowUpContactRead.objects.exists()
    shown = secretariat.post(url, {"contact": str(contact.pk), "reason": "Mời dự tọa đàm về nước sạch"})
    assert shown.status_code == 200 and "0912 345 678" in shown.content.decode()
    read = FollowUpContactRead.objects.get()
    assert (read.contact_id, read.read_by.username, read.reason) == (contact.pk, "secretariat",
                                                                    "Mời dự tọa đàm về nước sạch")
    assert as_user("leader").post(url, {"contact": str(contact.pk), "reason": "Kiểm tra"}).status_code == 200
    assert FollowUpContactRead.objects.count() == 2
    # The plan's interviewer and the province's supervisor read the plan, not its contacts; others do not find it.
    for username, status in (("dtv", 403), ("supervisor", 403), ("handler", 404), ("leader2", 404)):
        assert as_user(username).post(url, {"contact": str(contact.pk), "reason": "x"}).status_code == status
        assert "0912" not in as_user(username).get(url).content.decode()
    assert FollowUpContactRead.objects.count() == 2


def test_the_new_screens_in_english(world, collecting):
    from django.test import Client

    from tests.web.conftest import visible_text

    for username, path, english, vietnamese in (
        ("dtv", "interview/", "Follow-up contact (optional)", "Liên hệ lại"),
        ("secretariat", "paper/", "Form number (printed on the paper form)", "Số phiếu"),
        ("secretariat", "contacts/", "Contact reads", "Nhật ký"),
    ):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(world.users[username])
        client.cookies["django_language"] = "en"
        shown = visible_text(client.get(f"/surveys/{collecting.pk}/{path}"))
        assert english in shown and vietnamese not in shown, path
