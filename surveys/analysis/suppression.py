"""Small-cell suppression of published tables: primary and complementary.

Primary suppression hides every count 0 < n < threshold (5 by the issue's rule): a cell of one to four people
could identify them. A zero is not hidden as primary: it discloses nobody's answer, and hiding every zero
would hide true absences (e.g. "no one in this commune was dissatisfied") that the board must be able to
publish; a zero may still be hidden as a complement (below), where nothing else can protect a cell.

Complementary (secondary) suppression: a table is published with its row and column totals, so a single
hidden cell in a row is its row total minus the cells shown. Every row and every column that has a hidden cell
must therefore have at least two; for each line with only one, the smallest non-zero cell still shown in that
line is hidden too (the least information lost), or, when the line has no other non-zero cell (e.g. a row
whose only answers are the hidden cell), a zero cell of that line, preferring one whose other line already has
a hidden cell. This repeats until nothing changes. A line of a single cell (a one-row or one-column table) is
its own total and is not a constraint: the table's other direction is.

This is the standard heuristic (Cox 1980, "Suppression methodology and statistical disclosure control", JASA
75(370); Hundepool et al. 2012, *Statistical Disclosure Control*, Wiley, §4.3 and §5.5, on the "at least two
suppressions in each line" rule), not an optimal solution of the cell-suppression problem, which is an integer
linear programme (Fischetti & Salazar-González 2000, "Models and algorithms for optimizing cell suppression in
tabular data with linear constraints", JASA 95(451)) that may hide less. The two-per-line rule alone can still
leave a hidden cell determined by the totals (a hidden cell that joins two otherwise separate groups of hidden
cells, or a group whose only freedom would take a hidden zero below zero), so the result is audited: for every
hidden cell, the smallest and largest values consistent with the shown cells, the totals and non-negativity
are computed (two linear programmes, scipy's HiGHS; when no hidden cell is zero a rank test says the same
faster); a hidden cell whose value is pinned gets one more
complement in its row and the rule is applied again.

What hiding cells cannot protect: a row or column whose total is itself under the threshold (0 < total <
threshold) publishes a small count in its total, and its cells can be worked out from it when the crossing
lines are zero. `small_totals` names those lines; the publisher hides their totals or merges the category
(and a single hidden total is the grand total less the others, so hide two, or merge).
"""

from __future__ import annotations

from collections.abc import Sequence


def _validate(counts) -> list[list[int]]:
    table = [[int(x) for x in row] for row in counts]
    if table and any(len(row) != len(table[0]) for row in table):
        raise ValueError("every row must have the same number of cells")
    if any(x < 0 for row in table for x in row):
        raise ValueError("counts cannot be negative")
    return table


def _lines(rows: int, columns: int) -> list[list[tuple[int, int]]]:
    """The lines whose totals are published and constrain the hidden cells (a one-cell line is its own total)."""
    lines = []
    if columns > 1:
        lines += [[(i, j) for j in range(columns)] for i in range(rows)]
    if rows > 1:
        lines += [[(i, j) for i in range(rows)] for j in range(columns)]
    return lines


def _pick(table, hidden, line, lines) -> tuple[int, int] | None:
    """The complement for a line with one hidden cell: the smallest non-zero shown cell, else a zero cell
    (preferring one whose crossing line already has a hidden cell, so as to need fewer complements)."""
    shown = [(i, j) for i, j in line if not hidden[i][j]]
    non_zero = [cell for cell in shown if table[cell[0]][cell[1]] > 0]
    if non_zero:
        return min(non_zero, key=lambda cell: (table[cell[0]][cell[1]], cell))
    if not shown:
        return None

    def crossing_hidden(cell):
        return sum(1 for other in lines if cell in other and other is not line
                   for i, j in other if hidden[i][j])

    return min(shown, key=lambda cell: (-crossing_hidden(cell), cell))


def _two_per_line(table, hidden) -> None:
    rows, columns = len(table), len(table[0])
    lines = _lines(rows, columns)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(1 for i, j in line if hidden[i][j]) == 1:
                cell = _pick(table, hidden, line, lines)
                if cell is not None:
                    hidden[cell[0]][cell[1]] = True
                    changed = True


