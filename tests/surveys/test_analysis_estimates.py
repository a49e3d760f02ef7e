"""Weighted frequencies and crosstabs (surveys.analysis.estimates) against figures computed here, by hand.

No database: the functions take plain lists. The standard errors are written out below with fractions, from
the Taylor linearisation of a ratio under stratified sampling with replacement of respondents:

    p = Σ wᵢyᵢ / Σ wᵢ        zᵢ = wᵢ(yᵢ − p) / Σ w   (zᵢ = 0 for who did not answer)
    v(p) = Σₕ nₕ/(nₕ − 1) Σᵢ∈ₕ (zᵢ − z̄ₕ)²

and the interval logit(p) ± t(0.975; n − H) · se / (p(1 − p)), transformed back.
"""

import csv
import io
import math
from fractions import Fraction

import pytest
from scipy import stats

from surveys.analysis import estimates
from surveys.analysis.estimates import crosstab, frequency

# Ten respondents in two communes (strata A and B); respondent 4 did not answer.
STRATA = ["A"] * 5 + ["B"] * 5
WEIGHTS = [1, 1, 2, 2, 2, 3, 3, 1, 1, 2]
ANSWERS = ["yes", "no", "yes", None, "dk", "no", "yes", "no", "no", "yes"]


def taylor(values, weights, strata, chosen):
    """p and v(p) as exact fractions, every term written out."""
    answered = [v is not None for v in values]
    total = sum(Fraction(w) for w, a in zip(weights, answered) if a)
    y = [Fraction(int(a and chosen(v))) for v, a in zip(values, answered)]
    p = sum(Fraction(w) * yi for w, yi, a in zip(weights, y, answered) if a) / total
    z = [Fraction(w) * (yi - p) / total if a else Fraction(0) for w, yi, a in zip(weights, y, answered)]
    variance = Fraction(0)
    for h in sorted(set(strata)):
        zh = [zi for zi, s in zip(z, strata) if s == h]
        n_h = len(zh)
        mean = sum(zh) / n_h
        variance += Fraction(n_h, n_h - 1) * sum((zi - mean) ** 2 for zi in zh)
    return p, variance


def logit_interval(p, se, df):
    t = stats.t.ppf(0.975, df)
    centre = math.log(p / (1 - p))
    half = t * se / (p * (1 - p))
    return tuple(100 / (1 + math.exp(-x)) for x in (centre - half, centre + half))


def test_weighted_percentages_standard_errors_and_intervals_match_the_hand_computation():
    result = frequency(ANSWERS, WEIGHTS, strata=STRATA, categories=["yes", "no", "dk"])

    assert result.n == 9  # the one who did not answer is out of the base
    assert result.df == 9 - 2  # respondents answering − strata
    assert [row.code for row in result.rows] == ["yes", "no", "dk"]
    assert [row.n for row in result.rows] == [4, 4, 1]  # unweighted counts beside the weighted figures
    # By hand: weights of the answers 1+1+2+2+3+3+1+1+2 = 16; "yes" 1+2+3+2 = 8 → 50 %, "no" 1+3+1+1 = 6 → 37.5 %.
    assert result.row("yes").pct == pytest.approx(50.0)
    assert result.row("no").pct == pytest.approx(37.5)
    assert result.row("dk").pct == pytest.approx(12.5)
    for code in ("yes", "no", "dk"):
        p, variance = taylor(ANSWERS, WEIGHTS, STRATA, lambda v, code=code: v == code)
        row = result.row(code)
        se = math.sqrt(variance)
        assert row.pct == pytest.approx(100 * float(p), abs=1e-9)
        assert row.se == pytest.approx(100 * se, rel=1e-9)
        assert row.ci == pytest.approx(logit_interval(float(p), se, 7), rel=1e-9)
        assert row.ci[0] < row.pct < row.ci[1]
    # "yes" on paper: p = ½, Σw = 16, so z = w(y − ½)/16; in 32nds, commune A gives 1, −1, 2, 0 (no answer), −2
    # and commune B −3, 3, −1, −1, 2; both means are 0, so v = 5/4 · (10 + 24)/32² = 85/2048, se = 20.37 points.
    assert result.row("yes").se == pytest.approx(100 * math.sqrt(85 / 2048), rel=1e-12)
    assert result.row("yes").se == pytest.approx(20.3725, abs=1e-4)


