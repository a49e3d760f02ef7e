"""Exports: a report as PDF (Vietnamese text readable back), XLSX (right rows), CSV; long case-list
exports through a Celery task with progress and a download only the person who asked may fetch."""

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.models import ExportJob, ReportKind
from reports.services import export_job_create, export_job_run, report_draft_create, report_submit

from .conftest import at

NARRATIVE = "Tình hình dư luận ổn định; người dân đồng thuận với chủ trương giải phóng mặt bằng. Đề nghị Tỉnh ủy hướng dẫn."
# Every Vietnamese vowel with every tone mark, and đ.
ALL_DIACRITICS = "àáảãạ ằắẳẵặ ầấẩẫậ èéẻẽẹ ềếểễệ ìíỉĩị òóỏõọ ồốổỗộ ờớởỡợ ùúủũụ ừứửữự ỳýỷỹỵ đĐ ĂÂÊÔƠƯ"


@pytest.fixture
def sent_report(world, life):
    life.resolved(at(2026, 3, 2), days=3, title="Đường liên thôn xuống cấp")
    life.resolved(at(2026, 3, 4), days=3, topic=world.quiet_topic, title="Góp ý lắp đèn")
    life.case(at(2026, 3, 9), (at(2026, 3, 9, 10), "verify"), title="Ô nhiễm tiếng ồn")
    life.tm.move_to(at(2026, 4, 3), tick=False)
    report = report_draft_create(by=world.secretariat, unit=world.commune_a, kind=ReportKind.MONTHLY,
                                 period_start=at(2026, 3, 1).date())
    report_submit(report=report, by=world.secretariat, narrative=f"{NARRATIVE}\n{ALL_DIACRITICS}")
    return report


def test_the_pdf_contains_the_vietnamese_text(sent_report, as_user, world):
    response = as_user("secretariat").get(f"/reports/{sent_report.pk}/export.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert "ĐẢNG ỦY XÃ A" in flat and "phản ánh tháng 3 năm 2026" in flat  # the official layout
    assert " ".join(NARRATIVE.split()) in flat
    assert ALL_DIACRITICS in flat  # every letter drawn from the bundled font and read back
    assert "Môi trường 2" in flat and "Góp ý, đề xuất 1" in flat
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("+DLXH-Serif" in name for name in fonts)  # only the bundled font, embedded (subset)


def test_the_xlsx_opens_with_the_right_rows(sent_report, as_user, world):
    response = as_user("leader").get(f"/reports/{sent_report.pk}/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames[:5] == ["Tổng hợp", "Theo lĩnh vực", "Theo trạng thái", "Theo địa bàn", "Theo kênh tiếp nhận"]
    topics = list(book["Theo lĩnh vực"].iter_rows(values_only=True))
    assert topics == [("Mã", "Tên", "Số vụ việc"), ("MT", "Môi trường", 2), ("GY", "Góp ý, đề xuất", 1)]  # most first
    statuses = {row[0]: row[2] for row in book["Theo trạng thái"].iter_rows(min_row=2, values_only=True)}
    assert (statuses["resolved"], statuses["verified"], statuses["received"]) == (2, 1, 0)
    summary = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(values_only=True) if row and row[0]}
    assert summary["Vụ việc tiếp nhận trong kỳ"] == 3
    included = list(book["Đưa vào báo cáo"].iter_rows(min_row=2, values_only=True))
    assert len(included) == 2 and all(kind == "Giải quyết trong kỳ" for _code, kind in included)


def test_the_csv_of_a_report(sent_report, as_user):
    response = as_user("secretariat").get(f"/reports/{sent_report.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Mục", "Mã", "Tên", "Số lượng"]
    assert ["Theo lĩnh vực", "MT", "Môi trường", "2"] in rows


def test_a_report_export_is_as_private_as_the_report(sent_report, as_user):
    for username in ("leader2", "handler", "clerk2"):
        assert as_user(username).get(f"/reports/{sent_report.pk}/export.pdf").status_code == 404
    assert as_user("supervisor").get(f"/reports/{sent_report.pk}/export.xlsx").status_code == 200
    assert as_user("secretariat").get(f"/reports/{sent_report.pk}/export.doc").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_a_case_list_export_runs_in_the_background_with_progress(world, life, as_user, fmt, settings,
                                                                  django_capture_on_commit_callbacks, monkeypatch):
    for day in range(2, 6):
        life.case(at(2026, 3, day), title=f"Nước sạch thôn {day}")
    life.case(at(2026, 3, 3), commune="B", title="Nước sạch phường B")
    life.tm.move_to(at(2026, 3, 10), tick=False)
    queued = []
    monkeypatch.setattr("reports.tasks.export_job_run_task.apply_async", lambda args, **kw: queued.append(args[0]))

    client = as_user("clerk")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/exports/", {"fmt": fmt, "q": "nuoc sach"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/exports/{job.uid}/"
    assert queued == [job.pk] and job.status == ExportJob.Status.PENDING
    page = client.get(f"/reports/exports/{job.uid}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in page  # the progress bar polls while it waits

    progress = []
    monkeypatch.setattr("reports.services.export_job_progress",
                        lambda *, job_id, done, total: progress.append((done, total)))
    export_job_run(job_id=job.pk)
    assert export_job_run(job_id=job.pk) is None  # a second run of the same task does nothing
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.percent) == (ExportJob.Status.DONE, 4, 100)
    assert progress[0] == (0, 4)
    done_page = client.get(f"/reports/exports/{job.uid}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done_page and f"/reports/exports/{job.uid}/download/" in done_page

    download = client.get(f"/reports/exports/{job.uid}/download/")
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        titles = [row[2] for row in rows[1:]]
    elif fmt == "xlsx":
        rows = list(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True))
        titles = [row[2] for row in rows[1:]]
    else:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
        titles = [f"Nước sạch thôn {day}" for day in range(2, 6) if f"Nước sạch thôn {day}" in text]
        assert "phường B" not in text
    assert sorted(titles) == [f"Nước sạch thôn {day}" for day in range(2, 6)]  # the clerk's scope only
    for other in ("clerk2", "leader", "inspector"):
        assert as_user(other).get(f"/reports/exports/{job.uid}/download/").status_code == 404
        assert as_user(other).get(f"/reports/exports/{job.uid}/").status_code == 404


def test_export_job_create_keeps_filters_as_json(world):
    from datetime import datetime

    job = export_job_create(by=world.clerk, fmt="csv", filters={"received_after": at(2026, 3, 1), "q": "rác"})
    assert job.params == {"received_after": at(2026, 3, 1).isoformat(), "q": "rác"}
    from reports.exports import filters_from_params

    assert isinstance(filters_from_params(job.params)["received_after"], datetime)
