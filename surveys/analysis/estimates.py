"""Weighted frequencies and crosstabs with design-based standard errors, intervals and tests.

The design: respondents are the primary sampling units, drawn with replacement within strata (the plan's
strata, one label per respondent, e.g. the locality; None: one stratum), optionally grouped in clusters
(`clusters`, a PSU label per respondent, nested in the strata), weighted (the raking's weights, or 1).
Estimation is svy's (`svy.Sample.estimation.prop`, `svy.Sample.categorical.tabulate`; svy is the maintained
successor of samplics by the same authors, checked against R's survey package); this module only shapes the
data and the results. The tests compute the same figures independently (tests/surveys/test_analysis_*.py).

Proportions and their standard errors (Taylor linearisation, Woodruff 1971, "A simple method for
approximating the variance of a complicated estimate", JASA 66(334); Wolter 2007, *Introduction to Variance
Estimation*, ch. 6). A proportion is the ratio p = Σ wᵢyᵢ / Σ wᵢ over the respondents who answered (yᵢ = 1
when respondent i chose the category). Its linearised variable is zᵢ = wᵢ(yᵢ − p) / Σ w, and with H strata of
nₕ PSUs (with replacement)

    v(p) = Σₕ nₕ/(nₕ − 1) · Σᵢ∈ₕ (zₕᵢ − z̄ₕ)²,   zₕᵢ the sum of z over PSU i of stratum h.

Respondents who did not answer stay in the design with z = 0 (a domain, as R's survey does for na.rm=TRUE),
so that the strata keep their size. A stratum with a single PSU is centred on the grand mean instead of its
own (R's options(survey.lonely.psu = "adjust"), svy's Singleton("center")).

The 95 % interval is computed on the logit scale and transformed back, with Student's t on the design's
degrees of freedom df = (number of PSUs) − (number of strata), i.e. n − H without clusters:
logit(p) ± t₀.₉₇₅,df · se / (p(1 − p)). This is what Stata's `svy: proportion` and R's `svyciprop` (default
method "logit", df = degf(design)) and svy's `prop` do. R's `confint(svymean(...))` uses a symmetric normal
interval instead, which can leave [0, 100] for small or extreme percentages; the logit interval cannot, and t
on the design's df is the honest width when a plan has few respondents per stratum. At p = 0 or 100 % the
interval is not defined (None is returned, shown as "–").

Crosstabs test independence with the Rao–Scott correction of Pearson's chi-square (Rao & Scott 1981, "The
analysis of categorical data from complex sample surveys: chi-squared tests for goodness of fit and
independence in two-way tables", JASA 76(374); Rao & Scott 1984, "On chi-squared tests for multiway
contingency tables with cell proportions estimated from survey data", Annals of Statistics 12(1)). X² is
Pearson's statistic on the weighted proportions scaled to the sample size n; under a complex design it is a
sum of δₖ·χ²₁, the δₖ the eigenvalues of the generalised design-effect matrix Δ = (C'V₀C)⁻¹(C'VC) (V the
design covariance of the cell proportions, V₀ the multinomial one, C the contrasts of independence). The
second-order correction, used here as `rao_scott`, is R's svychisq default (statistic="F") and Stata's `svy:
tabulate` default: F = X² / tr(Δ) with an F(d, d·ν) distribution, d = tr(Δ)²/tr(Δ²), ν the design df. The
first-order correction (X²/δ̄ against χ² on (r−1)(c−1) df, R's statistic="Chisq") is given beside it.
`pearson` is the plain test on the weighted table, wrong on weighted data and shown only to compare.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import math

_ALPHA = 0.05  # 95 % intervals


class _Row:
    """Rows and cells read as attributes or as mapping items (row.pct or row["pct"])."""

    def __getitem__(self, key):
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class FrequencyRow(_Row):
    code: str
    n: int  # unweighted count of respondents who chose it
    pct: float | None  # weighted %, 0–100 (None when the base is empty)
    se: float | None  # standard error, in percentage points
    ci: tuple[float, float] | None  # 95 % interval, in %; None where not defined (p = 0 or 100, df = 0)


@dataclass(frozen=True)
class Frequency:
    rows: list[FrequencyRow]  # in the order of `categories`
    n: int  # base: respondents who answered
    df: int | None = None  # the design's degrees of freedom (PSUs − strata) the intervals used
    multiple: bool = False  # a multiple choice: each row is its own yes/no share, rows need not add to 100
    weighted_n: float = 0.0  # Σ w over the base

    def row(self, code) -> FrequencyRow:
        return next(row for row in self.rows if row.code == str(code))


@dataclass(frozen=True)
class Cell(_Row):
    n: int  # unweighted count
    pct: float | None  # weighted % of the row, 0–100
    se: float | None = None  # in percentage points
    ci: tuple[float, float] | None = None


@dataclass(frozen=True)
class RaoScott(_Row):
    """Second-order Rao–Scott F (R svychisq's default "F", Stata's default), with the first-order beside it."""

    f: float  # X² / tr(Δ)
    df1: float  # d = tr(Δ)² / tr(Δ²)
    df2: float  # d · ν, ν the design's degrees of freedom
    p: float
    chisq: float = 0.0  # X², Pearson on the weighted proportions scaled to n (R prints it as X-squared)
    deff_mean: float | None = None  # δ̄ = tr(Δ) / ((r−1)(c−1)), the mean generalised design effect
    p_first_order: float = 0.0  # X²/δ̄ against χ² on (r−1)(c−1) df (R's statistic="Chisq")
    df_first_order: int = 0


@dataclass(frozen=True)
class Pearson(_Row):
    """The plain chi-square on the weighted table as if it were a simple random sample of n: wrong on weighted
    data (too small a p-value when the design effects exceed 1), shown only beside the Rao–Scott test."""

    chisq: float
    df: int
    p: float


@dataclass(frozen=True)
class Crosstab:
    cells: list[list[Cell]]  # rows × columns, in the categories' order
    row_totals: list[int]  # unweighted n per row
    column_totals: list[int]  # unweighted n per column
    n: int  # respondents who answered both questions
    rao_scott: RaoScott | None  # None when fewer than 2 rows or 2 columns have answers
    pearson: Pearson | None
    column_pct: list[float | None] = field(default_factory=list)  # weighted % of each column over all rows
    df: int | None = None


def _labels(values, n, name):
    if values is None:
        return None
    values = list(values)
    if len(values) != n:
        raise ValueError(f"{name}: {len(values)} labels for {n} respondents")
    return [str(v) for v in values]


def _weights(weights, n):
    if weights is None:
        return [1.0] * n
    weights = [float(w) for w in weights]
    if len(weights) != n:
        raise ValueError(f"weights: {len(weights)} weights for {n} respondents")
    if any(not math.isfinite(w) or w < 0 for w in weights):
        raise ValueError("weights must be finite and non-negative")
    return weights


def _sample(columns: dict, weights, strata, clusters):
    """A svy sample of every respondent (those who did not answer stay, as a domain)."""
    import polars as pl
    import svy

    data = {"_w": weights, **columns}
    design = {"wgt": "_w"}
    if strata is not None:
        data["_h"] = strata
        design.update(stratum="_h", singleton="center")
    if clusters is not None:
        data["_psu"] = clusters
        design["psu"] = "_psu"
    return svy.Sample(pl.DataFrame(data, strict=False), svy.Design(**design))


def _finite(x) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def _interval(low, high, p) -> tuple[float, float] | None:
    low, high = _finite(low), _finite(high)
    if low is None or high is None or p is None or p <= 0 or p >= 1:
        return None
    return (100 * low, 100 * high)


def frequency(values: Sequence, weights: Sequence[float] | None, *, strata: Sequence | None = None,
              categories: Sequence, clusters: Sequence | None = None) -> Frequency:
    """Weighted percentage of each category with its Taylor-linearised SE and 95 % interval (module docstring).

    values: one entry per respondent: a category code, a list of codes (multiple choice: each category is
    then its own yes/no share of the respondents who answered), or None (left out of the base).
    """
    n_all = len(values)
    weights = _weights(weights, n_all)
    strata = _labels(strata, n_all, "strata")
    clusters = _labels(clusters, n_all, "clusters")
    categories = [str(c) for c in categories]
    known = set(categories)
    multiple = any(isinstance(v, (list, tuple, set, frozenset)) for v in values)
    answered = []
    for value in values:
        if value is None:
            answered.append(None)
            continue
        chosen = [str(c) for c in value] if multiple and not isinstance(value, str) else [str(value)]
        unknown = set(chosen) - known
        if unknown:
            raise ValueError(f"codes not among the categories: {sorted(unknown)}")
        answered.append(chosen)
    base = sum(1 for a in answered if a is not None)
    counts = {c: sum(1 for a in answered if a is not None and c in a) for c in categories}
    weighted_n = sum(w for w, a in zip(weights, answered) if a is not None)
    if base == 0 or weighted_n <= 0:
        rows = [FrequencyRow(code=c, n=counts[c], pct=None, se=None, ci=None) for c in categories]
        return Frequency(rows=rows, n=base, df=None, multiple=multiple, weighted_n=weighted_n)

    estimated: dict[str, tuple] = {}
    if multiple:
        # One 0/1 variable per category chosen by at least one respondent, null for those who did not answer.
        present = [c for c in categories if counts[c]]
        columns = {f"_c{i}": [None if a is None else float(c in a) for a in answered] for i, c in enumerate(present)}
        sample = _sample(columns, weights, strata, clusters)
        results = sample.estimation.prop(list(columns), drop_nulls=True) if columns else []
        results = results if isinstance(results, list) else [results]
        df = None
        for code, result in zip(present, results):
            df = result.design_df
            for row in result.to_polars().iter_rows(named=True):
                level = next(v for k, v in row.items() if k.startswith("_c"))
                if float(level) == 1.0:
                    estimated[code] = (row["est"], row["se"], row["lci"], row["uci"])
    else:
        sample = _sample({"_y": [None if a is None else a[0] for a in answered]}, weights, strata, clusters)
        result = sample.estimation.prop("_y", drop_nulls=True)
        df = result.design_df
        for row in result.to_polars().iter_rows(named=True):
            estimated[str(row["_y"])] = (row["est"], row["se"], row["lci"], row["uci"])

    rows = []
    for code in categories:
        if code in estimated:
            p, se, low, high = estimated[code]
            rows.append(FrequencyRow(code=code, n=counts[code], pct=100 * float(p), se=_pct(se),
                                     ci=_interval(low, high, float(p))))
        else:  # nobody chose it: 0 %, no variance, no interval
            rows.append(FrequencyRow(code=code, n=counts[code], pct=0.0, se=0.0, ci=None))
    return Frequency(rows=rows, n=base, df=df, multiple=multiple, weighted_n=weighted_n)


def _pct(se) -> float | None:
    se = _finite(se)
    return None if se is None else 100 * se


def crosstab(row_values: Sequence, column_values: Sequence, weights: Sequence[float] | None, *,
             strata: Sequence | None = None, row_categories: Sequence, column_categories: Sequence,
             clusters: Sequence | None = None) -> Crosstab:
    """Weighted row percentages of two single-choice questions, with the Rao–Scott test (module docstring).

    Respondents who did not answer both are left out (as a domain). Multiple-choice answers (lists) are
    refused with ValueError: their categories overlap, and Pearson's table assumes they do not.
    """
    n_all = len(row_values)
    if len(column_values) != n_all:
        raise ValueError("row_values and column_values must have one entry per respondent")
    for value in (*row_values, *column_values):
        if isinstance(value, (list, tuple, set, frozenset, dict)):
            raise ValueError("crosstabs take single-choice questions only")
    weights = _weights(weights, n_all)
    strata = _labels(strata, n_all, "strata")
    clusters = _labels(clusters, n_all, "clusters")
    row_categories = [str(c) for c in row_categories]
    column_categories = [str(c) for c in column_categories]
    rows = [None if v is None else str(v) for v in row_values]
    columns = [None if v is None else str(v) for v in column_values]
    unknown = ({r for r in rows if r is not None} - set(row_categories)) | (
        {c for c in columns if c is not None} - set(column_categories))
    if unknown:
        raise ValueError(f"codes not among the categories: {sorted(unknown)}")
    both = [r is not None and c is not None for r, c in zip(rows, columns)]
    counts = [[sum(1 for r, c in zip(rows, columns) if r == rc and c == cc) for cc in column_categories]
              for rc in row_categories]
    row_totals = [sum(line) for line in counts]
    column_totals = [sum(line[j] for line in counts) for j in range(len(column_categories))]
    n = sum(row_totals)
    weighted = [[sum(w for w, r, c in zip(weights, rows, columns) if r == rc and c == cc) for cc in column_categories]
                for rc in row_categories]
    total_w = sum(sum(line) for line in weighted)
    column_pct = [100 * sum(line[j] for line in weighted) / total_w if total_w > 0 else None
                  for j in range(len(column_categories))]

    estimated: dict[tuple[str, str], tuple] = {}
    rao_scott = pearson = None
    df = None
    used_rows = [rc for rc, t in zip(row_categories, row_totals) if t]
    used_columns = [cc for cc, t in zip(column_categories, column_totals) if t]
    if n and total_w > 0:
        data = {"_r": [r if ok else None for r, ok in zip(rows, both)],
                "_c": [c if ok else None for c, ok in zip(columns, both)]}
        sample = _sample(data, weights, strata, clusters)
        if len(used_columns) >= 2:
            table = sample.categorical.tabulate("_r", "_c", share_of="row", drop_nulls=True)
            for row in table.to_polars().iter_rows(named=True):
                estimated[(str(row["_r"]), str(row["_c"]))] = (row["est"], row["se"], row["lci"], row["uci"])
            if len(used_rows) >= 2:
                rao_scott, pearson = _tests(table.stats, len(used_rows), len(used_columns))
        df = _design_df(both, strata, clusters)
    cells = []
    for i, rc in enumerate(row_categories):
        line = []
        for j, cc in enumerate(column_categories):
            if not row_totals[i]:
                line.append(Cell(n=0, pct=None))
            elif (rc, cc) in estimated:
                p, se, low, high = estimated[(rc, cc)]
                line.append(Cell(n=counts[i][j], pct=100 * float(p), se=_pct(se), ci=_interval(low, high, float(p))))
            else:  # a single answered column takes the whole row; an unanswered column takes none of it
                whole = len(used_columns) == 1 and counts[i][j] > 0
                line.append(Cell(n=counts[i][j], pct=100.0 if whole else 0.0, se=0.0, ci=None))
        cells.append(line)
    return Crosstab(cells=cells, row_totals=row_totals, column_totals=column_totals, n=n, rao_scott=rao_scott,
                    pearson=pearson, column_pct=column_pct, df=df)


def _design_df(in_base: list[bool], strata, clusters) -> int:
    """PSUs − strata among the respondents in the base (R's degf of the subset design)."""
    rows = [i for i, ok in enumerate(in_base) if ok]
    psus = {((strata[i] if strata else None), (clusters[i] if clusters else i)) for i in rows}
    return len(psus) - len({strata[i] if strata else None for i in rows})


def _tests(stats, r: int, c: int) -> tuple[RaoScott | None, Pearson | None]:
    """svy's Rao–Scott statistics as ours, and the plain Pearson test from the same X²; None where undefined."""
    from scipy import stats as distributions

    if stats is None or stats.chisq is None or not math.isfinite(stats.chisq.value):
        return None, None
    k = (r - 1) * (c - 1)
    chisq = float(stats.chisq.value)
    pearson = Pearson(chisq=chisq, df=k, p=float(distributions.chi2.sf(chisq, k)))
    second = stats.f
    if second is None or not all(math.isfinite(x) for x in (second.value, second.df_num, second.df_den,
                                                            second.p_value, stats.chisq.p_value)):
        return None, pearson
    f = float(second.value)
    rao_scott = RaoScott(
        f=f, df1=float(second.df_num), df2=float(second.df_den), p=float(second.p_value), chisq=chisq,
        deff_mean=chisq / f / k if f > 0 else None,  # tr(Δ) = X²/F, unknown from them when X² = 0
        p_first_order=float(stats.chisq.p_value), df_first_order=k)
    return rao_scott, pearson
