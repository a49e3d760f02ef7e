"""Post-stratification weights by raking (iterative proportional fitting) to the plan's population margins.

Raking ratio estimation (Deming & Stephan 1940, "On a least squares adjustment of a sampled frequency table
when the expected marginal totals are known", Annals of Mathematical Statistics 11(4)): start from base
weight 1 for every respondent, multiply the weights of each category of the first variable so that they add
up to that category's population, then the second variable's, and so on; one pass over every variable is an
iteration, and iterations repeat until every weighted margin is within `tolerance` (relative) of its
population. The sweeps are svy's (`svy.Sample.weighting.rake`, the maintained successor of samplics, same
authors), run one sweep at a time so that the number of iterations can be reported; a sweep depends only on
the weights it starts from, so this is the same computation as svy's own loop.

The weights' spread is reported as Kish's design effect of unequal weighting (Kish 1965, *Survey Sampling*,
§11.7; Kish 1992, "Weighting for unequal Pi", Journal of Official Statistics 8(2)): deff = n·Σw²/(Σw)²
= 1 + CV², CV the coefficient of variation of the weights (population variance). A deff of 1.3 means the
weighted sample is worth n/1.3 respondents of a simple random sample for a proportion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# Margins of the variables must describe the same population: totals that differ by more than this share are
# refused (rounding in the plan's figures is far smaller).
TOTALS_TOLERANCE = 1e-9


class RakingError(ValueError):
    """The margins or the sample cannot be raked; `message` says why, for the user (Vietnamese, translatable)."""

    code = "raking_error"

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@dataclass(frozen=True)
class Raking:
    weights: list[float]  # in the rows' order; they add up to the population total
    converged: bool
    iterations: int
    max_gap: float  # largest |weighted margin − population| / population left
    design_effect: float  # Kish: n·Σw²/(Σw)² = 1 + CV²
    weight_min: float
    weight_max: float
    population: float = 0.0  # the margins' total, which the weights add up to
    margins_reached: dict = field(default_factory=dict)  # {variable: {category: weighted total}}

    @property
    def effective_n(self) -> float:
        """Kish's effective sample size, n / deff."""
        return len(self.weights) / self.design_effect if self.design_effect else 0.0


def _check(rows: list[dict], margins: dict) -> float:
    """Refuse what cannot be raked, naming the variable and category; return the population total."""
    if not margins:
        raise RakingError(_("Chưa có số liệu dân số (biên) nào để gia quyền."))
    if not rows:
        raise RakingError(_("Chưa có phiếu trả lời nào để gia quyền."))
    totals = {}
    for variable, populations in margins.items():
        if not populations:
            raise RakingError(_("Biến “%(variable)s” chưa có số liệu dân số.") % {"variable": variable})
        for category, population in populations.items():
            if population is None or not math.isfinite(float(population)) or float(population) <= 0:
                raise RakingError(
                    _("Nhóm “%(category)s” của biến “%(variable)s” không có số dân (phải lớn hơn 0).")
                    % {"variable": variable, "category": category})
        totals[variable] = sum(float(p) for p in populations.values())
    first_variable, first_total = next(iter(totals.items()))
    for variable, total in totals.items():
        if abs(total - first_total) > TOTALS_TOLERANCE * max(first_total, 1.0):
            raise RakingError(
                _("Tổng dân số theo biến “%(variable)s” (%(total)s) khác tổng theo biến “%(first)s” (%(first_total)s); "
                  "các biên phải cùng mô tả một tổng thể.")
                % {"variable": variable, "total": f"{total:g}", "first": first_variable,
                   "first_total": f"{first_total:g}"})
    for variable, populations in margins.items():
        known = {str(c) for c in populations}
        seen = set()
        for row in rows:
            value = row.get(variable)
            if value is None or value == "":
                raise RakingError(
                    _("Có phiếu không trả lời biến “%(variable)s” nên không gia quyền được; hãy loại phiếu đó "
                      "hoặc bổ sung câu trả lời.") % {"variable": variable})
            if str(value) not in known:
                raise RakingError(
                    _("Nhóm “%(category)s” của biến “%(variable)s” có người trả lời nhưng không có trong số liệu "
                      "dân số.") % {"variable": variable, "category": value})
            seen.add(str(value))
        for category in populations:
            if str(category) not in seen:
                raise RakingError(
                    _("Nhóm “%(category)s” của biến “%(variable)s” không có người trả lời nào nên không gia quyền "
                      "được; hãy gộp nhóm hoặc bỏ biến này.") % {"variable": variable, "category": category})
    return first_total


def _gaps(weights, rows, margins) -> tuple[float, dict]:
    reached: dict = {variable: {str(c): 0.0 for c in populations} for variable, populations in margins.items()}
    for weight, row in zip(weights, rows):
        for variable in margins:
            reached[variable][str(row[variable])] += float(weight)
    gap = 0.0
    for variable, populations in margins.items():
        for category, population in populations.items():
            gap = max(gap, abs(reached[variable][str(category)] - float(population)) / float(population))
    return gap, reached


def rake(rows: list[dict], margins: dict, *, max_iterations: int = 100, tolerance: float = 1e-6) -> Raking:
    """Rake base weights 1 to every margin ({variable: {category: population}}); see the module's docstring.

    Raises RakingError when a respondent lacks a raked variable or has a category the margins do not name,
    when a margin's category has no population or no respondent, or when the margins' totals differ.
    Not converging within `max_iterations` is not an error: `converged` is False and `max_gap` says how far.
    """
    import numpy as np
    import polars as pl
    import svy

    population = _check(rows, margins)
    variables = list(margins)
    controls = {v: {str(c): float(p) for c, p in margins[v].items()} for v in variables}
    data = pl.DataFrame({v: [str(row[v]) for row in rows] for v in variables}, schema={v: pl.String for v in variables})
    weights = np.ones(len(rows))
    iterations = 0
    gap, _reached = _gaps(weights, rows, margins)
    while gap >= tolerance and iterations < max_iterations:
        sample = svy.Sample(data.with_columns(pl.Series("_w", weights)), svy.Design(wgt="_w"))
        # One sweep over every margin (max_iter=1). svy's own stopping rule is made to pass (a huge tol), so
        # that it neither stops early nor logs a non-convergence per sweep; ours decides: the largest
        # relative gap after the sweep.
        raked = sample.weighting.rake(controls=controls, wgt_name="_raked", max_iter=1, tol=1e300)
        weights = raked.data.get_column("_raked").to_numpy().astype(float)
        iterations += 1
        gap, _reached = _gaps(weights, rows, margins)
    total = float(weights.sum())
    design_effect = len(weights) * float((weights ** 2).sum()) / total ** 2
    return Raking(
        weights=[float(w) for w in weights],
        converged=gap < tolerance,
        iterations=iterations,
        max_gap=float(gap),
        design_effect=design_effect,
        weight_min=float(weights.min()),
        weight_max=float(weights.max()),
        population=population,
        margins_reached=_reached,
    )