def test_strata_change_the_standard_error_and_none_means_one_stratum():
    with_strata = frequency(ANSWERS, WEIGHTS, strata=STRATA, categories=["yes", "no", "dk"])
    one_stratum = frequency(ANSWERS, WEIGHTS, categories=["yes", "no", "dk"])

    p, variance = taylor(ANSWERS, WEIGHTS, ["all"] * 10, lambda v: v == "no")
    assert one_stratum.row("no").se == pytest.approx(100 * math.sqrt(variance), rel=1e-9)
    assert one_stratum.df == 9 - 1
    assert one_stratum.row("no").se != pytest.approx(with_strata.row("no").se, rel=1e-3)
    assert one_stratum.row("no").pct == pytest.approx(with_strata.row("no").pct)


def test_unweighted_figures_when_no_weights_are_given():
    result = frequency(ANSWERS, None, strata=STRATA, categories=["yes", "no", "dk"])

    assert result.row("yes").pct == pytest.approx(100 * 4 / 9)
    p, variance = taylor(ANSWERS, [1] * 10, STRATA, lambda v: v == "yes")
    assert result.row("yes").se == pytest.approx(100 * math.sqrt(variance), rel=1e-9)


def test_multiple_choice_each_category_is_its_own_share_of_who_answered():
    answers = [["water", "road"], ["road"], None, [], ["water"], ["water", "light"], ["road"], ["water"]]
    weights = [1, 2, 5, 1, 1, 2, 1, 2]
    strata = ["A", "A", "A", "A", "B", "B", "B", "B"]
    result = frequency(answers, weights, strata=strata, categories=["water", "road", "light", "school"])

    assert result.multiple
    assert result.n == 7  # [] answered and chose nothing; None did not answer
    assert [row.n for row in result.rows] == [4, 3, 1, 0]
    # "water": weights 1 + 1 + 2 + 2 = 6 of 10 answering → 60 %; "road": 1 + 2 + 1 = 4 → 40 %; they add past 100.
    assert result.row("water").pct == pytest.approx(60.0)
    assert result.row("road").pct == pytest.approx(40.0)
    assert result.row("light").pct == pytest.approx(20.0)
    for code in ("water", "road", "light"):
        p, variance = taylor(answers, weights, strata, lambda v, code=code: code in v)
        assert result.row(code).se == pytest.approx(100 * math.sqrt(variance), rel=1e-9)
    school = result.row("school")
    assert (school.n, school.pct, school.se, school.ci) == (0, 0.0, 0.0, None)


def test_an_empty_base_gives_no_percentages_and_unknown_codes_are_refused():
    empty = frequency([None, None], [1, 1], categories=["a", "b"])
    assert empty.n == 0
    assert [row.pct for row in empty.rows] == [None, None]

    with pytest.raises(ValueError, match="not among the categories"):
        frequency(["a", "c"], [1, 1], categories=["a", "b"])


def test_crosstab_row_percentages_counts_and_a_cell_standard_error():
    sex = ["m", "f", "m", "m", "f", "f", "m", "m", "f", "f", None, "m"]
    opinion = ["x", "y", "x", "x", None, "y", "y", "x", "z", "y", "x", "x"]
    weights = [1, 2, 1.5, 1, 3, 2, 2, 1, 1, 0.5, 2, 1]
    strata = ["A"] * 5 + ["B"] * 7
    table = crosstab(sex, opinion, weights, strata=strata, row_categories=["m", "f"],
                     column_categories=["x", "y", "z", "w"])

    assert table.n == 10  # both answered
    assert table.row_totals == [6, 4]
    assert table.column_totals == [5, 4, 1, 0]
    assert [[cell.n for cell in line] for line in table.cells] == [[5, 1, 0, 0], [0, 3, 1, 0]]
    # Men: weights of x 1 + 1.5 + 1 + 1 + 1 = 5.5, of y 2, of 7.5 → 73.3 %, 26.7 %.
    assert table.cells[0][0].pct == pytest.approx(100 * 5.5 / 7.5)
    assert table.cells[0][1].pct == pytest.approx(100 * 2 / 7.5)
    assert table.cells[1][1].pct == pytest.approx(100 * 4.5 / 5.5)
    assert table.cells[0][3].pct == 0.0 and table.cells[0][3].ci is None
    assert sum(cell.pct for cell in table.cells[1]) == pytest.approx(100)
    # The men's share answering "x" is a ratio over the domain of men (who answered both), linearised as above.
    men = [s if (s == "m" and o is not None) else None for s, o in zip(sex, opinion)]
    in_x = [o if m else None for o, m in zip(opinion, men)]
    p, variance = taylor(in_x, weights, strata, lambda v: v == "x")
    assert table.cells[0][0].se == pytest.approx(100 * math.sqrt(variance), rel=1e-9)
    assert table.df == 10 - 2


