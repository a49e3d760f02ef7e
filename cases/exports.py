"""Exports of what a person may see: the same scoped selector as every list."""

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from .selectors import case_list_for_user


def case_export_csv(*, user, filters: dict | None = None) -> str:
    """The person's visible cases (after filters) as CSV text, one row a case."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Mã vụ việc"), _("Trạng thái"), _("Tiêu đề"), _("Lĩnh vực"), _("Địa bàn"),
                     _("Đơn vị xử lý"), _("Độ khẩn"), _("Thời điểm tiếp nhận"), _("Hạn")])
    for case in case_list_for_user(user=user, filters=filters).iterator(chunk_size=2000):
        writer.writerow([
            case.code, case.get_status_display(), _csv_safe(case.title), case.topic.name, case.locality.name,
            case.owner.name, case.get_priority_display(),
            timezone.localtime(case.received_at).strftime("%d/%m/%Y %H:%M"),
            timezone.localtime(case.deadline).strftime("%d/%m/%Y %H:%M") if case.deadline else "",
        ])
    return buffer.getvalue()


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ (or a tab or carriage return before one)
    # would run as a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
