"""A report as an official document in Word (DOCX, python-docx): offices edit, sign and stamp it.

The blocks and their text come from reports.official; sizes and styles follow the unit's layout
(Hướng dẫn 36-HD/VPTW, Phụ lục 3; Nghị định 30/2020/NĐ-CP, Phụ lục I). docs/reports.md lists the
points followed.
"""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "Times New Roman"
# A4; top and bottom 20 mm, left 30 mm, right 15 mm: within Nghị định 30's ranges (20-25, 30-35, 15-20).
PAGE = {"width": 210, "height": 297, "top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = PAGE["width"] - PAGE["left"] - PAGE["right"]
CENTER, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY


def _page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE["width"]), Mm(PAGE["height"])
    section.top_margin, section.bottom_margin = Mm(PAGE["top"]), Mm(PAGE["bottom"])
    section.left_margin, section.right_margin = Mm(PAGE["left"]), Mm(PAGE["right"])
    # Page numbers centred in the top margin, none on the first page (Nghị định 30, I.7).
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    number._p.append(field)


def _font(document, size: int) -> None:
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(size)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(script), FONT)
    normal.paragraph_format.space_after = Pt(0)


def _line(container, text: str, *, size: float, bold=False, italic=False, underline=False, align=CENTER,
          space_after: float = 0):
    paragraph = container.add_paragraph() if hasattr(container, "add_paragraph") else container
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold, run.italic, run.underline = bold, italic, underline
    return paragraph


def _borderless(document, widths_mm: tuple[float, float]):
    table = document.add_table(rows=1, cols=2)  # the default table style draws no borders
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, width in zip(table.rows[0].cells, widths_mm, strict=True):
        cell.width = Mm(width)
    return table.rows[0].cells


def _first(cell, text: str, **style):
    """Write the cell's first line into the paragraph a new cell already has."""
    return _line(cell.paragraphs[0], text, **style)


def _header(document, doc) -> None:
    left, right = _borderless(document, (72, TEXT_WIDTH_MM - 72))
    size = 14 if doc.party else 13
    if doc.superior_body:
        _first(left, doc.superior_body, size=size)
        _line(left, doc.issuing_body, size=size, bold=True)
    else:
        _first(left, doc.issuing_body, size=size, bold=True)
    # 36-HD/VPTW: an asterisk under the issuing body; Nghị định 30: a short rule.
    _line(left, "*" if doc.party else "________", size=size)
    _line(left, doc.number_line, size=size)
    if doc.party:
        # The heading with a rule its own length under it: underlined text is exactly that.
        _first(right, doc.heading, size=15, bold=True, underline=True, space_after=6)
    else:
        _first(right, doc.heading, size=13, bold=True)
        _line(right, "Độc lập - Tự do - Hạnh phúc", size=14, bold=True, underline=True, space_after=6)
    _line(right, doc.place_date, size=14, italic=True)


def _title(document, doc) -> None:
    _line(document, "", size=14)
    _line(document, doc.kind, size=16 if doc.party else 14, bold=True)
    _line(document, doc.subject, size=14, bold=True)
    _line(document, "-----", size=14, space_after=6)


def _figures_table(document, rows, header=None) -> None:
    table = document.add_table(rows=0, cols=len(header or rows[0]))
    table.style = document.styles["Table Grid"]
    for values, bold in ([(header, True)] if header else []) + [(row, False) for row in rows]:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            _line(cell.paragraphs[0], str(value), size=12, bold=bold, align=WD_ALIGN_PARAGRAPH.LEFT)


def _body(document, sections) -> None:
    for section in sections:
        _line(document, section["heading"], size=14, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT,
              space_after=3).paragraph_format.space_before = Pt(6)
        if section.get("rows"):
            _figures_table(document, section["rows"], section.get("header"))
        for text in section.get("paragraphs", []):
            paragraph = _line(document, text, size=14, align=JUSTIFY, space_after=6)
            paragraph.paragraph_format.first_line_indent = Mm(10)


def _closing(document, doc) -> None:
    _line(document, "", size=14)
    left, right = _borderless(document, (85, TEXT_WIDTH_MM - 85))
    if doc.party:
        _first(left, "Nơi nhận:", size=14, underline=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    else:
        _first(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in doc.recipients:
        _line(left, line, size=12 if doc.party else 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _first(right, doc.signer_authority, size=14, bold=True)
    _line(right, doc.signer_title, size=14, bold=True)
    for _ in range(4):  # room for the signature and the stamp
        _line(right, "", size=14)
    _line(right, doc.signer_name, size=14, bold=True)


def report_docx(*, doc, sections) -> bytes:
    """`doc`: reports.official.OfficialDocument; `sections`: the body (reports.exports.document_sections)."""
    document = Document()
    _page(document)
    _font(document, 14)
    _header(document, doc)
    _title(document, doc)
    _body(document, sections)
    _closing(document, doc)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
