"""What every screen shares, the web's and the reports': error pages, a paginator that stays fast,
the case filter form and its periods, and how reference data is shown in a select or an input.

The one module of `web` that other apps' screens import (reports' views and
forms). It reads through cases.selectors and imports no other web module, so
sharing it pulls nothing else of the web screens along.
"""

import threading
from datetime import datetime, time, timedelta
from functools import cached_property

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.signals import request_finished, request_started
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.exceptions import CaseError, CaseNotFound
from cases.models import CaseStatus, Priority, Unit
from cases.selectors import all_channels, all_topics, person_unit_names, scope_units
from cases.text import fold
from workflow.figures import OPEN_STATUS_FILTER

# --- answers for the services' errors ----------------------------------------------------


def not_found(request, message=None):
    """The 404 page; a case the person may not see looks exactly like a missing one."""
    return render(request, "404.html", {"message": message or CaseNotFound.default_message}, status=404)


def forbidden(request, message=None):
    return render(request, "403.html", {"message": message}, status=403)


def refused(message) -> str:
    return str(message) if message else gettext("Không thực hiện được thao tác.")


def found_or_404(selector, **kwargs):
    """What a selector finds; missing or out of reach (CaseNotFound and its kin) is the 404 page."""
    try:
        return selector(**kwargs)
    except CaseNotFound:
        raise Http404 from None


def run_service_for_page(request, service, **kwargs):
    """Run a service as this person from a screen: its answer, or None once its refusal is shown as a message;
    out of reach is a 404."""
    try:
        return service(by=request.user, **kwargs)
    except CaseNotFound:
        raise Http404 from None
    except ValidationError as error:
        for text in getattr(error, "messages", [str(error)]):
            messages.error(request, text)
    except CaseError as error:
        messages.error(request, refused(error.message))
    return None


# --- long lists ------------------------------------------------------------------------------


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


# --- reference data in selects and inputs ------------------------------------------------------


def indented(nodes, base_depth: int = 1) -> list[tuple[str, str]]:
    """(code, label) pairs with the tree depth shown by a leading dash, for selects."""
    return [(node.code, "— " * (node.depth - base_depth) + node.name) for node in nodes]


def unit_label(unit: Unit) -> str:
    """What a locality input shows and accepts back: "Thôn Đông (DM-ANBINH-T01)"."""
    return f"{unit.name} ({unit.code})"


def unit_from_label(units: QuerySet[Unit], text: str) -> Unit | None:
    """The unit a locality input names: by code in trailing parentheses, by code, or by exact name."""
    text = (text or "").strip()
    if not text:
        return None
    code = text[text.rfind("(") + 1:-1].strip() if text.endswith(")") and "(" in text else text
    unit = units.filter(code__iexact=code).first()
    if unit is None:
        matches = [u for u in units if fold(u.name) == fold(text)]
        unit = matches[0] if len(matches) == 1 else None
    return unit


# Labels made during the current request (a history or a queue names the same few people many times);
# outside a request nothing is kept, so no label outlives a change of name or unit.
_labels = threading.local()


def _start_labels(**kwargs):
    _labels.by_pk = {}


def _drop_labels(**kwargs):
    _labels.by_pk = None


request_started.connect(_start_labels, dispatch_uid="web.ui.person_labels_start")
request_finished.connect(_drop_labels, dispatch_uid="web.ui.person_labels_drop")


def person_label(user) -> str:
    """A person as colleagues know them: full name and unit, not the login ("Nguyễn Văn Hòa · Đảng ủy xã A").
    The login stands in only for an account that has no name."""
    memo = getattr(_labels, "by_pk", None)
    if memo is not None and user.pk in memo:
        return memo[user.pk]
    full = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    units = person_unit_names(user)
    name = full or user.get_username()
    label = f"{name} · {units[0]}" if units else name
    if memo is not None:
        memo[user.pk] = label
    return label


def choices(pairs, *, empty=None) -> list:
    """A select's choices, led by an "any" entry when `empty` names it."""
    pairs = list(pairs)
    return ([("", empty)] + pairs) if empty is not None else pairs


# --- forms ---------------------------------------------------------------------------------------


class WebForm(forms.Form):
    """A form whose choice errors speak Vietnamese (Django's own catalogue leaves that one in English)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = _("Lựa chọn không hợp lệ.")


# Dates typed the Vietnamese way (the browser's date picker follows its own locale, not the page's).
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_WIDGET = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y")

PERIOD_CHOICES = [
    ("", _("Mọi thời gian")),
    ("today", _("Hôm nay")),
    ("7d", _("7 ngày qua")),
    ("30d", _("30 ngày qua")),
    ("month", _("Tháng này")),
    ("last_month", _("Tháng trước")),
    ("year", _("Năm nay")),
    ("custom", _("Từ ngày – đến ngày")),
]

# Not a status of its own: every status in which the case is still being handled (the dashboard's "Đang xử lý").


class CaseFilterForm(WebForm):
    q = forms.CharField(label=_("Tìm kiếm"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Mã, tiêu đề, nội dung (không cần dấu)"),
                                                      "type": "search"}))
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)
    topic = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    locality = forms.ChoiceField(label=_("Địa bàn"), required=False)
    priority = forms.ChoiceField(label=_("Độ khẩn"), required=False)
    channel = forms.ChoiceField(label=_("Kênh"), required=False)
    period = forms.ChoiceField(label=_("Thời gian tiếp nhận"), required=False, choices=PERIOD_CHOICES)
    date_from = forms.DateField(label=_("Từ ngày"), required=False, input_formats=DATE_FORMATS,
                                widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Đến ngày"), required=False, input_formats=DATE_FORMATS,
                              widget=DATE_WIDGET)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        everything = _("Tất cả")
        self.fields["status"].choices = choices(
            [(OPEN_STATUS_FILTER, _("Đang xử lý (mọi bước chưa xong)"))] + list(CaseStatus.choices),
            empty=everything,
        )
        self.fields["topic"].choices = choices(indented(all_topics()), empty=everything)
        units = scope_units(user=user)
        base = min((u.depth for u in units), default=1)
        self.fields["locality"].choices = choices(indented(units, base_depth=base), empty=everything)
        self.fields["priority"].choices = choices(Priority.choices, empty=everything)
        self.fields["channel"].choices = choices(((c.code, c.name) for c in all_channels()), empty=everything)


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
