"""A survey's figures as tables: live on the analysis screen, frozen and suppressed when results are published.

Every table follows the format of `SurveyResults.tables` (surveys/models.py): the analysis screen, the results
report, its DOCX and PDF, the public page and the API read the same dictionaries. The statistics are
surveys.analysis' (weighted percentages, Taylor-linearised 95 % intervals with the plan's strata, Rao–Scott);
this module only picks the data (surveys.dataset), the newest weights, and shapes the answers.

Suppression (`table_suppressed`), for anything published:
- a cell of fewer than SUPPRESS_BELOW answers is hidden, and enough further cells that none can be recovered
  from its row and column totals (surveys.analysis.suppression);
- a row or column total under the threshold is itself a small count (a small group of people): it is hidden,
  with a second total so that it cannot be recovered from the grand total, and both lines are hidden whole
  (shown cells of the second would add up to its total);
- a hidden cell carries n=None, pct=None (and ci=None), suppressed=True, so no figure of it is left.
"""

import math
from dataclasses import dataclass

from .analysis import estimates, suppression
from .dataset import Respondent, Variable, dataset_rows, dataset_variables
from .models import SurveyAnswer, SurveyPlan, WeightingRun

SUPPRESS_BELOW = 5


@dataclass
class AnalysisData:
    """What the tables are computed from: the cleaned answers and, when the newest weighting covers them all,
    their weights."""

    plan: SurveyPlan
    variables: dict[str, Variable]
    respondents: list[Respondent]
    weights: list[float]
    weighted: bool
    run: WeightingRun | None
    # The newest weighting run misses answers kept since (cleaning changed): the figures are unweighted.
    stale: bool
    strata: list[str] | None

    @property
    def categorical(self) -> list[Variable]:
        return [v for v in self.variables.values() if v.is_categorical and v.choices]

    @property
    def single(self) -> list[Variable]:
        """The variables a crosstab crosses: one answer each."""
        return [v for v in self.categorical if not v.is_multiple]


def newest_run(plan: SurveyPlan) -> WeightingRun | None:
    return plan.weighting_runs.order_by("-created_at", "-pk").first()


def analysis_data(*, plan: SurveyPlan) -> AnalysisData:
    variables = {v.name: v for v in dataset_variables(plan=plan)}
    respondents = dataset_rows(plan=plan)
    run = newest_run(plan)
    found = [run.weights.get(str(r.answer_id)) for r in respondents] if run else []
    weighted = bool(run and respondents and all(w is not None for w in found))
    strata = None
    if plan.strata_variables:
        strata = ["|".join(str(r.stratum.get(name, "")) for name in plan.strata_variables) for r in respondents]
    return AnalysisData(plan=plan, variables=variables, respondents=respondents,
                        weights=[float(w) for w in found] if weighted else [1.0] * len(respondents),
                        weighted=weighted, run=run if weighted else None, stale=bool(run) and not weighted,
                        strata=strata)


def _value(raw, variable: Variable):
    """An answer as the estimates take it: a code, a list of codes (multiple choice), or None (not answered).
    A code the questionnaire does not list (an older version's) counts as not answered."""
    codes = {code for code, _label in variable.choices}
    if raw is None or raw == "" or raw == []:
        return None
    if variable.is_multiple:
        kept = [str(code) for code in (raw if isinstance(raw, list) else [raw]) if str(code) in codes]
        return kept or None
    value = str(raw[0]) if isinstance(raw, list) else str(raw)
    return value if value in codes else None


