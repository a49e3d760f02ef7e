"""Files: a report as PDF or DOCX (an official document, reports.official), XLSX or CSV; a person's case list (a queue, a search) as the same three.

PDFs are drawn by WeasyPrint with the bundled DejaVu Sans (reports/fonts),
which has every Vietnamese letter, so the output never depends on the
server's fonts. Spreadsheet cells (CSV and XLSX) go through cases.safe_csv, so none
runs as a formula; the case list's columns and rows are cases.exports', as in the queue's CSV.

Writing only: the export job's state is the services' (reports.services
calls write_cases_export with its progress callback).
"""

import io
import logging
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.exports import PROGRESS_EVERY, case_csv_write, case_export_columns, case_export_row, local_time
from cases.safe_csv import formula_safe_row, safe_csv_writer
from cases.selectors import case_list_for_user

from .diff import LABELS as FIGURE_LABELS
from .figures import PENDING_DECISION_LABEL
from . import situation, word
from .models import ExportFormat, ExportJob
from .official import official_document

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
# WeasyPrint reports each layout step at INFO; only its warnings are worth a log line.
for _noisy in ("weasyprint", "fontTools"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)
EXPORTS_DIR = "exports"
# WeasyPrint lays out roughly 25-100 table rows a second on this kind of machine (1-3 pages):
# beyond this a PDF is the wrong tool, and the page says to take XLSX or CSV.
PDF_MAX_ROWS = 1000
# Rows laid out per WeasyPrint document: the progress bar moves between chunks.
PDF_CHUNK_ROWS = 200


def font_faces() -> str:
    """@font-face rules for the bundled fonts (absolute file URLs, read by WeasyPrint only)."""
    faces = [("DLXH Sans", "DejaVuSans", "normal", "normal"), ("DLXH Sans", "DejaVuSans-Bold", "bold", "normal")]
    # The official documents' serif: Times New Roman is not free to bundle; DejaVu Serif has every Vietnamese letter.
    faces += [("DLXH Serif", f"DejaVuSerif{suffix}", weight, style) for suffix, weight, style in (
        ("", "normal", "normal"), ("-Bold", "bold", "normal"), ("-Italic", "normal", "italic"),
        ("-BoldItalic", "bold", "italic"))]
    return "".join(
        f'@font-face {{ font-family: "{family}"; src: url("{(FONTS_DIR / f"{file}.ttf").as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}\n"
        for family, file, weight, style in faces)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(FONTS_DIR)).write_pdf()


# --- reports ----------------------------------------------------------------------------


def _summary_rows(figures: dict) -> list[tuple[str, object]]:
    on_time = figures.get("on_time", {})
    rate = on_time.get("rate")
    change = figures.get("change", {})
    return [
        (str(FIGURE_LABELS["received"]), figures.get("received", 0)),
        (str(FIGURE_LABELS["resolved_in_period"]), figures.get("resolved_in_period", 0)),
        (str(FIGURE_LABELS["on_time.rate"]), f"{round(100 * rate)}%" if rate is not None else "—"),
        (str(FIGURE_LABELS["on_time.on_time"]), on_time.get("on_time", 0)),
        (str(FIGURE_LABELS["on_time.late"]), on_time.get("late", 0)),
        (str(FIGURE_LABELS["on_time.open_overdue"]), on_time.get("open_overdue", 0)),
        (str(FIGURE_LABELS["escalations.count"]), figures.get("escalations", {}).get("count", 0)),
        (str(FIGURE_LABELS["reopened"]), figures.get("reopened", 0)),
        (str(FIGURE_LABELS["pending_decision.count"]), figures.get("pending_decision", {}).get("count", 0)),
        (_("Thay đổi số tiếp nhận so với kỳ trước"), change.get("received", 0)),
        (_("Thay đổi số giải quyết xong so với kỳ trước"), change.get("resolved_in_period", 0)),
    ]


GROUP_KEYS = ("by_topic", "by_status", "by_locality", "by_channel")


