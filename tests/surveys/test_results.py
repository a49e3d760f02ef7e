"""From a closed survey with answers to published results, through the real URLs: weights, the analysis screen,
the results report (draft → submitted → published by a leader), small-cell suppression in what is published,
the DOCX and the PDF, who reads what (scope), the public results page, and the tier above told."""

import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cases.models import Role, Tier, Unit, UnitKind
from cases.services import unit_role_grant, unit_upsert
from notifications.models import Notification
from notifications.texts import SURVEY_RESULTS
from surveys.models import (
    PublicationScope,
    QuestionnaireVersion,
    ResultsStatus,
    SurveyAnswer,
    SurveyResults,
    WeightingRun,
)
from surveys.services import plan_approve, plan_close, questionnaire_draft, questionnaire_freeze

from .conftest import CONTENT

pytestmark = pytest.mark.django_db

BANK = "hai_long_nuoc_sach"
# (sex, satisfaction, problems) → answers. Men who are very dissatisfied are 3: a small cell.
ANSWERS = [
    ("male", "1", ["duc"], 3), ("male", "4", None, 10), ("male", "5", None, 8),
    ("female", "1", ["duc", "mui"], 2), ("female", "1", ["duc"], 4), ("female", "4", None, 9), ("female", "5", None, 7),
]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(world):
    """The province's leader and secretariat, and the leader of another province."""
    other, _ = unit_upsert(code="Q", name="Tỉnh ủy Q", tier=Tier.PROVINCE, kind=UnitKind.COMMITTEE, parent=None)
    made = {}
    for username, role, unit in (("leader_p", Role.LEADER, world.province), ("secretariat_p", Role.SECRETARIAT,
                                                                              world.province),
                                 ("leader_q", Role.LEADER, other)):
        user = get_user_model().objects.create_user(username=username, password="pw-for-tests-1")
        unit_role_grant(user=user, unit=Unit.objects.get(pk=unit.pk), role=role)
        made[username] = user
    return made


@pytest.fixture
def closed(world, make_plan):
    """Commune A's survey, collection closed, 43 answers; its satisfaction question is from the question bank."""
    plan = plan_approve(plan=make_plan(), by=world.leader)
    version = questionnaire_freeze(version=questionnaire_draft(plan=plan, by=world.secretariat, content=CONTENT),
                                   by=world.secretariat)
    content = version.content
    for item in content["items"]:
        if item.get("name") == "hai_long":
            item["bank"] = BANK
    QuestionnaireVersion.objects.filter(pk=version.pk).update(content=content)
    rows = []
    for sex, satisfaction, problems, count in ANSWERS:
        data = {"sex": sex, "tuoi": 40, "hai_long": satisfaction, "dg_tiep_nhan": "3", "dg_xu_ly": "4"}
        if problems:
            data["van_de"] = problems
        rows += [SurveyAnswer(plan=plan, questionnaire=version, channel="online", data=data, stratum={"sex": sex},
                              received_on=plan.period_start) for _ in range(count)]
    SurveyAnswer.objects.bulk_create(rows)
    plan_close(plan=plan, by=world.secretariat)
    return plan


def _publish(world, plan, *, scope="parent") -> SurveyResults:
    secretariat, leader = client_for(world.secretariat), client_for(world.leader)
    assert secretariat.post(f"/surveys/{plan.pk}/weighting/").status_code == 302
    response = secretariat.post(f"/surveys/{plan.pk}/results/new/", {
        "title": "Kết quả điều tra nước sạch", "summary": "Đa số hài lòng.", "scope": scope,
        "frequencies": ["hai_long", "van_de"], "row_0": "sex", "column_0": "hai_long"})
    assert response.status_code == 302, response.content.decode()[:3000]
    results = SurveyResults.objects.filter(plan=plan).latest("pk")
    assert secretariat.post(f"/surveys/results/{results.pk}/submit/").status_code == 302
    assert leader.post(f"/surveys/results/{results.pk}/approve/").status_code == 302
    results.refresh_from_db()
    return results


