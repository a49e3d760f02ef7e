"""Review of issue 21: what a published table must not give away, and bad input that must not break a screen."""

import pytest
from scipy.optimize import linprog

from surveys.results_tables import table_suppressed

from .test_results import client_for, closed, people  # noqa: F401  (fixtures)


def _crosstab(counts):
    return {"kind": "crosstab", "row": "a", "column": "b", "row_label": "A", "column_label": "B",
            "row_categories": [{"code": str(i), "label": str(i)} for i in range(len(counts))],
            "column_categories": [{"code": str(j), "label": str(j)} for j in range(len(counts[0]))],
            "cells": [[{"n": n, "pct": round(100 * n / sum(line), 2), "suppressed": False} for n in line]
                      for line in counts],
            "row_totals": [sum(line) for line in counts], "column_totals": [sum(c) for c in zip(*counts)],
            "n": sum(map(sum, counts)), "rao_scott": None}


def _range_of_row_total(published, row):
    """What someone holding only the published table can say of a row's total: its smallest and largest
    values consistent with the shown cells, the shown totals, the grand total and non-negativity."""
    cells = published["cells"]
    unknown = [(i, j) for i, line in enumerate(cells) for j, cell in enumerate(line) if cell["suppressed"]]
    index = {cell: k for k, cell in enumerate(unknown)}
    equations, values = [], []

    def known(members, total):
        shown = sum(cells[i][j]["n"] for i, j in members if (i, j) not in index)
        equations.append([1.0 if cell in members else 0.0 for cell in unknown])
        values.append(float(total - shown))

    rows, columns = len(cells), len(cells[0])
    for i, total in enumerate(published["row_totals"]):
        if total is not None:
            known([(i, j) for j in range(columns)], total)
    for j, total in enumerate(published["column_totals"]):
        if total is not None:
            known([(i, j) for i in range(rows)], total)
    known([(i, j) for i in range(rows) for j in range(columns)], published["n"])
    shown = sum(cells[row][j]["n"] for j in range(columns) if (row, j) not in index)
    objective = [1.0 if cell[0] == row else 0.0 for cell in unknown]
    low = linprog(objective, A_eq=equations, b_eq=values, bounds=(0, None), method="highs")
    high = linprog([-x for x in objective], A_eq=equations, b_eq=values, bounds=(0, None), method="highs")
    return shown + low.fun, shown - high.fun


def test_a_small_row_total_cannot_be_recovered_through_its_complement_rows_shown_cells():
    # Row 0 is 3 people. Its total is hidden with row 1's as the complement; before the fix row 1's cells were
    # all shown (10 + 12 + 11 = its total) and row 0 was 83 − 33 − 47 = 3.
    published = table_suppressed(_crosstab([[2, 1, 0], [10, 12, 11], [8, 9, 30]]))
    assert published["row_totals"][0] is None
    low, high = _range_of_row_total(published, 0)
    assert high - low >= 1, (low, high)
    # No percentage of a line with a hidden total is left either (a row % and its n give the total).
    for i, total in enumerate(published["row_totals"]):
        if total is None:
            assert all(cell["pct"] is None and cell["n"] is None for cell in published["cells"][i])


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "99999999999999999999"])
def test_odd_numbers_in_a_parameter_are_refused_not_a_server_error(world, closed, value):
    from surveys.models import AnswerCode, SurveyAnswer

    secretariat = client_for(world.secretariat)
    # The results list's plan filter: "²" is a digit to str.isdigit but not to int; 20 digits overflow the column.
    assert secretariat.get("/surveys/results/", {"plan": value}).status_code == 200
    # An answer's codes: such a tag id is no tag of the question, said so, and nothing saved.
    answer = SurveyAnswer.objects.filter(plan=closed).first()
    response = secretariat.post(f"/surveys/{closed.pk}/coding/mo_ta/{answer.pk}/", {"tags": [value]}, follow=True)
    assert response.status_code == 200 and "Mã không thuộc câu hỏi này." in response.content.decode()
    assert not AnswerCode.objects.filter(answer=answer).exists()


@pytest.mark.django_db
def test_a_plan_without_answers_gets_no_results_report_and_none_is_published(world, closed):
    from surveys.models import ResultsStatus, SurveyAnswer, SurveyResults

    secretariat, leader = client_for(world.secretariat), client_for(world.leader)
    closed.population_margins.all().delete()  # unweighted: nothing else stops the approval
    form = {"title": "Kết quả", "scope": "public", "frequencies": ["hai_long"], "row_0": "sex", "column_0": "hai_long"}
    assert secretariat.post(f"/surveys/{closed.pk}/results/new/", form).status_code == 302
    results = SurveyResults.objects.get(plan=closed)
    assert secretariat.post(f"/surveys/results/{results.pk}/submit/").status_code == 302
    answers = list(SurveyAnswer.objects.filter(plan=closed))
    SurveyAnswer.objects.filter(plan=closed).delete()  # as if every answer were excluded since the draft

    page = leader.post(f"/surveys/results/{results.pk}/approve/", follow=True).content.decode()
    assert "Chưa có phiếu trả lời nào (sau làm sạch) để lập và công bố báo cáo kết quả." in page
    results.refresh_from_db()
    assert results.status == ResultsStatus.SUBMITTED and results.tables == []
    assert client_for(world.leader).get(f"/khao-sat/ket-qua/{results.pk}/").status_code == 404

    page = secretariat.post(f"/surveys/{closed.pk}/results/new/", form, follow=True).content.decode()
    assert "Chưa có phiếu trả lời nào (sau làm sạch) để lập và công bố báo cáo kết quả." in page
    assert SurveyResults.objects.filter(plan=closed).count() == 1
    assert answers  # the fixture had answers to remove


@pytest.mark.django_db
def test_a_published_report_refuses_every_further_move_and_keeps_its_frozen_tables(world, closed):
    from surveys.models import ResultsStatus

    from .test_results import _publish

    results = _publish(world, closed, scope="internal")
    frozen, published_at = results.tables, results.published_at
    secretariat, leader = client_for(world.secretariat), client_for(world.leader)
    for client, action, data, said in (
        (leader, "approve", {}, "Chỉ duyệt được báo cáo đang chờ duyệt."),
        (secretariat, "submit", {}, "Báo cáo kết quả này không còn là dự thảo."),
        (leader, "return", {"reason": "Sửa lại."}, "Chỉ trả lại được báo cáo đang chờ duyệt."),
        (secretariat, "edit", {"title": "Khác", "scope": "public", "frequencies": ["hai_long"]},
         "Chỉ sửa được báo cáo kết quả khi còn là dự thảo."),
    ):
        page = client.post(f"/surveys/results/{results.pk}/{action}/", data, follow=True).content.decode()
        assert said in page, action
    # Weighting again after publication changes nothing published.
    assert secretariat.post(f"/surveys/{closed.pk}/weighting/").status_code == 302
    results.refresh_from_db()
    assert (results.status, results.scope, results.title) == (ResultsStatus.PUBLISHED, "internal", results.title)
    assert results.tables == frozen and results.published_at == published_at


@pytest.mark.django_db
def test_the_bank_over_the_api_is_for_whom_its_page_is(world):
    # A handler (cán bộ xử lý) has no survey role: the bank's page says 403, and so does the API now.
    handler = client_for(world.handler)
    assert handler.get("/surveys/bank/").status_code == 403
    response = handler.get("/api/v1/surveys/bank/", {"q": "x" * 500})  # 403 before the filter's 400
    assert response.status_code == 403
    assert client_for(world.secretariat).get("/api/v1/surveys/bank/").status_code == 200