def document_sections(figures: dict, narrative: str, version) -> list[dict]:
    """The body of the official document: the figures as tables, then the narrative (Vietnamese, always).

    A situation report (or a rapid report on a subject) opens with the state of opinion (reports.situation).
    """
    opinion = figures.get("opinion")
    sections = situation.document_sections(opinion, figures.get("surveys", [])) if opinion else []
    numerals = ("II", "III") if opinion else ("I", "II")
    sections.append({"heading": f"{numerals[0]}. SỐ LIỆU TIẾP NHẬN, GIẢI QUYẾT", "rows": _summary_rows(figures)})
    first = len(sections)
    for number, key in enumerate(GROUP_KEYS, start=1):
        rows = [(row["name"], row["n"]) for row in figures.get(key, [])] or [("—", "—")]
        sections.append({"heading": f"{number}. {FIGURE_LABELS[key]}", "rows": rows})
    emerging = figures.get("emerging", [])
    if emerging:
        sections.append({"heading": f"{len(sections) - first + 1}. Vấn đề nổi lên (tăng bất thường)",
                         "header": ("Lĩnh vực", "Địa bàn", "7 ngày qua", "Trung bình 8 tuần trước"),
                         "rows": [(s["topic_name"], s["locality_name"], s["count"], f"{s['baseline']:.1f}".replace(".", ","))
                                  for s in emerging]})
    overdue = figures.get("overdue", {}).get("cases", [])
    if overdue:
        sections.append({"heading": f"{len(sections) - first + 1}. Vụ việc quá hạn",
                         "header": ("Mã vụ việc", "Tiêu đề", "Đơn vị xử lý", "Hạn"),
                         "rows": [(c["code"], c["title"], c["owner"], local_time(c["deadline"])) for c in overdue]})
    pending = figures.get("pending_decision", {}).get("cases", [])
    if pending:
        sections.append({"heading": f"{len(sections) - first + 1}. {PENDING_DECISION_LABEL}", "paragraphs": [", ".join(pending)]})
    paragraphs = [line for line in (narrative or "").splitlines() if line.strip()] or ["—"]
    if version and version.reason:
        paragraphs.append(f"Lý do đính chính (phiên bản {version.number}): {version.reason}")
    sections.append({"heading": f"{numerals[1]}. ĐÁNH GIÁ, ĐỀ XUẤT", "paragraphs": paragraphs})
    return sections


def _official(report, figures: dict, narrative: str, version):
    # An official Vietnamese document: its text is Vietnamese whatever the reader's language.
    with translation.override("vi"):
        return official_document(report=report, version=version), document_sections(figures, narrative, version)


def report_pdf(*, report, figures: dict, narrative: str, version=None) -> bytes:
    doc, sections = _official(report, figures, narrative, version)
    html = render_to_string("reports/pdf/report.html", {
        "report": report, "doc": doc, "sections": sections, "font_faces": font_faces(), "page": word.PAGE})
    return html_to_pdf(html)


def report_docx(*, report, figures: dict, narrative: str, version=None) -> bytes:
    doc, sections = _official(report, figures, narrative, version)
    return word.report_docx(doc=doc, sections=sections)


