"""Small-cell suppression (surveys.analysis.suppression): the small cells are hidden, and so are enough others
that no hidden cell can be worked out from what is published, the cells shown and the row and column totals.
No database."""

import itertools
import random

import pytest
from scipy.optimize import linprog

from surveys.analysis.suppression import small_totals, suppress


def recoverable(counts, hidden):
    """What a reader of the published table can work out: the hidden cells whose value is forced.

    The attack, written here apart from the module: the unknowns are the hidden cells; each published row and
    column total minus the cells shown gives an equation; counts are non-negative. A cell is recovered when its
    smallest and largest possible values (two linear programmes) are the same."""
    rows, columns = len(counts), len(counts[0])
    unknown = [(i, j) for i in range(rows) for j in range(columns) if hidden[i][j]]
    equations, totals = [], []
    lines = ([[(i, j) for j in range(columns)] for i in range(rows)] if columns > 1 else []) + (
        [[(i, j) for i in range(rows)] for j in range(columns)] if rows > 1 else [])
    for line in lines:
        row_total = sum(counts[i][j] for i, j in line)
        shown = sum(counts[i][j] for i, j in line if not hidden[i][j])
        equations.append([1 if cell in line else 0 for cell in unknown])
        totals.append(row_total - shown)
    found = {}
    for k, cell in enumerate(unknown):
        target = [0] * len(unknown)
        target[k] = 1
        low = linprog(target, A_eq=equations, b_eq=totals, bounds=(0, None)).fun
        target[k] = -1
        high = -linprog(target, A_eq=equations, b_eq=totals, bounds=(0, None)).fun
        if high - low < 1 - 1e-9:
            found[cell] = round(low)
    return found


def hidden_cells(mask):
    return {(i, j) for i, row in enumerate(mask) for j, h in enumerate(row) if h}


def test_a_table_without_small_cells_shows_everything():
    counts = [[12, 30, 7], [5, 18, 22]]
    assert suppress(counts) == [[False] * 3, [False] * 3]


def test_one_small_cell_takes_the_smallest_cells_of_its_row_and_column_and_their_crossing():
    counts = [[20, 3, 15],
              [12, 18, 9],
              [7, 30, 25]]
    mask = suppress(counts)

    # 3 is primary; its row's smallest other cell is 15, its column's is 18; then row 2 and column 3 each have
    # one hidden cell, and their crossing (9) completes both.
    assert hidden_cells(mask) == {(0, 1), (0, 2), (1, 1), (1, 2)}
    assert recoverable(counts, mask) == {}
    # Without the complements, the 3 is its row total less the others: the attack works.
    assert recoverable(counts, [[False, True, False], [False] * 3, [False] * 3]) == {(0, 1): 3}


def test_primary_suppression_hides_counts_under_the_threshold_but_not_zeros():
    counts = [[0, 4, 40, 41], [1, 30, 0, 38], [25, 26, 27, 0]]
    mask = suppress(counts)

    assert mask[0][1] and mask[1][0]  # 4 and 1
    assert not mask[0][0] and not mask[1][2] and not mask[2][3]  # zeros stay shown: they disclose nobody
    assert recoverable(counts, mask) == {}
    for i, j in itertools.product(range(3), range(4)):
        if mask[i][j]:
            assert sum(mask[i]) >= 2 and sum(row[j] for row in mask) >= 2


def test_the_threshold_is_a_parameter():
    assert hidden_cells(suppress([[9, 40], [30, 50]], threshold=10)) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert hidden_cells(suppress([[9, 40], [30, 50]])) == set()


def test_a_row_whose_only_answers_are_the_small_cell_hides_a_zero_beside_it():
    # Row 1's total is its 3: a non-zero complement does not exist in that row, so a zero is hidden with it,
    # in the column that already has a hidden cell; then that column and row 2 get their second.
    counts = [[3, 0, 0],
              [10, 12, 8],
              [9, 14, 11]]
    mask = suppress(counts)

    assert mask[0][0] and sum(mask[0]) >= 2
    assert recoverable(counts, mask) == {}


def test_frequency_tables_of_one_row_or_one_column():
    assert suppress([[3, 10, 25]]) == [[True, True, False]]
    assert suppress([[4], [20], [30]]) == [[True], [True], [False]]
    assert suppress([[3, 0, 0]]) == [[True, True, False]]  # the total is 3: the zero hides with it
    assert recoverable([[3, 10, 25]], suppress([[3, 10, 25]])) == {}


def test_two_per_line_is_not_always_enough_and_the_audit_adds_what_is_needed():
    # Two blocks of hidden cells, each already two per line, joined by one more small cell: that cell is the
    # difference of the blocks' totals, so it is recoverable unless more is hidden.
    counts = [[2, 3, 40, 40],
              [3, 2, 40, 40],
              [40, 1, 3, 2],
              [40, 40, 2, 3]]
    two_per_line = [[True, True, False, False],
                    [True, True, False, False],
                    [False, True, True, True],
                    [False, False, True, True]]
    assert recoverable(counts, two_per_line) == {(2, 1): 1}  # every line has two hidden cells, yet the 1 shows
    mask = suppress(counts)
    assert all(mask[i][j] for i, j in hidden_cells(two_per_line))
    assert recoverable(counts, mask) == {}


@pytest.mark.parametrize("seed", range(3))
def test_no_hidden_cell_can_be_recovered_in_random_tables(seed):
    rng = random.Random(seed)
    for _ in range(12):
        rows, columns = rng.randint(1, 5), rng.randint(1, 5)
        counts = [[rng.choice([0, 0, 1, 2, 3, 4, 6, 9, 15, 30]) for _ in range(columns)] for _ in range(rows)]
        mask = suppress(counts)
        for i, j in itertools.product(range(rows), range(columns)):
            if 0 < counts[i][j] < 5:
                assert mask[i][j], (counts, mask)
        small_rows, small_columns = small_totals(counts)
        if any(small_rows) or any(small_columns):
            continue  # a total is itself a small count: the publisher hides or merges that line (below)
        if rows * columns > 1 and any(any(line) for line in mask):
            assert recoverable(counts, mask) == {}, (counts, mask)


def test_a_line_whose_total_is_small_is_named_since_hiding_cells_cannot_protect_it():
    counts = [[30, 0], [4, 0], [0, 0]]
    # Row 2 is 4 in all: its total shows it whatever cells are hidden (column 2's total 0 forces its zeros).
    assert small_totals(counts) == ([False, True, False], [False, False])
    assert suppress(counts)[1][0]


def test_bad_tables_are_refused():
    with pytest.raises(ValueError):
        suppress([[1, 2], [3]])
    with pytest.raises(ValueError):
        suppress([[-1, 2]])
