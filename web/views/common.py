"""What every screen shares: error pages for the services' errors, periods, a paginator that stays fast."""

from datetime import datetime, time, timedelta
from functools import cached_property

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import CaseNotFound


def not_found(request, message=None):
    """The 404 page; a case the person may not see looks exactly like a missing one."""
    return render(request, "404.html", {"message": message or CaseNotFound.default_message}, status=404)


def forbidden(request, message=None):
    return render(request, "403.html", {"message": message}, status=403)


def period_bounds(period: str, date_from=None, date_to=None, *, today=None) -> tuple[datetime | None, datetime | None]:
    """[start, end) in local time for a period choice; (None, None) for all time."""
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    if (date_from or date_to) and period in ("", "custom"):
        period = "custom"  # typed dates speak for themselves

    def at(day):
        return timezone.make_aware(datetime.combine(day, time.min), tz)

    if period == "today":
        return at(today), at(today + timedelta(days=1))
    if period == "7d":
        return at(today - timedelta(days=6)), at(today + timedelta(days=1))
    if period == "30d":
        return at(today - timedelta(days=29)), at(today + timedelta(days=1))
    if period == "month":
        first = today.replace(day=1)
        return at(first), at((first + timedelta(days=32)).replace(day=1))
    if period == "last_month":
        first = today.replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        return at(previous), at(first)
    if period == "year":
        return at(today.replace(month=1, day=1)), at(today.replace(year=today.year + 1, month=1, day=1))
    if period == "custom":
        return (at(date_from) if date_from else None), (at(date_to + timedelta(days=1)) if date_to else None)
    return None, None


def selector_filters(cleaned: dict, *, keys=("q", "status", "topic", "locality", "priority", "channel", "owner")) -> dict:
    """The filters cases.selectors understands, from a filter form's cleaned data."""
    filters = {key: cleaned[key] for key in keys if cleaned.get(key)}
    after, before = period_bounds(cleaned.get("period") or "", cleaned.get("date_from"), cleaned.get("date_to"))
    if after:
        filters["received_after"] = after
    if before:
        filters["received_before"] = before
    return filters


class CappedPaginator(Paginator):
    """A Paginator that never counts more than `cap` rows.

    `SELECT COUNT(*) FROM (... LIMIT cap + 1)` stops early on a huge table,
    so a province-wide list costs the same as a commune's. Beyond the cap
    the page says "more than N" and asks for a narrower filter.
    """

    def __init__(self, object_list, per_page, *, cap=5000, **kwargs):
        self.cap = cap
        super().__init__(object_list, per_page, **kwargs)

    @cached_property
    def count(self):
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self):
        return max(1, -(-min(self.count, self.cap) // self.per_page))


def capped_count(queryset, cap=999) -> str:
    """A tab's count, "999+" beyond the cap (bounded work, see CappedPaginator)."""
    n = queryset.order_by()[: cap + 1].count()
    return f"{cap}+" if n > cap else str(n)


def refused(message) -> str:
    return str(message) if message else _("Không thực hiện được thao tác.")
