"""A submitted report as an official document, in Word and PDF, read back: the Party layout (36-HD/VPTW) for
commune A, the State layout (Nghị định 30/2020/NĐ-CP) for commune B; the number given once at submission."""

import io

import pytest
from django.core.exceptions import ValidationError
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from pypdf import PdfReader

from reports.models import DocumentLayout, ExportJob, Report, ReportKind, UnitDocumentSettings
from reports.official import document_settings_defaults
from reports.services import export_job_create, report_draft_create

from .conftest import at

NARRATIVE = "Tình hình dư luận ổn định; đề nghị Ban Thường vụ Tỉnh ủy quan tâm chỉ đạo."
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def layouts(world):
    party = UnitDocumentSettings.objects.create(
        unit=world.commune_a, layout=DocumentLayout.PARTY, superior_body="Đảng bộ tỉnh P",
        issuing_body="Đảng ủy xã An Bình", number_pattern="{number}-BC/ĐU", next_number=12, place="An Bình",
        recipients="Ban Thường vụ Tỉnh ủy (để báo cáo)\nLưu Văn phòng Đảng ủy", signer_authority="T/M Ban Thường vụ",
        signer_title="Bí thư", signer_name="Bùi Thị Hồng Chiên")
    state = UnitDocumentSettings.objects.create(
        unit=world.commune_b, layout=DocumentLayout.STATE, issuing_body="Ủy ban nhân dân phường Bình Minh",
        number_pattern="{number:02d}/BC-UBND", next_number=7, place="Bình Minh",
        recipients="- UBND tỉnh (để báo cáo);\nLưu: VT", signer_authority="TM. Ủy ban nhân dân",
        signer_title="Chủ tịch", signer_name="Phạm Thế Vinh")
    return party, state


def _submitted(world, life, as_user, commune):
    """A March report of the commune, drafted and then submitted through the report page on 3 April."""
    life.resolved(at(2026, 3, 2), days=3, commune=commune, title="Đường liên thôn xuống cấp")
    life.tm.move_to(at(2026, 4, 3), tick=False)
    unit, writer = (world.commune_a, "secretariat") if commune == "A" else (world.commune_b, "leader2")
    report = report_draft_create(by=world.users[writer], unit=unit, kind=ReportKind.MONTHLY,
                                 period_start=at(2026, 3, 1).date())
    client = as_user(writer)
    assert client.post(f"/reports/{report.pk}/submit/", {"narrative": NARRATIVE, "confirm": "1"}).status_code == 302
    return Report.objects.get(pk=report.pk), client


def _lines(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text.strip()]


def _runs(cell, text):
    return next(p for p in cell.paragraphs if p.text == text).runs


def _read_docx(client, report):
    response = client.get(f"/reports/{report.pk}/export.docx")
    assert response.status_code == 200 and response["Content-Type"] == DOCX_TYPE
    return Document(io.BytesIO(response.content))