def test_from_closed_collection_to_publication_through_the_urls(world, closed, people):
    secretariat, leader = client_for(world.secretariat), client_for(world.leader)
    plan = closed

    # Weights: raked to the plan's margins, the screen shows convergence, spread and the margins reached.
    assert secretariat.post(f"/surveys/{plan.pk}/weighting/").status_code == 302
    run = WeightingRun.objects.get(plan=plan)
    assert run.converged and len(run.weights) == 43
    men = sum(w for pk, w in run.weights.items() if SurveyAnswer.objects.get(pk=pk).stratum["sex"] == "male")
    assert men == pytest.approx(5100, rel=1e-4)
    page = secretariat.get(f"/surveys/{plan.pk}/weighting/").content.decode()
    assert 'data-testid="converged"' in page and 'data-testid="margin-sex"' in page and "5100" in page

    # The analysis screen: every categorical question, unweighted n beside weighted %, a crosstab with Rao–Scott.
    page = secretariat.get(f"/surveys/{plan.pk}/analysis/", {"row": "sex", "column": "hai_long"}).content.decode()
    assert 'data-testid="frequency-hai_long"' in page and 'data-testid="frequency-van_de"' in page
    assert 'data-testid="crosstab-sex-hai_long"' in page and 'data-testid="rao-scott"' in page
    assert "<svg" in page and "<title" in page and "Tỷ lệ có gia quyền" in page
    assert 'data-testid="suppressed"' not in page  # internal: nothing hidden here

    # The report: drafted and submitted by the secretariat; the secretariat may not approve it.
    response = secretariat.post(f"/surveys/{plan.pk}/results/new/", {
        "title": "Kết quả điều tra nước sạch", "summary": "Đa số hài lòng.", "scope": "parent",
        "frequencies": ["hai_long", "van_de"], "row_0": "sex", "column_0": "hai_long"})
    results = SurveyResults.objects.get(plan=plan)
    assert response.status_code == 302 and results.status == ResultsStatus.DRAFT
    assert secretariat.post(f"/surveys/results/{results.pk}/submit/").status_code == 302
    assert secretariat.post(f"/surveys/results/{results.pk}/approve/").status_code == 403
    results.refresh_from_db()
    assert results.status == ResultsStatus.SUBMITTED and results.tables == []

    # The leader approves: published, tables frozen with the weights used, the province told.
    assert leader.post(f"/surveys/results/{results.pk}/approve/").status_code == 302
    results.refresh_from_db()
    assert results.status == ResultsStatus.PUBLISHED and results.published_by == world.leader
    assert results.weighting == run and [t["kind"] for t in results.tables] == ["frequency", "frequency", "crosstab"]
    told = Notification.objects.filter(kind=SURVEY_RESULTS, about=f"{SURVEY_RESULTS}:{results.pk}")
    assert {n.recipient.username for n in told} == {"leader_p", "secretariat_p"}

    # Suppression: men very dissatisfied (3) hidden, and a complement in its row and in its column.
    crosstab = results.tables[2]
    cells = crosstab["cells"]
    male, very = 0, 0
    assert crosstab["row_categories"][male]["code"] == "male" and crosstab["column_categories"][very]["code"] == "1"
    assert cells[male][very] == {"n": None, "pct": None, "suppressed": True}
    assert sum(c["suppressed"] for c in cells[male]) >= 2
    assert sum(line[very]["suppressed"] for line in cells) >= 2
    assert crosstab["row_totals"] == [21, 22]  # not small: the complements protect the cell
    shown = [c for line in cells for c in line if not c["suppressed"]]
    assert all(c["n"] >= 5 or c["n"] == 0 for c in shown)
    # A multiple choice: "smell" chosen by 2 of the 9 who answered: hidden; "muddy" by all 9 (0 did not): shown.
    problems = {row["code"]: row for row in results.tables[1]["rows"]}
    assert problems["mui"]["suppressed"] and problems["mui"]["n"] is None
    assert problems["duc"]["n"] == 9 and not problems["duc"]["suppressed"]
    page = leader.get(f"/surveys/results/{results.pk}/").content.decode()
    assert page.count('data-testid="suppressed"') >= 4 and "Đã công bố" in page

    # The official document from the frozen tables.
    from docx import Document

    response = leader.get(f"/surveys/results/{results.pk}/report.docx")
    document = Document(io.BytesIO(response.content))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in body and results.title in body and "Đa số hài lòng." in body
    cells_text = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Rất không hài lòng" in cells_text and "x" in cells_text and plan.topic in cells_text
    assert leader.get(f"/surveys/results/{results.pk}/report.pdf").content.startswith(b"%PDF")


