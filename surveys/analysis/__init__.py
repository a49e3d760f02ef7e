"""Survey statistics on plain data, no models: weights, estimates, tests, disclosure control.

The contract the results services build on (surveys.services.results):

weights.rake(rows, margins, *, max_iterations=100, tolerance=1e-6) -> Raking
    rows: list of {variable: category} (an answer's stratum values; one dict per respondent)
    margins: {variable: {category: population}}
    Raking (iterative proportional fitting) of base weights 1 to every margin. Raking.weights: list[float]
    in the rows' order; .converged, .iterations, .max_gap (largest relative gap of a weighted margin to its
    population), .design_effect (Kish, 1 + CV²), .weight_min, .weight_max. A respondent missing a raked
    variable, or a category with no population, raises RakingError with a message for the user.

estimates.frequency(values, weights, *, strata=None, categories) -> Frequency
    values: one entry per respondent: a category code, a list of codes (multiple choice), or None (not
    answered; left out of the base). Frequency.rows: per category code, in `categories` order: n (unweighted
    count), pct (weighted %, 0–100), se, ci (95 %, Taylor-linearised, with the strata), and .n (base).

estimates.crosstab(row_values, column_values, weights, *, strata=None, row_categories, column_categories)
    -> Crosstab: .cells[i][j] with n and pct (weighted % of the row), .row_totals, .column_totals (unweighted
    n), .n, and .rao_scott (RaoScott: f, df1, df2, p: the first-order Rao–Scott corrected Pearson chi-square
    as an F test), .pearson (the naive chi-square, shown only to compare).

suppression.suppress(counts, *, threshold=5) -> list[list[bool]]
    counts: a table of unweighted counts (rows × columns, no totals). True where a cell must be hidden: a
    non-zero cell under `threshold` (primary), and enough further cells (complementary) that no hidden cell
    can be recovered from its row and column totals.
"""
