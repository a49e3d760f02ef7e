"""Paper data entry: forms keyed by their number; a sample (every Nth number) keyed again, blind, by another
clerk; the fields keyed differently shown side by side and settled by the first clerk or the secretariat, the
decision recorded and applied to the answer."""

import pytest

from surveys.models import AnswerChannel, PaperDecision, PaperEntry, SurveyAnswer
from surveys.services import assignment_add, plan_approve, questionnaire_draft, questionnaire_freeze

from .conftest import CONTENT

pytestmark = pytest.mark.django_db

GOOD = {"sex": "female", "tuoi": "34", "hai_long": "1", "van_de": ["mui", "duc"], "dg_tiep_nhan": "2",
        "dg_xu_ly": "3", "chi_phi": "120.5", "ngay": "2026-12-03", "mo_ta": "Nước có mùi clo."}


@pytest.fixture
def collecting(world, make_plan, interviewer):
    plan = plan_approve(plan=make_plan(), by=world.leader)
    questionnaire_freeze(version=questionnaire_draft(plan=plan, by=world.secretariat, content=CONTENT),
                         by=world.secretariat)
    assignment_add(plan=plan, by=world.secretariat, user=interviewer)
    return plan


def _key(client, plan, number, **answers):
    return client.post(f"/surveys/{plan.pk}/paper/", {**GOOD, **answers, "form_number": str(number)}, follow=True)


def test_keying_paper_forms_by_number(collecting, as_user):
    clerk = as_user("secretariat")
    page = clerk.get(f"/surveys/{collecting.pk}/paper/").content.decode()
    assert 'name="form_number"' in page and "autofocus" in page
    assert page.index('name="form_number"') < page.index('name="sex"')  # the number first, then the questions in order
    done = _key(clerk, collecting, 7)
    assert "Đã nhập phiếu số 7." in done.content.decode()
    answer = SurveyAnswer.objects.get()
    assert answer.channel == AnswerChannel.PAPER and answer.data["tuoi"] == 34
    again = _key(clerk, collecting, 7)  # not in the sample (every 10th): a second keying is refused
    assert again.status_code == 400 and "Phiếu số 7 đã được nhập." in again.content.decode()
    wrong = _key(clerk, collecting, "bảy", tuoi="ba mươi")
    body = wrong.content.decode()
    assert wrong.status_code == 400 and "Số phiếu là số in trên phiếu giấy" in body and "Cần một số nguyên." in body
    assert 'value="ba mươi"' in body  # what was typed stays to be corrected
    assert SurveyAnswer.objects.count() == 1
    # A handler of the unit keys nothing; a person outside the plan's reach does not find it.
    assert as_user("handler").get(f"/surveys/{collecting.pk}/paper/").status_code == 404
    assert as_user("leader2").post(f"/surveys/{collecting.pk}/paper/", {**GOOD, "form_number": "8"}).status_code == 404
    assert SurveyAnswer.objects.count() == 1


def test_double_entry_of_the_sample_and_decisions_field_by_field(world, collecting, as_user):
    first, second = as_user("secretariat"), as_user("dtv")
    assert "thuộc mẫu nhập lại kiểm tra" in _key(first, collecting, 20).content.decode()
    # The first clerk cannot check their own keying.
    own = _key(first, collecting, 20)
    assert own.status_code == 400 and "một người khác phải nhập lần hai" in own.content.decode()
    checked = _key(second, collecting, 20, tuoi="43", hai_long="2", van_de="mui")
    assert "Đã nhập lần hai phiếu số 20" in checked.content.decode()
    assert PaperEntry.objects.filter(form_number=20).count() == 2 and SurveyAnswer.objects.count() == 1
    assert _key(second, collecting, 20).status_code == 400  # a third keying: refused

    sample = first.get(f"/surveys/{collecting.pk}/paper/").content.decode()
    assert "3 câu, 3 chưa quyết định" in sample
    page = first.get(f"/surveys/{collecting.pk}/paper/20/").content.decode()
    rows = [row.split("</tr>")[0] for row in page.split('<tr data-field="')[1:]]
    assert [row.split('"')[0] for row in rows] == ["tuoi", "hai_long", "van_de"]
    assert "<td>34</td><td>43</td>" in rows[0]
    assert "<td>Rất không hài lòng</td><td>Không hài lòng</td>" in rows[1]  # labels, not codes
    # The second clerk (not the first, not the secretariat) may not decide.
    url = f"/surveys/{collecting.pk}/paper/20/"
    assert second.post(url, {"field": "tuoi", "choice": "second"}).status_code == 403
    first.post(url, {"field": "tuoi", "choice": "second"})
    first.post(url, {"field": "hai_long", "choice": "first"})
    assert first.post(url, {"field": "tuoi", "choice": "first"}, follow=True).content.decode().count(
        "Chênh lệch này đã được quyết định.") == 1
    decisions = {d.field: (d.choice, d.first_value, d.second_value, d.decided_by.username)
                 for d in PaperDecision.objects.all()}
    assert decisions == {"tuoi": ("second", 34, 43, "secretariat"), "hai_long": ("first", "1", "2", "secretariat")}
    answer = SurveyAnswer.objects.get()
    assert answer.data["tuoi"] == 43 and answer.data["hai_long"] == "1" and answer.data["van_de"] == ["duc", "mui"]
    assert "Theo lần nhập 2" in first.get(url).content.decode()


def test_the_share_keyed_twice_is_set_on_the_plan(world, collecting, as_user):
    url = f"/surveys/{collecting.pk}/paper/sample/"
    assert as_user("dtv").post(url, {"double_entry_every": "1"}).status_code == 403
    refused = as_user("secretariat").post(url, {"double_entry_every": "-3"}, follow=True)
    assert "Nhập một số từ 0 (không nhập lại) đến 1.000." in refused.content.decode()
    as_user("secretariat").post(url, {"double_entry_every": "1"})
    collecting.refresh_from_db()
    assert collecting.double_entry_every == 1
    _key(as_user("secretariat"), collecting, 3)
    assert "Đã nhập lần hai phiếu số 3" in _key(as_user("dtv"), collecting, 3).content.decode()