def test_who_reads_results_drafts_stay_home_published_go_up(world, closed, people):
    draft = SurveyResults.objects.create(plan=closed, title="Bản nháp kết quả xã A", created_by=world.secretariat,
                                         table_specs=[{"kind": "frequency", "question": "hai_long"}], scope="parent")
    for user in (world.leader2, people["leader_p"]):
        assert client_for(user).get(f"/surveys/results/{draft.pk}/").status_code == 404
        assert "Bản nháp kết quả xã A" not in client_for(user).get("/surveys/results/").content.decode()
    assert client_for(world.supervisor).get(f"/surveys/results/{draft.pk}/").status_code == 200  # reads answers

    results = _publish(world, closed, scope="parent")
    province = client_for(people["leader_p"])
    assert province.get(f"/surveys/results/{results.pk}/").status_code == 200
    assert results.title in province.get("/surveys/results/").content.decode()
    # Reading is not acting, and reading the report is not reading the answers.
    assert province.post(f"/surveys/results/{results.pk}/approve/").status_code == 403
    assert province.get(f"/surveys/{closed.pk}/analysis/").status_code == 403
    # The way there: the survey list links the results; the plan page links the analysis to answer readers only.
    assert 'data-testid="results-list-link"' in province.get("/surveys/").content.decode()
    assert 'data-testid="results-links"' not in province.get(f"/surveys/{closed.pk}/").content.decode()
    assert 'data-testid="results-links"' in client_for(world.supervisor).get(f"/surveys/{closed.pk}/").content.decode()
    other = client_for(people["leader_q"])
    assert other.get(f"/surveys/results/{results.pk}/").status_code == 404
    assert results.title not in other.get("/surveys/results/").content.decode()
    assert client_for(world.leader2).get(f"/surveys/results/{results.pk}/").status_code == 404
    # Not public: not on the public page.
    anonymous = Client()
    assert anonymous.get(f"/khao-sat/ket-qua/{results.pk}/").status_code == 404
    assert results.title not in anonymous.get("/khao-sat/ket-qua/").content.decode()


