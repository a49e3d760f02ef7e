"""The paper form as a PDF: the print page's own HTML and stylesheet, drawn by the reports' WeasyPrint path
with its bundled fonts (every Vietnamese letter)."""

from pathlib import Path

from django.template.loader import render_to_string

from reports.exports import font_faces, html_to_pdf

PRINT_CSS = Path(__file__).parent / "static" / "surveys" / "print.css"


def questionnaire_pdf(*, context: dict) -> bytes:
    """The print page (templates/surveys/print.html) as an A4 PDF."""
    css = font_faces() + PRINT_CSS.read_text(encoding="utf-8")
    return html_to_pdf(render_to_string("surveys/print.html", {**context, "inline_css": css}))
