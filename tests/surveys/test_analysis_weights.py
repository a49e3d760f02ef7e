"""Raking (surveys.analysis.weights): the weights reach the population margins, and what cannot be raked is
refused with a message naming the variable and the category. No database."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.analysis.weights import Raking, RakingError, rake


def weighted_margins(rows, weights, margins):
    reached = {variable: dict.fromkeys(populations, 0.0) for variable, populations in margins.items()}
    for row, weight in zip(rows, weights):
        for variable in margins:
            reached[variable][row[variable]] += weight
    return reached


def plain_ipf(rows, margins, sweeps):
    """Iterative proportional fitting written out, to compare with the library's sweeps."""
    weights = [1.0] * len(rows)
    for _ in range(sweeps):
        for variable, populations in margins.items():
            sums = dict.fromkeys(populations, 0.0)
            for row, weight in zip(rows, weights):
                sums[row[variable]] += weight
            weights = [weight * populations[row[variable]] / sums[row[variable]] for row, weight in zip(rows, weights)]
    return weights


ROWS = ([{"sex": "male", "age": "young"}] * 3 + [{"sex": "male", "age": "old"}] * 2
        + [{"sex": "female", "age": "young"}] * 1 + [{"sex": "female", "age": "old"}] * 4)
MARGINS = {"sex": {"male": 4800, "female": 5200}, "age": {"young": 4000, "old": 6000}}


def test_raking_reaches_the_margins_and_reports_convergence_and_spread():
    result = rake(ROWS, MARGINS)

    assert isinstance(result, Raking)
    assert result.converged and result.max_gap < 1e-6
    assert 1 < result.iterations < 100
    reached = weighted_margins(ROWS, result.weights, MARGINS)
    for variable, populations in MARGINS.items():
        for category, population in populations.items():
            assert reached[variable][category] == pytest.approx(population, rel=1e-6)
    assert sum(result.weights) == pytest.approx(10000)
    n = len(ROWS)
    kish = n * sum(w * w for w in result.weights) / sum(result.weights) ** 2
    assert result.design_effect == pytest.approx(kish)
    assert result.design_effect > 1  # unequal weights cost precision
    assert result.weight_min == min(result.weights) and result.weight_max == max(result.weights)
    # The same weights as IPF written out by hand, for as many sweeps.
    assert result.weights == pytest.approx(plain_ipf(ROWS, MARGINS, result.iterations), rel=1e-12)


def test_one_variable_is_post_stratification_in_one_iteration():
    rows = [{"locality": "a"}] * 2 + [{"locality": "b"}] * 3
    result = rake(rows, {"locality": {"a": 100, "b": 600}})

    assert result.iterations == 1 and result.converged
    assert result.weights == pytest.approx([50, 50, 200, 200, 200])
    assert result.design_effect == pytest.approx(5 * (2 * 50**2 + 3 * 200**2) / 700**2)


def test_not_converging_in_the_iterations_allowed_is_reported_not_raised():
    result = rake(ROWS, MARGINS, max_iterations=1)
    assert result.iterations == 1
    assert not result.converged
    assert result.max_gap > 1e-6


@pytest.mark.parametrize("rows, margins, message", [
    (ROWS, {"sex": {"male": 4800, "female": 5200}, "age": {"young": 4000, "old": 5000}},
     "Tổng dân số theo biến “age” (9000) khác tổng theo biến “sex” (10000)"),
    (ROWS + [{"sex": "other", "age": "old"}], MARGINS,
     "Nhóm “other” của biến “sex” có người trả lời nhưng không có trong số liệu dân số."),
    (ROWS, {"sex": {"male": 4800, "female": 5000, "other": 200}},
     "Nhóm “other” của biến “sex” không có người trả lời nào"),
    (ROWS, {"sex": {"male": 4800, "female": 0}}, "Nhóm “female” của biến “sex” không có số dân"),
    (ROWS + [{"sex": "male"}], MARGINS, "Có phiếu không trả lời biến “age”"),
    ([], MARGINS, "Chưa có phiếu trả lời nào"),
    (ROWS, {}, "Chưa có số liệu dân số"),
])
def test_what_cannot_be_raked_is_refused_with_the_variable_and_category_named(rows, margins, message):
    with pytest.raises(RakingError) as refused:
        rake(rows, margins)
    assert message in str(refused.value.message)


@st.composite
def samples_and_margins(draw):
    """1–3 variables of 2–4 categories; every combination answered at least once (so that weights meeting every
    margin exist), then extra respondents; integer populations whose totals agree."""
    sizes = draw(st.lists(st.integers(2, 4), min_size=1, max_size=3))
    variables = {f"v{k}": [f"c{j}" for j in range(size)] for k, size in enumerate(sizes)}
    rows = [dict(zip(variables, combination)) for combination in itertools.product(*variables.values())]
    extra = draw(st.lists(st.tuples(*(st.sampled_from(c) for c in variables.values())), max_size=40))
    rows += [dict(zip(variables, combination)) for combination in extra]
    total = draw(st.integers(100, 1_000_000))
    margins = {}
    for variable, categories in variables.items():
        cuts = sorted(draw(st.sets(st.integers(1, total - 1), min_size=len(categories) - 1,
                                   max_size=len(categories) - 1)))
        bounds = [0, *cuts, total]
        margins[variable] = {c: bounds[i + 1] - bounds[i] for i, c in enumerate(categories)}
    return rows, margins


@settings(max_examples=25, derandomize=True, deadline=None)
@given(samples_and_margins())
def test_raking_reaches_any_consistent_margins(case):
    rows, margins = case
    result = rake(rows, margins, max_iterations=1000)

    assert result.converged
    reached = weighted_margins(rows, result.weights, margins)
    for variable, populations in margins.items():
        for category, population in populations.items():
            assert reached[variable][category] == pytest.approx(population, rel=1e-6)
    assert all(w > 0 for w in result.weights)
    assert result.design_effect >= 1 - 1e-12
