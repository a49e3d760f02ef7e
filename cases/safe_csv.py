"""The one CSV writer of the product, and the cell guard every spreadsheet export uses (CSV and XLSX).

A spreadsheet program runs a cell that starts with = + - @ as a formula, and
some strip a leading tab or carriage return first (OWASP, "CSV Injection"):
a case title typed by a resident could then run a command on the machine of
the official who opens the export. Such a cell is written with a leading
apostrophe, which the program shows as text and does not run.

Every export writes through here, so the rule is written and tested once.
"""

import csv

# What a cell may not start with: the formula signs, and the whitespace some programs skip before one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """The value as a spreadsheet will take it for text: a string that could start a formula gets a leading '.

    Numbers stay numbers (a negative count is not a formula).
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def formula_safe_row(row) -> list:
    return [formula_safe(value) for value in row]


class SafeCsvWriter:
    """csv.writer's interface, with every cell guarded."""

    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, row):
        return self._writer.writerow(formula_safe_row(row))

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def safe_csv_writer(out) -> SafeCsvWriter:
    """A writer onto `out` (a text file opened with newline="", or a StringIO)."""
    return SafeCsvWriter(out)