def _get(obj, name):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def _pct(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _ci(value) -> list[float] | None:
    if value is None:
        return None
    low, high = value
    return [round(float(low), 2), round(float(high), 2)]


def frequency_table(data: AnalysisData, name: str) -> dict:
    """One variable's frequencies: unweighted n, weighted % and its 95 % interval, per category."""
    variable = data.variables[name]
    codes = [code for code, _label in variable.choices]
    values = [_value(r.values.get(name), variable) for r in data.respondents]
    result = estimates.frequency(values, data.weights, strata=data.strata, categories=codes)
    found = result.rows
    rows = []
    for index, (code, label) in enumerate(variable.choices):
        row = found[code] if isinstance(found, dict) else found[index]
        rows.append({"code": code, "label": label, "n": int(_get(row, "n")), "pct": _pct(_get(row, "pct")),
                     "ci": _ci(_get(row, "ci")), "suppressed": False})
    return {"kind": "frequency", "question": name, "label": variable.label, "bank": variable.bank,
            "weighted": data.weighted, "n": int(result.n), "rows": rows}


def crosstab_table(data: AnalysisData, row: str, column: str) -> dict:
    """Two variables crossed: unweighted n and weighted % of the row per cell, and the Rao–Scott test."""
    row_variable, column_variable = data.variables[row], data.variables[column]
    result = estimates.crosstab([_value(r.values.get(row), row_variable) for r in data.respondents],
                                [_value(r.values.get(column), column_variable) for r in data.respondents],
                                data.weights, strata=data.strata,
                                row_categories=[code for code, _label in row_variable.choices],
                                column_categories=[code for code, _label in column_variable.choices])
    cells = [[{"n": int(_get(cell, "n")), "pct": _pct(_get(cell, "pct")), "suppressed": False} for cell in line]
             for line in result.cells]
    test = result.rao_scott
    rao_scott = None
    if test is not None and _get(test, "p") is not None:
        rao_scott = {key: float(_get(test, key)) for key in ("f", "df1", "df2", "p")}
        if not all(math.isfinite(value) for value in rao_scott.values()):  # JSON stores no NaN
            rao_scott = None
    return {"kind": "crosstab", "row": row, "column": column, "row_label": row_variable.label,
            "column_label": column_variable.label, "weighted": data.weighted,
            "row_categories": [{"code": c, "label": label} for c, label in row_variable.choices],
            "column_categories": [{"code": c, "label": label} for c, label in column_variable.choices],
            "cells": cells, "row_totals": [int(n) for n in result.row_totals],
            "column_totals": [int(n) for n in result.column_totals], "n": int(result.n), "rao_scott": rao_scott}


def table_for(data: AnalysisData, spec: dict) -> dict:
    if spec["kind"] == "frequency":
        return frequency_table(data, spec["question"])
    return crosstab_table(data, spec["row"], spec["column"])


def published_table(data: AnalysisData, spec: dict) -> dict:
    """A table as it is published: computed, then suppressed (below)."""
    multiple = spec["kind"] == "frequency" and data.variables[spec["question"]].is_multiple
    return table_suppressed(table_for(data, spec), multiple=multiple)


# --- small-cell suppression ----------------------------------------------------------------------


def _hide(cell: dict) -> dict:
    hidden = {**cell, "n": None, "pct": None, "suppressed": True}
    if "ci" in cell:
        hidden["ci"] = None
    return hidden


def _totals_hidden(totals: list[int], threshold: int) -> list[bool]:
    """Small totals hidden, with a complement: the totals add up to the published grand total."""
    return suppression.suppress([totals], threshold=threshold)[0] if totals else []


def _small(n: int, threshold: int) -> bool:
    return 0 < n < threshold


def table_suppressed(table: dict, *, multiple: bool = False, threshold: int = SUPPRESS_BELOW) -> dict:
    """The table as it may be published: small cells and what would reveal them hidden (see the module).

    `multiple`: a multiple choice's frequency, where each category is its own yes/no question over the base:
    a category is hidden when those who chose it or those who did not are a small group (the base is shown,
    so either reveals the other); the categories do not add up to the base, so no complement is needed."""
    if table["kind"] == "frequency" and multiple:
        hidden = [_small(row["n"], threshold) or _small(table["n"] - row["n"], threshold) for row in table["rows"]]
        return {**table, "rows": [_hide(row) if hide else row for row, hide in zip(table["rows"], hidden, strict=True)]}
    if table["kind"] == "frequency":
        hidden = suppression.suppress([[row["n"] for row in table["rows"]]], threshold=threshold)[0]
        return {**table, "rows": [_hide(row) if hide else row for row, hide in zip(table["rows"], hidden, strict=True)]}
    hidden = suppression.suppress([[cell["n"] for cell in line] for line in table["cells"]], threshold=threshold)
    rows_hidden = _totals_hidden(table["row_totals"], threshold)
    columns_hidden = _totals_hidden(table["column_totals"], threshold)
    # A line whose total is hidden is hidden whole: its shown cells would add up to its total (or give it through
    # their row percentages), and the small total would then be the grand total less the others.
    cells = [[_hide(cell) if hide or rows_hidden[i] or columns_hidden[j] else cell
              for j, (cell, hide) in enumerate(zip(line, flags, strict=True))]
             for i, (line, flags) in enumerate(zip(table["cells"], hidden, strict=True))]
    row_totals = [None if hide else n for n, hide in zip(table["row_totals"], rows_hidden, strict=True)]
    column_totals = [None if hide else n for n, hide in zip(table["column_totals"], columns_hidden, strict=True)]
    return {**table, "cells": cells, "row_totals": row_totals, "column_totals": column_totals}


# --- weighting: the margins reached ----------------------------------------------------------------


def weighting_margins(run: WeightingRun) -> list[dict]:
    """Per raked variable and category: the population, the weighted and the unweighted sample, as shares (%)
    and counts, for the answers the run weighted."""
    strata = dict(SurveyAnswer.objects.filter(pk__in=[int(pk) for pk in run.weights]).values_list("pk", "stratum"))
    found = []
    for variable, categories in run.margins.items():
        population = sum(categories.values()) or 1
        weighted_by, counted_by = {}, {}
        for pk, weight in run.weights.items():
            category = str((strata.get(int(pk)) or {}).get(variable, ""))
            weighted_by[category] = weighted_by.get(category, 0.0) + float(weight)
            counted_by[category] = counted_by.get(category, 0) + 1
        weighted_total = sum(weighted_by.values()) or 1
        counted_total = sum(counted_by.values()) or 1
        found.append({"variable": variable, "rows": [{
            "category": category, "population": people, "population_pct": 100 * people / population,
            "weighted": weighted_by.get(category, 0.0), "weighted_pct": 100 * weighted_by.get(category, 0.0) / weighted_total,
            "n": counted_by.get(category, 0), "n_pct": 100 * counted_by.get(category, 0) / counted_total,
        } for category, people in categories.items()]})
    return found


# --- comparison over time: the same bank question in earlier published results ----------------------


def earlier_bank_figures(*, user, plan: SurveyPlan, codes: set[str], limit: int = 200) -> dict[str, list[dict]]:
    """{bank code: [{"results": SurveyResults, "table": frequency table}, ...]}, newest first: the published
    results of other surveys readable by `user` that hold a frequency of the same question-bank question."""
    from .models import ResultsStatus
    from .selectors import results_list_for_user

    found: dict[str, list[dict]] = {}
    if not codes:
        return found
    published = (results_list_for_user(user=user).filter(status=ResultsStatus.PUBLISHED).exclude(plan=plan)
                 .order_by("-published_at", "-pk")[:limit])
    for results in published:
        for table in results.tables:
            if table.get("kind") == "frequency" and table.get("bank") in codes:
                found.setdefault(table["bank"], []).append({"results": results, "table": table})
    return found