def test_the_public_page_shows_only_public_published_results(world, closed):
    results = _publish(world, closed, scope="public")
    unpublished = SurveyResults.objects.create(plan=closed, title="Chưa duyệt công khai", created_by=world.secretariat,
                                               scope="public", status=ResultsStatus.SUBMITTED)
    anonymous = Client()
    listing = anonymous.get("/khao-sat/ket-qua/").content.decode()
    assert results.title in listing and unpublished.title not in listing
    page = anonymous.get(f"/khao-sat/ket-qua/{results.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="suppressed"') >= 4 and "<svg" in html
    assert anonymous.get(f"/khao-sat/ket-qua/{unpublished.pk}/").status_code == 404
    # A signed-in person sees the same public page (what anyone sees).
    assert unpublished.title not in client_for(world.secretariat).get("/khao-sat/ket-qua/").content.decode()


def test_a_leader_returns_a_report_with_a_reason(world, closed):
    _client = client_for(world.secretariat)
    _client.post(f"/surveys/{closed.pk}/results/new/", {"title": "Kết quả", "scope": "internal",
                                                        "frequencies": ["hai_long"]})
    results = SurveyResults.objects.get()
    _client.post(f"/surveys/results/{results.pk}/submit/")
    leader = client_for(world.leader)
    leader.post(f"/surveys/results/{results.pk}/return/", {"reason": ""})
    results.refresh_from_db()
    assert results.status == ResultsStatus.SUBMITTED  # no reason: nothing changed
    leader.post(f"/surveys/results/{results.pk}/return/", {"reason": "Bổ sung bảng chéo theo giới tính."})
    results.refresh_from_db()
    assert results.status == ResultsStatus.DRAFT and results.returned_reason == "Bổ sung bảng chéo theo giới tính."
    page = _client.get(f"/surveys/results/{results.pk}/").content.decode()
    assert "Bổ sung bảng chéo theo giới tính." in page and 'data-testid="results-preview"' in page
    # The draft is edited as asked: a crosstab added; one of the same question twice is refused, nothing saved.
    refused = _client.post(f"/surveys/results/{results.pk}/edit/", {
        "title": "Kết quả (sửa)", "scope": "internal", "frequencies": ["hai_long"], "row_0": "sex", "column_0": "sex"})
    assert refused.status_code == 200 and "hai câu hỏi khác nhau" in refused.content.decode()
    results.refresh_from_db()
    assert results.title == "Kết quả"
    _client.post(f"/surveys/results/{results.pk}/edit/", {"title": "Kết quả (sửa)", "scope": "internal",
                                                          "frequencies": ["hai_long"], "row_0": "sex",
                                                          "column_0": "hai_long"})
    results.refresh_from_db()
    assert results.title == "Kết quả (sửa)" and results.table_specs == [
        {"kind": "frequency", "question": "hai_long"}, {"kind": "crosstab", "row": "sex", "column": "hai_long"}]
    # The preview already hides what publication would: the 3 very dissatisfied men.
    page = _client.get(f"/surveys/results/{results.pk}/").content.decode()
    assert 'data-testid="crosstab-sex-hai_long"' in page and 'data-testid="suppressed"' in page


def test_publication_needs_fresh_weights_and_a_bad_raking_stores_nothing(world, closed):
    secretariat = client_for(world.secretariat)
    secretariat.post(f"/surveys/{closed.pk}/results/new/", {"title": "Kết quả", "scope": "internal",
                                                            "frequencies": ["hai_long"]})
    results = SurveyResults.objects.get()
    secretariat.post(f"/surveys/results/{results.pk}/submit/")
    response = client_for(world.leader).post(f"/surveys/results/{results.pk}/approve/", follow=True)
    assert "Chưa gia quyền" in response.content.decode()
    results.refresh_from_db()
    assert results.status == ResultsStatus.SUBMITTED
    # An answer whose sex has no population: the raking is refused with a message, nothing stored.
    answer = SurveyAnswer.objects.filter(plan=closed).first()
    SurveyAnswer.objects.filter(pk=answer.pk).update(stratum={"sex": "khac"})
    response = secretariat.post(f"/surveys/{closed.pk}/weighting/", follow=True)
    assert "Không gia quyền được" in response.content.decode()
    assert not WeightingRun.objects.exists()


def test_the_analysis_compares_with_earlier_published_results_of_the_same_bank_question(world, closed, make_plan):
    earlier_plan = make_plan(topic="Điều tra nước sạch năm trước")
    SurveyResults.objects.create(
        plan=earlier_plan, title="Kết quả năm trước", created_by=world.secretariat, status=ResultsStatus.PUBLISHED,
        scope=PublicationScope.INTERNAL, tables=[{
            "kind": "frequency", "question": "hl", "label": "Hài lòng", "bank": BANK, "weighted": True, "n": 100,
            "rows": [{"code": "1", "label": "Rất không hài lòng", "n": 30, "pct": 31.5, "ci": [22.0, 41.0],
                      "suppressed": False}]}])
    # Commune B's results on the same question, published inside commune B: not commune A's to read.
    SurveyResults.objects.create(
        plan=make_plan(by=world.leader2, unit=world.commune_b), title="Kết quả của phường B",
        created_by=world.leader2, status=ResultsStatus.PUBLISHED, scope=PublicationScope.INTERNAL,
        tables=[{"kind": "frequency", "question": "hl", "label": "Hài lòng", "bank": BANK, "weighted": True, "n": 50,
                 "rows": [{"code": "1", "label": "Rất không hài lòng", "n": 20, "pct": 40.0, "ci": None,
                           "suppressed": False}]}])
    page = client_for(world.secretariat).get(f"/surveys/{closed.pk}/analysis/").content.decode()
    assert 'data-testid="earlier-hai_long"' in page and "Kết quả năm trước" in page and "31,5" in page
    assert "Kết quả của phường B" not in page
    # The province's supervisor reads both communes' results: both are compared for them.
    supervisor_page = client_for(world.supervisor).get(f"/surveys/{closed.pk}/analysis/").content.decode()
    assert "Kết quả năm trước" in supervisor_page and "Kết quả của phường B" in supervisor_page


def test_small_totals_are_hidden_with_a_complement():
    from surveys.results_tables import table_suppressed

    table = {"kind": "crosstab", "row": "a", "column": "b", "row_label": "A", "column_label": "B",
             "row_categories": [{"code": c, "label": c} for c in "xyz"],
             "column_categories": [{"code": c, "label": c} for c in "uv"],
             "cells": [[{"n": n, "pct": 50.0, "suppressed": False} for n in line] for line in ((2, 1), (10, 12), (8, 9))],
             "row_totals": [3, 22, 17], "column_totals": [20, 22], "n": 42, "rao_scott": None}
    published = table_suppressed(table)
    # Row x is 3 people: its cells and its total are hidden, and a second total so it is not 42 − 22 − 17.
    assert published["row_totals"][0] is None and sum(t is None for t in published["row_totals"]) >= 2
    assert published["column_totals"] == [20, 22]
    hidden = Counter(c["suppressed"] for line in published["cells"] for c in line)
    assert hidden[True] >= 4


def test_published_results_go_into_the_situation_report_of_the_tier(world, closed):
    from django.utils import timezone

    from reports.situation import survey_results

    results = _publish(world, closed, scope="parent")
    internal = SurveyResults.objects.create(plan=closed, title="Chỉ trong xã", created_by=world.secretariat,
                                            status=ResultsStatus.PUBLISHED, scope=PublicationScope.INTERNAL,
                                            published_at=timezone.now(), tables=[])
    today = timezone.localdate()
    province = survey_results(unit=world.province, start=today, end=today)
    assert [s["title"].split(" (")[0] for s in province] == [f"Kết quả điều tra: {results.title}"]
    rows = dict(province[0]["rows"])
    assert rows["Vấn đề gặp phải — Có mùi"] == "x"  # the frozen, suppressed figure
    commune = [s["title"] for s in survey_results(unit=world.commune_a, start=today, end=today)]
    # Its own internal results stay out too: the situation report goes up, and the province may not read them.
    assert len(commune) == 1 and not any(internal.title in title for title in commune)
    assert survey_results(unit=world.commune_b, start=today, end=today) == []