def _pdf_text(client, report) -> str:
    response = client.get(f"/reports/{report.pk}/export.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _in_order(text: str, blocks: list[str]) -> None:
    positions = [text.find(block) for block in blocks]
    assert -1 not in positions, [b for b, p in zip(blocks, positions, strict=True) if p == -1]
    assert positions == sorted(positions), blocks


def _assert_page_and_font(document):
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [20, 20, 30, 15]
    assert document.styles["Normal"].font.name == "Times New Roman"
    runs = [run for p in document.paragraphs for run in p.runs]
    runs += [run for t in document.tables for cell in t._cells for p in cell.paragraphs for run in p.runs]
    assert runs and all(run.font.name in (None, "Times New Roman") for run in runs)  # nothing overrides it
    assert {round(run.font.size.pt) for run in runs if run.text.strip()} <= {11, 12, 13, 14, 15, 16}


def _assert_frames_borderless(document):
    for table in (document.tables[0], document.tables[-1]):
        assert table.style is None or table.style.name != "Table Grid"
        assert "tblBorders" not in table._tbl.xml


def test_party_layout_docx_and_pdf_of_a_submitted_report(world, life, as_user, layouts):
    report, client = _submitted(world, life, as_user, "A")
    assert report.document_number == "12-BC/ĐU"
    document = _read_docx(client, report)
    header, closing = document.tables[0], document.tables[-1]
    left, right = header.rows[0].cells
    assert _lines(left) == ["ĐẢNG BỘ TỈNH P", "ĐẢNG ỦY XÃ AN BÌNH", "*", "Số 12-BC/ĐU"]
    assert _runs(left, "ĐẢNG ỦY XÃ AN BÌNH")[0].bold
    assert _lines(right) == ["ĐẢNG CỘNG SẢN VIỆT NAM", "An Bình, ngày 03 tháng 4 năm 2026"]
    heading = _runs(right, "ĐẢNG CỘNG SẢN VIỆT NAM")[0]
    assert heading.bold and heading.underline
    assert _runs(right, "An Bình, ngày 03 tháng 4 năm 2026")[0].italic
    title = next(p for p in document.paragraphs if p.text == "BÁO CÁO")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and all(run.bold for run in title.runs)
    subject = next(p for p in document.paragraphs if p.text.startswith("Tình hình tiếp nhận"))
    assert subject.text == "Tình hình tiếp nhận, giải quyết ý kiến, kiến nghị, phản ánh tháng 3 năm 2026"
    assert subject.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert any(p.text == NARRATIVE for p in document.paragraphs)
    figures = document.tables[1]  # the figures as a table, between the two frames
    assert ["Vụ việc tiếp nhận trong kỳ", "1"] in [[c.text for c in row.cells] for row in figures.rows]
    notes, signature = closing.rows[0].cells
    assert _lines(notes) == ["Nơi nhận:", "- Ban Thường vụ Tỉnh ủy (để báo cáo),", "- Lưu Văn phòng Đảng ủy."]
    assert _runs(notes, "Nơi nhận:")[0].underline
    assert _lines(signature) == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Bùi Thị Hồng Chiên"]
    _assert_page_and_font(document)
    _assert_frames_borderless(document)

    text = _pdf_text(client, report)
    _in_order(text, ["ĐẢNG BỘ TỈNH P", "ĐẢNG ỦY XÃ AN BÌNH", "Số 12-BC/ĐU", "ĐẢNG CỘNG SẢN VIỆT NAM",
                     "An Bình, ngày 03 tháng 4 năm 2026", "BÁO CÁO", "tháng 3 năm 2026",
                     "I. SỐ LIỆU TIẾP NHẬN, GIẢI QUYẾT", "Vụ việc tiếp nhận trong kỳ", "II. ĐÁNH GIÁ, ĐỀ XUẤT",
                     NARRATIVE, "Nơi nhận:", "- Lưu Văn phòng Đảng ủy.", "T/M BAN THƯỜNG VỤ", "BÍ THƯ",
                     "Bùi Thị Hồng Chiên"])

    # The number was given once: exporting again, in English, shows the same one and takes no other.
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Download Word (official document)" in client.get(f"/reports/{report.pk}/").content.decode()
    again = _read_docx(client, report)
    assert _lines(again.tables[0].rows[0].cells[0])[-1] == "Số 12-BC/ĐU"
    assert any(p.text == "BÁO CÁO" for p in again.paragraphs)
    assert UnitDocumentSettings.objects.get(unit=world.commune_a).next_number == 13


def test_state_layout_docx_and_pdf_of_a_submitted_report(world, life, as_user, layouts):
    report, client = _submitted(world, life, as_user, "B")
    document = _read_docx(client, report)
    left, right = document.tables[0].rows[0].cells
    assert _lines(left) == ["ỦY BAN NHÂN DÂN PHƯỜNG BÌNH MINH", "________", "Số: 07/BC-UBND"]
    assert _lines(right) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                             "Bình Minh, ngày 03 tháng 4 năm 2026"]
    assert _runs(right, "Độc lập - Tự do - Hạnh phúc")[0].underline
    assert _runs(right, "Bình Minh, ngày 03 tháng 4 năm 2026")[0].italic
    title = next(p for p in document.paragraphs if p.text == "BÁO CÁO")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and all(run.bold for run in title.runs)
    notes, signature = document.tables[-1].rows[0].cells
    assert _lines(notes) == ["Nơi nhận:", "- UBND tỉnh (để báo cáo);", "- Lưu: VT."]
    assert _runs(notes, "Nơi nhận:")[0].bold and _runs(notes, "Nơi nhận:")[0].italic
    assert _lines(signature) == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Phạm Thế Vinh"]
    _assert_page_and_font(document)
    _assert_frames_borderless(document)

    text = _pdf_text(client, report)
    _in_order(text, ["ỦY BAN NHÂN DÂN PHƯỜNG BÌNH MINH", "Số: 07/BC-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "Bình Minh, ngày 03 tháng 4 năm 2026", "BÁO CÁO",
                     "I. SỐ LIỆU", "II. ĐÁNH GIÁ, ĐỀ XUẤT", NARRATIVE, "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN",
                     "CHỦ TỊCH", "Phạm Thế Vinh"])


