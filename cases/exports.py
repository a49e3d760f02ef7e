"""The case list as a file: its columns and rows written once, for the queue's CSV and the reports' exports.

Every case list comes from the same scoped selector as the screens; every
CSV goes through cases.safe_csv, which keeps cells from running as formulas.
"""

import io

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .safe_csv import safe_csv_writer
from .selectors import case_list_for_user

# Rows between two progress reports of a long export.
PROGRESS_EVERY = 500


def local_time(moment) -> str:
    """dd/mm/yyyy hh:mm in Vietnam time; "" for none (a moment stored as ISO text is read back first)."""
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = parse_datetime(moment)
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def case_export_columns() -> list[str]:
    return [_("Mã vụ việc"), _("Trạng thái"), _("Tiêu đề"), _("Lĩnh vực"), _("Địa bàn"), _("Đơn vị xử lý"),
            _("Độ khẩn"), _("Thời điểm tiếp nhận"), _("Hạn")]


def case_export_row(case) -> list:
    """One case's cells as stored; a spreadsheet writer guards them (cases.safe_csv), a PDF shows them as they are."""
    return [
        case.code, case.get_status_display(), case.title, case.topic.name, case.locality.name,
        case.owner.name, case.get_priority_display(), local_time(case.received_at), local_time(case.deadline),
    ]


def case_csv_write(out, cases, *, progress=None) -> int:
    """Write the header and one row a case onto `out`; `progress(done)` every PROGRESS_EVERY rows. Returns the rows."""
    writer = safe_csv_writer(out)
    writer.writerow(case_export_columns())
    done = 0
    for done, case in enumerate(cases, start=1):
        writer.writerow(case_export_row(case))
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    return done


def case_export_csv(*, user, filters: dict | None = None) -> str:
    """The person's visible cases (after filters) as CSV text, one row a case."""
    return case_export_csv_counted(user=user, filters=filters)[0]


def case_export_csv_counted(*, user, filters: dict | None = None) -> tuple[str, int]:
    """The CSV text and how many cases it holds."""
    buffer = io.StringIO()
    rows = case_csv_write(buffer, case_list_for_user(user=user, filters=filters).iterator(chunk_size=2000))
    return buffer.getvalue(), rows