def report_xlsx(*, report, figures: dict, narrative: str, version=None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    def put(sheet, row):
        sheet.append(formula_safe_row(row))  # openpyxl stores "=..." as a formula

    book = Workbook()
    summary = book.active
    summary.title = _("Tổng hợp")[:31]
    put(summary, [str(report)])
    summary["A1"].font = Font(bold=True)
    put(summary, [_("Đơn vị"), report.unit.name])
    put(summary, [_("Kỳ báo cáo"), f"{report.period_start:%d/%m/%Y} – {report.period_end:%d/%m/%Y}"])
    put(summary, [_("Trạng thái"), report.get_status_display()
                  + (f" ({_('phiên bản')} {version.number})" if version else "")])
    put(summary, [])
    for label, value in _summary_rows(figures):
        put(summary, [label, value])
    put(summary, [])
    put(summary, [_("Nội dung đánh giá, đề xuất")])
    for line in (narrative or "").splitlines():
        put(summary, [line])
    summary.column_dimensions["A"].width = 48
    summary.column_dimensions["B"].width = 40
    for key in GROUP_KEYS:
        sheet = book.create_sheet(str(FIGURE_LABELS[key])[:31])
        put(sheet, [_("Mã"), _("Tên"), _("Số vụ việc")])
        for row in figures.get(key, []):
            put(sheet, [row["code"], row["name"], row["n"]])
        sheet.column_dimensions["B"].width = 40
    overdue = book.create_sheet(_("Quá hạn")[:31])
    put(overdue, [_("Mã vụ việc"), _("Tiêu đề"), _("Đơn vị xử lý"), _("Hạn")])
    for row in figures.get("overdue", {}).get("cases", []):
        put(overdue, [row["code"], row["title"], row["owner"], local_time(row["deadline"])])
    included = book.create_sheet(_("Đưa vào báo cáo")[:31])
    put(included, [_("Mã vụ việc"), _("Loại")])
    for code in figures.get("reported_cases", {}).get("in_period", []):
        put(included, [code, _("Giải quyết trong kỳ")])
    for code in figures.get("reported_cases", {}).get("carried_over", []):
        put(included, [code, _("Kỳ trước chuyển sang")])
    for code in figures.get("pending_decision", {}).get("cases", []):
        put(included, [code, str(PENDING_DECISION_LABEL)])
    emerging = book.create_sheet(_("Vấn đề nổi lên")[:31])
    put(emerging, [_("Lĩnh vực"), _("Địa bàn"), _("Tuần này"), _("Trung bình 8 tuần trước"), "p"])
    for signal in figures.get("emerging", []):
        put(emerging, [signal["topic_name"], signal["locality_name"], signal["count"], signal["baseline"],
                       signal["p_value"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_csv(*, report, figures: dict, narrative: str, version=None) -> str:
    buffer = io.StringIO()
    writer = safe_csv_writer(buffer)
    writer.writerow([_("Mục"), _("Mã"), _("Tên"), _("Số lượng")])
    for label, value in _summary_rows(figures):
        writer.writerow([_("Tổng hợp"), "", label, value])
    for key in GROUP_KEYS:
        for row in figures.get(key, []):
            writer.writerow([str(FIGURE_LABELS[key]), row["code"], row["name"], row["n"]])
    return buffer.getvalue()


# --- case lists ------------------------------------------------------------------------


def filters_from_params(params: dict) -> dict:
    """The selector filters back from their stored JSON form."""
    filters = dict(params)
    for key in ("received_after", "received_before"):
        if isinstance(filters.get(key), str):
            filters[key] = datetime.fromisoformat(filters[key])
    return filters


def write_cases_export(job: ExportJob, *, progress) -> tuple[str, int]:
    """Write the job's file under MEDIA_ROOT/exports; returns its path relative to MEDIA_ROOT and the rows written.

    `progress(done, total)` is called as the rows go out (the caller records it on the job).
    """
    cases = case_list_for_user(user=job.user, filters=filters_from_params(job.params))
    total = cases.count()
    if job.fmt == ExportFormat.PDF:
        total = min(total, PDF_MAX_ROWS)
    progress(0, total)
    relative = f"{EXPORTS_DIR}/{job.uid}.{job.fmt}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = cases.iterator(chunk_size=2000)
    with translation.override(job.params.get("_language") or settings.LANGUAGE_CODE):
        if job.fmt == ExportFormat.CSV:
            _cases_csv(path, rows, total, progress)
        elif job.fmt == ExportFormat.XLSX:
            _cases_xlsx(path, rows, total, progress)
        else:
            _cases_pdf(path, rows, total, progress, truncated=cases.count() > PDF_MAX_ROWS)
    return relative, total


def _cases_csv(path: Path, rows, total, progress) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("\ufeff")  # spreadsheet programs then read the Vietnamese as UTF-8
        case_csv_write(out, rows, progress=lambda done: progress(done, total))


def _cases_xlsx(path: Path, rows, total, progress) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)  # streams rows: memory stays flat however long the list
    sheet = book.create_sheet(_("Vụ việc")[:31])
    sheet.append(formula_safe_row(case_export_columns()))
    for done, case in enumerate(rows, start=1):
        sheet.append(formula_safe_row(case_export_row(case)))
        if done % PROGRESS_EVERY == 0:
            progress(done, total)
    book.save(path)


def _cases_pdf(path: Path, rows, total, progress, *, truncated: bool) -> None:
    """Lay out the list in chunks (progress between them), then join their pages into one PDF.

    Reading the rows is quick; laying them out is the slow part, so it is
    the second half of the progress bar.
    """
    from weasyprint import HTML

    table = []
    for done, case in enumerate(rows, start=1):
        if done > PDF_MAX_ROWS:
            break
        table.append(case_export_row(case))
    progress(len(table) // 2, len(table))
    documents = []
    printed_at = timezone.localtime()
    for first in range(0, max(len(table), 1), PDF_CHUNK_ROWS):
        html = render_to_string("reports/pdf/cases.html", {
            "columns": case_export_columns(), "rows": table[first:first + PDF_CHUNK_ROWS], "truncated": truncated,
            "limit": PDF_MAX_ROWS, "font_faces": font_faces(), "printed_at": printed_at, "heading": first == 0,
        })
        documents.append(HTML(string=html, base_url=str(FONTS_DIR)).render())
        laid_out = min(first + PDF_CHUNK_ROWS, len(table))
        progress(len(table) // 2 + laid_out // 2, len(table))
    pages = [page for document in documents for page in document.pages]
    path.write_bytes(documents[0].copy(pages).write_pdf())
