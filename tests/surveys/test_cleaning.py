"""Cleaning: the four checks find what their rules say and nothing more, on the answers as corrected; flags are
recomputed on every run, kept where a reviewer has decided; a reviewer keeps or excludes an answer with a reason
(403 before 400), the decisions kept as history, an excluded answer out of the cleaned data; the screen through
the real URLs. Also: how long an answer took, measured by each channel that knows it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from cases.exceptions import PermissionDenied
from surveys.dataset import dataset_rows
from surveys.models import AnswerFlag, CleaningDecision, SurveyAnswer
from surveys.services import answer_collect, answer_correct, plan_approve, plan_close, questionnaire_draft, \
    questionnaire_freeze
from surveys.services.cleaning import answer_review, answers_check, duplicates, speeders

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

SCALE = [{"name": str(n), "label": label} for n, label in
         enumerate(["Rất kém", "Kém", "Bình thường", "Tốt", "Rất tốt"], start=1)]
CONTENT = {"form_id": "phieu_sach", "items": [
    {"type": "select_one", "name": "sex", "label": "Giới tính", "required": True, "list_name": "gt",
     "choices": [{"name": "male", "label": "Nam"}, {"name": "female", "label": "Nữ"}]},
    {"type": "integer", "name": "tuoi", "label": "Tuổi", "required": True},
    {"type": "matrix", "name": "dg", "label": "Đánh giá dịch vụ", "list_name": "thang", "choices": SCALE,
     "rows": [{"name": "dg_nuoc", "label": "Nước sạch"}, {"name": "dg_dien", "label": "Điện"},
              {"name": "dg_rac", "label": "Thu gom rác"}]},
    {"type": "matrix", "name": "nho", "label": "Hai khâu", "list_name": "thang", "choices": SCALE,
     "rows": [{"name": "nho_a", "label": "Khâu A"}, {"name": "nho_b", "label": "Khâu B"}]},
    {"type": "text", "name": "y_kien", "label": "Ý kiến khác"},
    {"type": "select_one", "name": "co_con", "label": "Có con đi học?", "list_name": "cc",
     "choices": [{"name": "co", "label": "Có"}, {"name": "khong", "label": "Không"}]},
    {"type": "integer", "name": "so_con", "label": "Số con đi học", "relevant": "${co_con} = 'co'"},
]}
FULL = {"sex": "female", "tuoi": "40", "dg_nuoc": "4", "dg_dien": "3", "dg_rac": "2", "nho_a": "5", "nho_b": "5",
        "y_kien": "Nước có mùi", "co_con": "khong"}


@pytest.fixture
def plan(world, make_plan):
    plan = plan_approve(plan=make_plan(), by=world.leader)
    questionnaire_freeze(version=questionnaire_draft(plan=plan, by=world.secretariat, content=CONTENT),
                         by=world.secretariat)
    return plan


@pytest.fixture
def collect(world, plan):
    def collect(duration=None, **answers):
        return answer_collect(plan=plan, by=world.secretariat, raw=answers, duration_seconds=duration).answer

    return collect


def flags(plan, kind) -> dict[int, dict]:
    return {f.answer_id: f.detail for f in AnswerFlag.objects.filter(answer__plan=plan, kind=kind)}


# Answers unlike FULL and unlike one another: what chance is judged by.
BACKGROUND = [
    {"sex": "male", "tuoi": "25", "dg_nuoc": "1", "dg_dien": "2", "dg_rac": "5", "nho_a": "1", "nho_b": "2",
     "y_kien": "Đường xấu", "co_con": "co", "so_con": "2"},
    {"sex": "male", "tuoi": "63", "dg_nuoc": "5", "dg_dien": "4", "dg_rac": "1", "nho_a": "3", "nho_b": "1",
     "co_con": "khong"},
    {"sex": "female", "tuoi": "19", "dg_nuoc": "2", "dg_dien": "5", "dg_rac": "3", "nho_a": "2", "nho_b": "4",
     "y_kien": "Thiếu đèn đường", "co_con": "co", "so_con": "1"},
    {"sex": "male", "tuoi": "47", "dg_nuoc": "3", "dg_dien": "1", "dg_rac": "4", "nho_a": "4", "nho_b": "3",
     "y_kien": "Không", "co_con": "khong"},
]


@pytest.fixture
def background(collect):
    return [collect(**answers) for answers in BACKGROUND]


def test_duplicates_are_the_same_corrected_answers_as_an_earlier_one(world, plan, collect, background):
    first = collect(**FULL)
    second = collect(**FULL)
    third = collect(**FULL)
    other = collect(**{**FULL, "tuoi": "41"})
    answers_check(plan=plan, by=world.secretariat)
    found = flags(plan, "duplicate")
    assert {pk: detail["duplicate_of"] for pk, detail in found.items()} == {second.pk: first.pk, third.pk: first.pk}
    assert found[second.pk]["chance"] < 0.05
    # Corrections count: the third corrected apart is no longer a duplicate; `other` corrected into one is.
    plan_close(plan=plan, by=world.secretariat)
    answer_correct(answer=third, by=world.secretariat, changes={"tuoi": 42}, reason="Đọc lại phiếu")
    answer_correct(answer=other, by=world.secretariat, changes={"tuoi": 40}, reason="Đọc lại phiếu")
    answers_check(plan=plan, by=world.secretariat)
    assert {pk: d["duplicate_of"] for pk, d in flags(plan, "duplicate").items()} == {second.pk: first.pk,
                                                                                    other.pk: first.pk}


def test_identical_answers_chance_would_give_are_not_duplicates():
    # Forty answers to two choice questions: four patterns, ten answers each. Identical, but by chance.
    common = {pk: {"sex": ("male", "female")[pk % 2], "co_con": ("co", "khong")[pk // 2 % 2]} for pk in range(40)}
    assert duplicates(common) == {}
    # Two more, identical down to what was typed: chance would hardly give that.
    rare = {40: {"sex": "male", "co_con": "co", "tuoi": 57, "y_kien": "Nước đục ở xóm 3"},
            41: {"sex": "male", "co_con": "co", "tuoi": 57, "y_kien": "Nước đục ở xóm 3"}}
    found = duplicates({**common, **rare})
    assert found == {41: {"duplicate_of": 40, "chance": found[41]["chance"]}}
    # (41 others) × ½ (male) × ½ (co) × 1/42 (this age) × 1/42 (this text), each share smoothed by one.
    assert found[41]["chance"] == pytest.approx(41 * (21 / 42) * (21 / 42) * (1 / 42) * (1 / 42), rel=0.05)
    # Nothing to judge by: two answers, identical, and no other.
    assert duplicates(rare) == {}


@pytest.mark.parametrize("durations, flagged", [
    ([100, 100, 100, 100, 30], [30]),  # 30 < 100 / 3
    ([100, 100, 100, 100, 34], []),  # 34 is over a third
    ([90, 90, 90, 90, 30], []),  # exactly a third is not under it
    ([29, 31, 90, 90, 100, 100], [29]),  # an even count: the median is (90 + 90) / 2
    ([10, 100, 100, 100], []),  # fewer than five timed answers: no median to go by
    ([0, 0, 0, 0, 0], []),  # a median of nothing flags nothing
])
def test_speeder_rule_and_its_median(durations, flagged):
    found = speeders(dict(enumerate(durations)))
    assert sorted(durations[pk] for pk in found) == flagged
    for pk, detail in found.items():
        assert detail["seconds"] == durations[pk]


def test_speeders_counted_only_among_timed_answers(world, plan, collect):
    timed = [collect(duration=seconds, **{**FULL, "tuoi": str(20 + n)}) for n, seconds in
             enumerate([300, 320, 280, 310, 90])]
    untimed = [collect(**{**FULL, "tuoi": str(50 + n)}) for n in range(4)]  # would pull a median of all down
    answers_check(plan=plan, by=world.secretariat)
    assert flags(plan, "speeder") == {timed[-1].pk: {"seconds": 90, "median": 300}}
    assert not set(flags(plan, "speeder")) & {a.pk for a in untimed}


def test_straight_lining_needs_a_whole_matrix_of_three_rows_or_more(world, plan, collect):
    same = collect(**{**FULL, "dg_nuoc": "3", "dg_dien": "3", "dg_rac": "3"})
    two_rows_same = collect(**{**FULL, "tuoi": "41"})  # nho_a = nho_b, but that matrix has two rows
    one_differs = collect(**{**FULL, "tuoi": "42", "dg_nuoc": "3", "dg_dien": "3", "dg_rac": "4"})
    one_empty = collect(**{**{k: v for k, v in FULL.items() if k != "dg_rac"}, "tuoi": "43", "dg_nuoc": "3",
                           "dg_dien": "3"})
    answers_check(plan=plan, by=world.secretariat)
    assert flags(plan, "straight_lining") == {same.pk: {"matrix": "dg", "matrices": ["dg"]}}
    assert {two_rows_same.pk, one_differs.pk, one_empty.pk}.isdisjoint(flags(plan, "straight_lining"))


def test_incomplete_is_more_than_half_of_the_questions_asked_left_empty(world, plan, collect):
    bare = collect(sex="male", tuoi="30")  # asked 9 (so_con is not), 7 empty
    # Asked 10 with so_con, 5 empty: exactly half is not more than half.
    half = collect(sex="male", tuoi="31", co_con="co", dg_nuoc="1", dg_dien="2")
    # so_con is asked now and left empty too: 6 of 10.
    over = collect(sex="male", tuoi="32", co_con="co", dg_nuoc="1")
    # co_con = khong: so_con is not asked, so 4 of 9 empty.
    skipped = collect(sex="male", tuoi="33", co_con="khong", dg_nuoc="1", dg_dien="2")
    answers_check(plan=plan, by=world.secretariat)
    found = flags(plan, "incomplete")
    assert set(found) == {bare.pk, over.pk}
    assert found[bare.pk] == {"missing": ["dg_nuoc", "dg_dien", "dg_rac", "nho_a", "nho_b", "y_kien", "co_con"],
                              "asked": 9}
    assert found[over.pk]["missing"][-1] == "so_con" and found[over.pk]["asked"] == 10
    assert {half.pk, skipped.pk}.isdisjoint(found)


def test_flags_recomputed_but_kept_where_a_reviewer_decided(world, plan, collect, background):
    first = collect(**FULL)
    decided = collect(**FULL)
    undecided = collect(**FULL)
    counts = answers_check(plan=plan, by=world.secretariat)
    assert counts == {"duplicate": 2, "speeder": 0, "straight_lining": 0, "incomplete": 0}
    answer_review(answer=decided, by=world.secretariat, decision="keep", reason="Hai người trong một nhà")
    plan_close(plan=plan, by=world.secretariat)
    answer_correct(answer=first, by=world.secretariat, changes={"tuoi": 39}, reason="Đọc lại")
    assert answers_check(plan=plan, by=world.secretariat)["duplicate"] == 2  # undecided now copies `decided`
    assert {pk: d["duplicate_of"] for pk, d in flags(plan, "duplicate").items()} == {
        decided.pk: first.pk,  # kept as it was: a decision rests on it
        undecided.pk: decided.pk}


def test_review_refusals_come_before_the_input_is_judged(world, plan, collect):
    answer = collect(**FULL)
    for person in ("supervisor", "leader2", "clerk"):
        with pytest.raises(PermissionDenied):
            answer_review(answer=answer, by=world.users[person], decision="nonsense", reason="")
        with pytest.raises(PermissionDenied):
            answers_check(plan=plan, by=world.users[person])
    with pytest.raises(ValidationError) as refused:
        answer_review(answer=answer, by=world.secretariat, decision="nonsense", reason=" ")
    assert set(refused.value.message_dict) == {"decision", "reason"}
    assert not CleaningDecision.objects.exists()


def test_excluded_answers_leave_the_cleaned_data_and_history_stays(world, plan, collect):
    kept, dropped = collect(**FULL), collect(**{**FULL, "tuoi": "50"})
    answer_review(answer=dropped, by=world.secretariat, decision="exclude", reason="Phiếu thử")
    assert [row.answer_id for row in dataset_rows(plan=plan)] == [kept.pk]
    answer_review(answer=dropped, by=world.leader, decision="keep", reason="Không phải phiếu thử")
    assert [row.answer_id for row in dataset_rows(plan=plan)] == [kept.pk, dropped.pk]
    assert list(dropped.cleaning_decisions.values_list("decision", "reason")) == [
        ("exclude", "Phiếu thử"), ("keep", "Không phải phiếu thử")]


# --- the screen ----------------------------------------------------------------------------------------


def web(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(user)
    return client


def test_the_cleaning_screen_through_the_real_urls(world, plan, collect, background):
    first, copy = collect(**FULL), collect(**FULL)
    url = f"/surveys/{plan.pk}/cleaning/"
    secretariat = web(world.secretariat)
    assert f'href="{url}"' in secretariat.get(f"/surveys/{plan.pk}/").content.decode()
    page = secretariat.get(url)
    assert page.status_code == 200 and "Không có phiếu nào bị cảnh báo." in page.content.decode()
    ran = secretariat.post(f"{url}check/", follow=True)
    assert "Đã chạy kiểm tra" in ran.content.decode() and "Trùng lặp: 1" in ran.content.decode()
    shown = secretariat.get(url).content.decode()
    assert f'data-answer="{copy.pk}"' in shown and f"giống hệt phiếu #{first.pk}" in shown
    assert "Thu gom rác" in shown and "Bình thường" in shown  # the corrected values in the questionnaire's words
    # Readers read; they do not decide (403), whatever they send. Another commune's people find nothing (404).
    supervisor = web(world.supervisor)
    assert supervisor.get(url).status_code == 200 and "Chạy kiểm tra" not in supervisor.get(url).content.decode()
    assert supervisor.post(f"{url}{copy.pk}/review/", {"decision": "exclude", "reason": "x"}).status_code == 403
    assert supervisor.post(f"{url}check/").status_code == 403
    for outsider in ("leader2", "clerk2"):
        assert web(world.users[outsider]).get(url).status_code == 404
        assert web(world.users[outsider]).post(f"{url}{copy.pk}/review/", {"decision": "keep", "reason": "x"}
                                               ).status_code == 404
    assert web(world.clerk).get(url).status_code == 404  # an intake clerk does not see the plan at all
    # No reason: nothing recorded, the reason asked for.
    refused = secretariat.post(f"{url}{copy.pk}/review/", {"decision": "exclude", "reason": ""}, follow=True)
    assert "Cần ghi lý do" in refused.content.decode() and not CleaningDecision.objects.exists()
    excluded = secretariat.post(f"{url}{copy.pk}/review/", {"decision": "exclude", "reason": "Nhập trùng"}, follow=True)
    assert "6 phiếu trả lời; 1 phiếu bị loại khỏi phân tích." in excluded.content.decode()
    again = secretariat.post(f"{url}{copy.pk}/review/", {"decision": "keep", "reason": "Hai người khác nhau"},
                             follow=True)
    assert again.redirect_chain[-1][0].endswith(f"#a{copy.pk}")
    history = again.content.decode()
    assert "Nhập trùng" in history and "Hai người khác nhau" in history
    assert list(CleaningDecision.objects.values_list("decision", flat=True)) == ["exclude", "keep"]
    assert "6 phiếu trả lời; 0 phiếu bị loại khỏi phân tích." in history
    assert web(world.supervisor).get(f"{url}?open=1").content.decode().count('data-testid="flagged-answer"') == 0
    assert SurveyAnswer.objects.filter(plan=plan).count() == 2 + len(BACKGROUND)  # a decision deletes nothing


# --- how long an answer took ------------------------------------------------------------------------------


def test_duration_from_the_online_form_signed_start(world, plan, private_cache):
    from surveys.services import plan_open_link_set

    plan_open_link_set(plan=plan, by=world.secretariat, enabled=True)
    start = datetime(2026, 12, 5, 9, 0, tzinfo=TZ)
    resident = Client(HTTP_ACCEPT_LANGUAGE="vi")
    with time_machine.travel(start, tick=False):
        form = resident.get(f"/khao-sat/{plan.pk}/").content.decode()
    token = form.split('name="started" value="')[1].split('"')[0]
    with time_machine.travel(start + timedelta(minutes=4, seconds=5), tick=False):
        done = resident.post(f"/khao-sat/{plan.pk}/", {**FULL, "step": "answers", "started": token})
    assert done.status_code == 200, done.content.decode()[:500]
    answer = SurveyAnswer.objects.get()
    assert answer.duration_seconds == 245 and "started" not in answer.data
    # An altered start is not read: the answer is taken, untimed.
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        Client(HTTP_ACCEPT_LANGUAGE="vi").post(f"/khao-sat/{plan.pk}/", {
            **FULL, "tuoi": "44", "step": "answers", "started": token[:-2] + "xx"})
    assert SurveyAnswer.objects.order_by("pk").last().duration_seconds is None


def test_duration_from_the_interviewer_device(world, plan):
    from surveys.services import assignment_add

    interviewer = get_user_model().objects.create_user(username="dtv2", password="pw-for-tests-1")
    from cases.models import Role
    from cases.services import unit_role_grant

    unit_role_grant(user=interviewer, unit=plan.unit, role=Role.INTERVIEWER)
    assignment_add(plan=plan, by=world.secretariat, user=interviewer)
    phone = web(interviewer)
    response = phone.post(f"/surveys/{plan.pk}/interview/", {
        **FULL, "idempotency_key": "6f1c1f0e-3b8e-4d7a-9c52-5b3f0f5d9a11", "started_at": "2026-11-20T08:00:00Z",
        "collected_at": "2026-11-20T08:07:30Z"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 201, response.content
    answer = SurveyAnswer.objects.get()
    assert answer.duration_seconds == 450 and "started_at" not in answer.data