def test_another_communes_report_is_not_found_in_any_format(world, life, as_user, layouts):
    report, _client = _submitted(world, life, as_user, "A")
    for username in ("leader2", "clerk2", "handler"):
        for fmt in ("docx", "pdf"):
            assert as_user(username).get(f"/reports/{report.pk}/export.{fmt}").status_code == 404, (username, fmt)


def test_units_without_settings_get_defaults_from_their_names(world):
    party = document_settings_defaults(world.commune_a)  # "Đảng ủy xã A" under "Tỉnh ủy P"
    assert (party["layout"], party["superior_body"], party["issuing_body"], party["place"]) == (
        DocumentLayout.PARTY, "ĐẢNG BỘ TỈNH P", "ĐẢNG ỦY XÃ A", "A")
    assert (party["number_pattern"], party["signer_authority"]) == ("{number}-BC/ĐU", "T/M BAN THƯỜNG VỤ")
    world.commune_b.name = "Ủy ban nhân dân phường B"
    state = document_settings_defaults(world.commune_b)
    assert (state["layout"], state["issuing_body"], state["number_pattern"], state["signer_title"]) == (
        DocumentLayout.STATE, "ỦY BAN NHÂN DÂN PHƯỜNG B", "{number:02d}/BC-UBND", "CHỦ TỊCH")


def test_a_draft_prints_room_for_its_number_and_date(world, life, as_user):
    life.tm.move_to(at(2026, 4, 3), tick=False)
    draft = report_draft_create(by=world.secretariat, unit=world.commune_a, kind=ReportKind.MONTHLY,
                                period_start=at(2026, 3, 1).date())
    document = _read_docx(as_user("secretariat"), draft)
    left, right = document.tables[0].rows[0].cells
    assert _lines(left)[-1] == "Số     -BC/ĐU" and _lines(right)[-1] == "A, ngày    tháng    năm 2026"
    assert not UnitDocumentSettings.objects.exists()  # a draft takes no number and writes nothing


def test_case_list_exports_do_not_offer_word(world, as_user):
    page = as_user("clerk").get("/reports/exports/").content.decode()
    assert 'value="xlsx"' in page and 'value="docx"' not in page
    response = as_user("clerk").post("/reports/exports/", {"fmt": "docx"})
    assert response.status_code == 200 and not ExportJob.objects.exists()
    with pytest.raises(ValidationError):
        export_job_create(by=world.clerk, fmt="docx", filters={})


def test_the_settings_are_edited_on_the_admin_site_and_recorded(world, client):
    from django.contrib.auth import get_user_model

    from reports.models import AdminChange

    client.force_login(get_user_model().objects.create_superuser("root", password="pw-for-tests-1"))
    form = client.get(f"/admin/reports/unitdocumentsettings/add/?unit={world.commune_a.pk}").content.decode()
    assert "ĐẢNG ỦY XÃ A" in form and "T/M BAN THƯỜNG VỤ" in form  # starts from the derived defaults
    fields = {"unit": world.commune_a.pk, "layout": "state", "superior_body": "", "next_number": 3,
              "issuing_body": "Ủy ban nhân dân xã A", "place": "A", "recipients": "Lưu: VT",
              "signer_authority": "TM. Ủy ban nhân dân", "signer_title": "Chủ tịch", "signer_name": "Lê Văn C"}
    refused = client.post("/admin/reports/unitdocumentsettings/add/", {**fields, "number_pattern": "BC-UBND"})
    assert refused.status_code == 200 and not UnitDocumentSettings.objects.exists()  # no {number}: refused
    added = client.post("/admin/reports/unitdocumentsettings/add/", {**fields, "number_pattern": "{number:02d}/BC-UBND"})
    assert added.status_code == 302
    assert UnitDocumentSettings.objects.get().format_number(3) == "03/BC-UBND"
    change = AdminChange.objects.get(model="reports.unitdocumentsettings")
    assert change.after["layout"] == "state" and change.after["signer_name"] == "Lê Văn C"
