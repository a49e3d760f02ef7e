"""Report periods and due dates, in Vietnam's local calendar.

Periods are whole local days, both ends inclusive. Due dates (our reading
of the seed documents, see docs/reports.md): every periodic report is due
before the 15th of the month after its period ends (the Cần Thơ plan's
"trước ngày 15 hàng tháng"), i.e. at 00:00 on that 15th; a rapid report is
due 24 hours after it is opened.
"""

import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .models import ReportKind

DUE_DAY = 15
RAPID_REPORT_HOURS = 24
# Reminders go out this many days before the due date.
REMIND_DAYS_BEFORE = 3


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) as aware datetimes."""
    return local_midnight(start), local_midnight(end + timedelta(days=1))


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_containing(kind: str, day: date) -> tuple[date, date]:
    """The periodic period of `kind` that contains `day`."""
    if kind in (ReportKind.MONTHLY, ReportKind.SITUATION):  # the situation report is monthly too
        length, first = 1, _month_start(day)
    elif kind == ReportKind.QUARTERLY:
        length, first = 3, date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    elif kind == ReportKind.SIX_MONTH:
        length, first = 6, date(day.year, 1 if day.month <= 6 else 7, 1)
    elif kind == ReportKind.ANNUAL:
        length, first = 12, date(day.year, 1, 1)
    else:
        raise ValueError(f"{kind} has no fixed periods")
    return first, _add_months(first, length) - timedelta(days=1)


def previous_period(kind: str, start: date, end: date) -> tuple[date, date]:
    """The period just before: the previous month, quarter...; for a rapid report, as many days before."""
    if kind == ReportKind.AD_HOC:
        length = (end - start).days + 1
        return start - timedelta(days=length), start - timedelta(days=1)
    return period_containing(kind, start - timedelta(days=1))


def last_ended_period(kind: str, today: date) -> tuple[date, date]:
    """The most recent period of `kind` that has ended by `today` (the one now being reported on)."""
    start, _end = period_containing(kind, today)
    return period_containing(kind, start - timedelta(days=1))


def due_at(kind: str, end: date, *, opened_at: datetime | None = None) -> datetime:
    if kind == ReportKind.AD_HOC:
        return (opened_at or timezone.now()) + timedelta(hours=RAPID_REPORT_HOURS)
    return local_midnight(_add_months(end, 1).replace(day=DUE_DAY))



_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])|H(?P<half>[12])))?$")
# Reports and figures start with the year 2000 (no case is received earlier: api.serializers) and end with 2999.
FIRST_YEAR, LAST_YEAR = 2000, 2999
# The same form, as the API's schema says it (JSON Schema has no named groups): years 2000–2999, a month 01–12.
PERIOD_PATTERN = r"^2[0-9]{3}(?:-(?:0[1-9]|1[0-2]|Q[1-4]|H[12]))?$"


def parse_period(text: str) -> tuple[str, date, date]:
    """`2026-10` (a month), `2026-Q3`, `2026-H1`, `2026` → (report kind, first day, last day).

    Raises ValueError for anything else, a month outside 01–12, or a year outside FIRST_YEAR–LAST_YEAR.
    """
    match = _PERIOD.match(text.strip())
    if match is None:
        raise ValueError(text)
    year = int(match["year"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(text)
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValueError(text)
        return (ReportKind.MONTHLY, *period_containing(ReportKind.MONTHLY, date(year, month, 1)))
    if match["quarter"]:
        return (ReportKind.QUARTERLY, *period_containing(ReportKind.QUARTERLY, date(year, 3 * int(match["quarter"]) - 2, 1)))
    if match["half"]:
        return (ReportKind.SIX_MONTH, *period_containing(ReportKind.SIX_MONTH, date(year, 6 * int(match["half"]) - 5, 1)))
    return (ReportKind.ANNUAL, *period_containing(ReportKind.ANNUAL, date(year, 1, 1)))