def test_crosstabs_refuse_multiple_choice_questions():
    with pytest.raises(ValueError, match="single-choice"):
        crosstab([["a", "b"], ["a"]], ["x", "y"], [1, 1], row_categories=["a", "b"], column_categories=["x", "y"])


# --- The Rao–Scott test against a published worked example ---------------------------------------------------
#
# R's survey package, svychisq(~sch.wide + stype, dclus1): the one-stage cluster sample of 15 school districts
# (dnum) of California's Academic Performance Index data, apiclus1, 183 schools, each weighted pw = 33.847.
# Published in the package's documentation, T. Lumley, "Tests in contingency tables",
# http://r-survey.r-forge.r-project.org/survey/example-chisq.html :
#
#   svytable(~sch.wide + stype, dclus1)       E: No 406.1640, Yes 4467.8035; H: 101.5410, 372.3170;
#                                              M: 270.7760, 575.3989
#   svychisq(~sch.wide + stype, dclus1)                      F = 5.1934, ndf = 1.495, ddf = 20.925, p = 0.02175
#   svychisq(~sch.wide + stype, dclus1, statistic="Chisq")   X-squared = 11.9409, df = 2, p-value = 0.005553
#
# The data are embedded as the count of schools in each district and cell (from survey's `api` data set, as
# redistributed in svy's tests, packages/svy/tests/test_data/apiclus1.csv). dclus1 declares fpc = 757 districts:
# 15 of 757 drawn without replacement. Our design is with replacement; the finite population correction
# multiplies every variance, so V and Δ, by the same (1 − 15/757). Hence tr(Δ) scales by it and F = X²/tr(Δ)
# by its inverse, while X² (from the point estimates) and d = tr(Δ)²/tr(Δ²) do not change. The published F and
# first-order p are compared after that exact rescaling.

PW = 33.846996307373
# district: counts of (sch.wide No: E, H, M; Yes: E, H, M)
APICLUS1 = """61,0,0,2,10,0,1
135,3,0,0,31,0,0
178,0,0,1,2,1,0
197,1,0,2,9,0,1
255,1,0,0,12,0,3
406,0,0,0,2,0,0
413,0,0,0,1,0,0
437,0,0,0,2,1,1
448,0,0,0,9,1,2
510,1,1,1,15,1,2
568,1,1,0,3,3,1
637,0,0,0,8,1,2
716,5,0,0,25,3,4
778,0,0,1,1,0,0
815,0,1,1,2,0,0"""


def apiclus1():
    sch_wide, stype, district = [], [], []
    for line in csv.reader(io.StringIO(APICLUS1)):
        counts = [int(x) for x in line[1:]]
        for k, (wide, kind) in enumerate([(w, s) for w in ("No", "Yes") for s in ("E", "H", "M")]):
            sch_wide += [wide] * counts[k]
            stype += [kind] * counts[k]
            district += [line[0]] * counts[k]
    return sch_wide, stype, district


def test_rao_scott_reproduces_r_survey_svychisq_on_the_api_cluster_sample():
    sch_wide, stype, district = apiclus1()
    assert len(sch_wide) == 183
    table = crosstab(sch_wide, stype, [PW] * 183, clusters=district, row_categories=["No", "Yes"],
                     column_categories=["E", "H", "M"])

    # The embedded data are the published table: svytable's weighted counts.
    published = {("No", "E"): 406.1640, ("No", "H"): 101.5410, ("No", "M"): 270.7760,
                 ("Yes", "E"): 4467.8035, ("Yes", "H"): 372.3170, ("Yes", "M"): 575.3989}
    for i, wide in enumerate(["No", "Yes"]):
        for j, kind in enumerate(["E", "H", "M"]):
            assert table.cells[i][j].n * PW == pytest.approx(published[(wide, kind)], abs=1e-3)
    assert table.df == 15 - 1  # districts − one stratum

    rao_scott = table.rao_scott
    without_replacement = 1 - 15 / 757
    assert rao_scott.chisq == pytest.approx(11.9409, abs=1e-4)
    assert rao_scott.f / without_replacement == pytest.approx(5.1934, abs=1e-4)
    assert rao_scott.df1 == pytest.approx(1.495, abs=1e-3)
    assert rao_scott.df2 == pytest.approx(20.925, abs=1e-3)
    assert stats.f.sf(rao_scott.f / without_replacement, rao_scott.df1, rao_scott.df2) == pytest.approx(
        0.02175, abs=1e-5)
    first_order = stats.chi2.sf(rao_scott.chisq / (rao_scott.deff_mean * without_replacement), 2)
    assert first_order == pytest.approx(0.005553, abs=1e-6)
    # The plain chi-square on the weighted table claims more than the design supports.
    assert table.pearson.chisq == pytest.approx(11.9409, abs=1e-4)
    assert table.pearson.p < rao_scott.p


