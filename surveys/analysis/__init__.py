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
    Rows read as row.pct or row["pct"]; frequency.row(code) finds one. weights None: unweighted.
    Added: clusters= (a PSU label per respondent, nested in the strata; None: each respondent is one);
    Frequency.df (the design's degrees of freedom, n − H), .multiple, .weighted_n; FrequencyRow.code.
    se and ci are in percentage points; ci is None at 0 % or 100 % (the logit interval is not defined there).

estimates.crosstab(row_values, column_values, weights, *, strata=None, row_categories, column_categories)
    -> Crosstab: .cells[i][j] with n and pct (weighted % of the row), .row_totals, .column_totals (unweighted
    n), .n, and .rao_scott (RaoScott: f, df1, df2, p: the Rao–Scott corrected Pearson chi-square as an F
    test), .pearson (the naive chi-square, shown only to compare).
    Changed: rao_scott is the SECOND-order correction (R svychisq's and Stata svy: tabulate's default;
    F = X²/tr Δ on (d, d·ν) df), not the first-order: it keeps its level better when design effects vary.
    The first-order result is beside it: RaoScott.p_first_order, .df_first_order, and .chisq (X²), .deff_mean.
    Added: clusters= as for frequency; Cell.se, Cell.ci (of the row %); Crosstab.column_pct (weighted % of each
    column over all rows), .df. rao_scott and pearson are None when fewer than 2 rows or columns have answers.
    Multiple-choice values (lists) raise ValueError.

suppression.suppress(counts, *, threshold=5) -> list[list[bool]]
    counts: a table of unweighted counts (rows × columns, no totals). True where a cell must be hidden: a
    non-zero cell under `threshold` (primary), and enough further cells (complementary) that no hidden cell
    can be recovered from its row and column totals.

suppression.small_totals(counts, *, threshold=5) -> (rows: list[bool], columns: list[bool])  (added)
    Lines whose total is itself 0 < n < threshold: hiding cells cannot protect them; hide the total or merge.

weights.Raking (added): .population (the margins' total, which the weights add up to), .margins_reached,
    .effective_n (n / deff). RakingError(ValueError) has .message (translatable, Vietnamese) and .code.

Import cost: svy, polars, scipy and numpy are imported inside the functions (svy about 0.5 s, once per process).
"""