def pinned_cells(counts: Sequence[Sequence[int]], hidden: Sequence[Sequence[bool]]) -> list[tuple[int, int]]:
    """Hidden cells whose value follows from the shown cells, the row and column totals and non-negativity:
    their smallest and largest feasible values are equal (linear programmes; integer values make a range
    narrower than 1 a disclosure too)."""
    from scipy.optimize import linprog

    table = _validate(counts)
    cells = [(i, j) for i, row in enumerate(hidden) for j, h in enumerate(row) if h]
    if not cells:
        return []
    index = {cell: k for k, cell in enumerate(cells)}
    equations, totals = [], []
    for line in _lines(len(table), len(table[0])):
        members = [cell for cell in line if cell in index]
        if not members:
            continue
        equations.append([1.0 if cell in members else 0.0 for cell in cells])
        totals.append(float(sum(table[i][j] for i, j in members)))  # the line's total minus its shown cells
    pinned = []
    if not equations:  # nothing published constrains them (a single-cell table)
        return pinned
    if all(table[i][j] > 0 for i, j in cells):
        # Every hidden value is positive, so the table lies inside the region x ≥ 0 and a cell can move iff it
        # is not fixed by the equations alone: iff its unit vector is outside their row space (the projector
        # onto the row space has 1 on its diagonal exactly there). No programme to solve.
        import numpy as np

        matrix = np.array(equations)
        projector = np.linalg.pinv(matrix) @ matrix
        return [cell for k, cell in enumerate(cells) if projector[k, k] > 1 - 1e-9]
    for k, cell in enumerate(cells):
        objective = [0.0] * len(cells)
        objective[k] = 1.0
        low = linprog(objective, A_eq=equations, b_eq=totals, bounds=(0, None), method="highs")
        objective[k] = -1.0
        high = linprog(objective, A_eq=equations, b_eq=totals, bounds=(0, None), method="highs")
        if low.status == 0 and high.status == 0 and (-high.fun) - low.fun < 1 - 1e-9:
            pinned.append(cell)
    return pinned


def small_totals(counts: Sequence[Sequence[int]], *, threshold: int = 5) -> tuple[list[bool], list[bool]]:
    """(rows, columns): True where a line's total is itself a small count (0 < total < threshold)."""
    table = _validate(counts)
    rows = [0 < sum(row) < threshold for row in table]
    columns = [0 < sum(row[j] for row in table) < threshold for j in range(len(table[0]) if table else 0)]
    return rows, columns


def suppress(counts: Sequence[Sequence[int]], *, threshold: int = 5) -> list[list[bool]]:
    """True where a cell must be hidden: primary (0 < n < threshold) and complementary (module docstring).

    counts: unweighted counts, rows × columns, without totals. A frequency table is one row (or one column).
    """
    table = _validate(counts)
    if not table or not table[0]:
        return [[] for _ in table]
    hidden = [[0 < x < threshold for x in row] for row in table]
    if not any(any(row) for row in hidden):
        return hidden
    _two_per_line(table, hidden)
    # The audit: each round hides at least one more cell, so it ends.
    for _ in range(len(table) * len(table[0])):
        pinned = pinned_cells(table, hidden)
        if not pinned:
            break
        i, j = pinned[0]
        lines = _lines(len(table), len(table[0]))
        line = next((ln for ln in lines if (i, j) in ln and ln[0][0] == ln[-1][0]), None) or next(
            ln for ln in lines if (i, j) in ln)
        shown = [(a, b) for a, b in line if not hidden[a][b]]
        if not shown:  # the row is all hidden: look at the column
            line = next(ln for ln in reversed(lines) if (i, j) in ln)
            shown = [(a, b) for a, b in line if not hidden[a][b]]
        if not shown:
            break
        non_zero = [c for c in shown if table[c[0]][c[1]] > 0] or shown
        a, b = min(non_zero, key=lambda c: (table[c[0]][c[1]], c))
        hidden[a][b] = True
        _two_per_line(table, hidden)
    return hidden
