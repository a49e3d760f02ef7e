"""The Vietnamese working calendar: weekends, public holidays and Tết, and the year's adjustments.

Public holidays (the lunar ones included) and the swaps the `holidays`
package already knows come from it; administrators add the rest
(`CalendarAdjustment`: extra days off, Saturdays that become working days).

The effective calendar (and the clock policies, `workflow.deadlines`) are
cached per process until either table changes (`config.shared_configuration`).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

from config.shared_configuration import configuration_version, versioned


@lru_cache(maxsize=64)
def _package_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, weekend days worked instead) for one year, from the `holidays` package."""
    calendar = holidays.country_holidays("VN", years=[year])
    return frozenset(calendar.keys()), frozenset(getattr(calendar, "weekend_workdays", ()))


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


@dataclass(frozen=True)
class WorkingCalendar:
    """One snapshot of the calendar: the package's years plus the administrators' adjustments."""

    version: str | None
    days_off: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.days_off:
            return False
        if day in self.extra_working_days:
            return True
        public_holidays, weekend_workdays = _package_year(day.year)
        if day in weekend_workdays:
            return True
        return day.weekday() < 5 and day not in public_holidays

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same local time of day on the `days`-th working day after `start` (before, if negative)."""
        local = timezone.localtime(start)
        day = local.date()
        step = 1 if days >= 0 else -1
        remaining = abs(days)
        while remaining > 0:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return local.replace(year=day.year, month=day.month, day=day.day)

    def roll_to_working_day(self, moment: datetime) -> datetime:
        """`moment` itself on a working day; otherwise the same time on the next working day."""
        local = timezone.localtime(moment)
        day = local.date()
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return local.replace(year=day.year, month=day.month, day=day.day)

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """How much of [start, end) falls on working days."""
        total = 0.0
        for day_start, day_end in self._working_spans(start, end):
            total += (day_end - day_start).total_seconds()
        return total

    def working_midpoint(self, start: datetime, end: datetime) -> datetime:
        """The moment when half the working time between `start` and `end` has passed.

        So the half-time reminder of a clock over a weekend lands on a working
        day, not on Saturday night. Falls back to the wall-clock middle when
        no working time lies between.
        """
        half = self.working_seconds(start, end) / 2
        if half <= 0:
            return start + (end - start) / 2
        for day_start, day_end in self._working_spans(start, end):
            span = (day_end - day_start).total_seconds()
            if half <= span:
                return day_start + timedelta(seconds=half)
            half -= span
        return end

    def _working_spans(self, start: datetime, end: datetime):
        day = timezone.localtime(start).date()
        last = timezone.localtime(end).date()
        while day <= last:
            if self.is_working_day(day):
                span_start = max(start, _local_midnight(day))
                span_end = min(end, _local_midnight(day + timedelta(days=1)))
                if span_end > span_start:
                    yield span_start, span_end
            day += timedelta(days=1)


def _load(version: str | None) -> WorkingCalendar:
    from .models import CalendarAdjustment

    rows = list(CalendarAdjustment.objects.values_list("date", "kind"))
    return WorkingCalendar(
        version=version,
        days_off=frozenset(day for day, kind in rows if kind == CalendarAdjustment.Kind.DAY_OFF),
        extra_working_days=frozenset(day for day, kind in rows if kind == CalendarAdjustment.Kind.WORKING_DAY),
    )


def current_calendar() -> WorkingCalendar:
    """The effective calendar; reloaded from the database only after a change."""
    return versioned("calendar", lambda: _load(configuration_version()))


def is_working_day(day: date) -> bool:
    return current_calendar().is_working_day(day)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same local time of day on the `days`-th working day after `start`."""
    return current_calendar().add_working_days(start, days)
