"""The survey data system (kho dữ liệu điều tra): every plan a person reads and every result published to them,
found by topic, period, locality and question text; the same answers on PostgreSQL and SQLite."""

from datetime import date

import pytest

from surveys.models import BankQuestion
from surveys.selectors import survey_search_for_user
from surveys.services import plan_approve, questionnaire_draft, questionnaire_freeze

from .conftest import CONTENT
from .datasys_world import collected_plan, province_leader, results_of

pytestmark = pytest.mark.django_db


def _topics(user, **filters):
    return [hit["plan"].topic for hit in survey_search_for_user(user=user, filters=filters)]


@pytest.fixture
def plans(world, make_plan):
    """Commune A's closed water survey (Dec 2026–Jan 2027, hamlet 1) and commune B's draft survey on markets."""
    water = collected_plan(world, make_plan)
    market = make_plan(by=world.leader2, unit=world.commune_b, topic="Ý kiến về chợ Bến Đình",
                       period_start=date(2027, 3, 1), period_end=date(2027, 3, 31), localities=[world.hamlet_b])
    return water, market


def test_each_filter(world, plans):
    water, market = plans
    supervisor = world.users["supervisor"]  # reads the province's subtree, drafts included
    assert _topics(supervisor) == [market.topic, water.topic]
    # Topic words, diacritics folded; purpose counts too.
    assert _topics(supervisor, topic="nuoc SACH") == [water.topic]
    assert _topics(supervisor, topic="chợ bến") == [market.topic]
    # A period overlapping the plan's.
    assert _topics(supervisor, period_from=date(2027, 1, 20)) == [market.topic, water.topic]
    assert _topics(supervisor, period_from=date(2027, 2, 1)) == [market.topic]
    assert _topics(supervisor, period_to=date(2026, 12, 1)) == [water.topic]
    assert _topics(supervisor, period_from=date(2027, 2, 1), period_to=date(2027, 2, 20)) == []
    # A locality: the plan's unit in its subtree, or one of its localities.
    assert _topics(supervisor, locality=world.commune_a) == [water.topic]
    assert _topics(supervisor, locality=world.hamlet_b) == [market.topic]
    assert _topics(supervisor, locality=world.province) == [market.topic, water.topic]
    # Question text, in the frozen questionnaires only (the market plan has none); matrix rows too.
    hits = survey_search_for_user(user=supervisor, filters={"question": "hai long dich vu"})
    assert [h["plan"] for h in hits] == [water] and hits[0]["questions"] == ["Mức độ hài lòng với dịch vụ nước sạch"]
    assert _topics(supervisor, question="xử lý") == [water.topic]
    assert _topics(supervisor, question="không có câu này") == []


def test_question_text_finds_the_bank_wording(world, plans):
    """A question taken from the bank is found by the bank's wording even when the questionnaire words it
    otherwise."""
    water, _market = plans
    BankQuestion.objects.create(code="tin-tuong", label="Mức độ tin tưởng vào chính quyền địa phương",
                                type="select_one", choices=[{"name": "co", "label": "Có"}, {"name": "khong", "label": "Không"}],
                                unit=world.province, created_by=world.secretariat)
    plan = plan_approve(plan=questionnaire_plan(world), by=world.leader)
    content = {"form_id": "tt", "items": [
        *CONTENT["items"][:1],
        {"type": "select_one", "name": "tin", "label": "Ông/bà có tin chính quyền xã không?", "bank": "tin-tuong",
         "choices": [{"name": "co", "label": "Có"}, {"name": "khong", "label": "Không"}]}]}
    questionnaire_freeze(version=questionnaire_draft(plan=plan, by=world.secretariat, content=content), by=world.secretariat)
    hits = survey_search_for_user(user=world.users["supervisor"], filters={"question": "tin tuong chinh quyen"})
    assert [h["plan"] for h in hits] == [plan] and hits[0]["questions"] == ["Ông/bà có tin chính quyền xã không?"]


def questionnaire_plan(world):
    from surveys.services import plan_create

    from .conftest import plan_input

    return plan_create(by=world.secretariat, data=plan_input(world.commune_a, topic="Niềm tin vào chính quyền"))


def test_scope_drafts_stay_home_published_results_travel(world, plans, as_user):
    water, market = plans
    leader_p = province_leader(world)
    # The province's leader reads approved plans below (the water survey), not commune B's draft.
    hits = survey_search_for_user(user=leader_p)
    assert [h["plan"] for h in hits] == [water] and hits[0]["readable"] and hits[0]["results"] == []
    # Commune B's leader sees only its own plan: commune A's survey is not theirs, and its results internal.
    results_of(water, world, scope="internal")
    assert _topics(world.leader2) == [market.topic]
    # Published to the tier above: the province's leader finds the results beside the plan.
    parent = results_of(water, world, scope="parent", title="Báo cáo gửi tỉnh")
    assert survey_search_for_user(user=leader_p)[0]["results"] == [parent]
    assert _topics(world.leader2) == [market.topic]
    # Published as public: anyone finds it, without the plan's page (readable is false).
    public = results_of(water, world, scope="public", title="Kết quả công khai")
    hits = {h["plan"]: h for h in survey_search_for_user(user=world.leader2)}
    assert hits[water]["results"] == [public] and not hits[water]["readable"] and hits[market]["readable"]


def test_page(world, plans, as_user):
    water, market = plans
    province_leader(world)
    results_of(water, world, scope="parent")
    page = as_user("leader_p").get("/surveys/data-system/", {"topic": "nước", "question": "hài lòng",
                                                             "period_from": "01/12/2026", "locality": "P-A"})
    assert page.status_code == 200
    text = page.content.decode()
    assert water.topic in text and market.topic not in text and "tables.csv" in text
    assert f'href="/surveys/{water.pk}/"' in text
    assert water.topic not in as_user("leader2").get("/surveys/data-system/").content.decode()
    wrong = as_user("leader_p").get("/surveys/data-system/", {"locality": "KHONG-CO"})
    assert wrong.status_code == 200 and "Không có đơn vị mã “KHONG-CO”." in wrong.content.decode()
    assert as_user("clerk").get("/surveys/data-system/").status_code == 403  # not a survey role, nothing published
    assert b"/surveys/data-system/" in as_user("secretariat").get("/surveys/").content