def test_rao_scott_is_absent_when_a_table_has_one_answered_row():
    table = crosstab(["a", "a", "a"], ["x", "y", "x"], [1, 1, 1], row_categories=["a", "b"],
                     column_categories=["x", "y"])
    assert table.rao_scott is None
    assert table.cells[1] == [estimates.Cell(n=0, pct=None), estimates.Cell(n=0, pct=None)]


def rao_scott_by_hand(rows, columns, weights, strata, row_codes, column_codes):
    """The Rao–Scott statistics written out with numpy (Rao & Scott 1984, in the log-linear form of R's
    svychisq): cell proportions p̂ (r·c), their stratified Taylor covariance V, the interaction contrasts C (the
    r×c interaction columns made orthogonal to the main effects), D = diag(p̂), n respondents, H strata:

        Δ = (C′D⁻¹C / n)⁻¹ (C′D⁻¹ V D⁻¹C),  X² = n Σ (p̂ᵢⱼ − p̂ᵢ.p̂.ⱼ)² / (p̂ᵢ.p̂.ⱼ),
        F = X² / tr Δ on (d, d(n − H)) df, d = (tr Δ)² / tr Δ²."""
    import numpy as np

    r, c = len(row_codes), len(column_codes)
    w = np.array(weights, float)
    y = np.array([[float(a == rc and b == cc) for rc in row_codes for cc in column_codes]
                  for a, b in zip(rows, columns)])
    p = w @ y / w.sum()
    z = w[:, None] * (y - p) / w.sum()
    V = np.zeros((r * c, r * c))
    labels = np.array(strata)
    for h in set(strata):
        zh = z[labels == h]
        centred = zh - zh.mean(axis=0)
        V += len(zh) / (len(zh) - 1) * centred.T @ centred
    main = np.array([[1.0] + [float(i == k) for k in range(1, r)] + [float(j == k) for k in range(1, c)]
                     for i in range(r) for j in range(c)])
    interaction = np.array([[float(i == a and j == b) for a in range(1, r) for b in range(1, c)]
                            for i in range(r) for j in range(c)])
    C = interaction - main @ np.linalg.pinv(main) @ interaction
    n = len(rows)
    D_inv = np.diag(1 / p)
    delta = np.linalg.solve(C.T @ D_inv @ C / n, C.T @ D_inv @ V @ D_inv @ C)
    table = p.reshape(r, c)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0))
    chisq = n * ((table - expected) ** 2 / expected).sum()
    trace, trace2 = np.trace(delta), np.trace(delta @ delta)
    d = trace**2 / trace2
    nu = n - len(set(strata))
    f = chisq / trace
    return {"chisq": chisq, "f": f, "df1": d, "df2": d * nu, "p": stats.f.sf(f, d, d * nu),
            "p_first_order": stats.chi2.sf(chisq / (trace / ((r - 1) * (c - 1))), (r - 1) * (c - 1))}


def test_rao_scott_with_strata_matches_the_design_effect_matrix_computed_here():
    import random

    rng = random.Random(21)
    strata = [rng.choice(["xa_a", "xa_b", "xa_c"]) for _ in range(80)]
    rows = [rng.choice(["male", "female"]) for _ in range(80)]
    # The answer leans on the stratum and the sex, so the design matters and the test has something to find.
    columns = [rng.choice(["1", "2", "3", "3"] if s == "xa_a" else ["1", "2", "3"]) if r == "male"
               else rng.choice(["1", "1", "2", "3"]) for r, s in zip(rows, strata)]
    weights = [rng.choice([0.5, 1, 2, 4]) for _ in range(80)]
    table = crosstab(rows, columns, weights, strata=strata, row_categories=["male", "female"],
                     column_categories=["1", "2", "3"])
    expected = rao_scott_by_hand(rows, columns, weights, strata, ["male", "female"], ["1", "2", "3"])

    for name, value in expected.items():
        assert getattr(table.rao_scott, name) == pytest.approx(value, rel=1e-9), name
    assert table.rao_scott.deff_mean != pytest.approx(1, abs=0.05)  # the weights and strata do change the test


def test_a_table_of_exact_independence_has_f_zero_and_p_one():
    table = crosstab(["a", "a", "b", "b"], ["x", "y", "x", "y"], [1, 1, 1, 1], row_categories=["a", "b"],
                     column_categories=["x", "y"])
    assert (table.rao_scott.f, table.rao_scott.p, table.pearson.p) == (0.0, 1.0, 1.0)
    assert table.rao_scott.deff_mean is None  # tr(Δ) = X²/F cannot be read from 0/0
