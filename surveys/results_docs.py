"""A results report as an official document, DOCX and PDF, with the reports app's own layout code: the header,
title and closing blocks from reports.official (the unit's layout, Party or State), the DOCX drawn by
reports.word, the PDF by the template reports/pdf/report.html through reports.exports.html_to_pdf. Only the body
(the sections) is written here. The document's text is Vietnamese whatever the reader's language: it is the
unit's official document. A published report is drawn from its frozen, suppressed tables."""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from reports import word
from reports.exports import font_faces, html_to_pdf
from reports.official import unit_document

HIDDEN = "x"  # a suppressed cell, as statistical yearbooks mark it


def _number(value, decimals: int = 1) -> str:
    if value is None:
        return HIDDEN
    return f"{float(value):.{decimals}f}".replace(".", ",")


def _frequency_section(number: int, table: dict) -> dict:
    rows = [(row["label"], HIDDEN if row["n"] is None else row["n"], _number(row["pct"]),
             HIDDEN if row.get("ci") is None else f"{_number(row['ci'][0])} – {_number(row['ci'][1])}")
            for row in table["rows"]]
    return {"heading": f"{number}. {table['label']} (n = {table['n']})",
            "header": ("Phương án trả lời", "Số phiếu", "Tỷ lệ (%)", "Khoảng tin cậy 95 %"), "rows": rows}


def _crosstab_section(number: int, table: dict) -> dict:
    header = (f"{table['row_label']} \\ {table['column_label']}", *[c["label"] for c in table["column_categories"]],
              "Tổng số phiếu")
    rows = []
    for category, cells, total in zip(table["row_categories"], table["cells"], table["row_totals"], strict=True):
        rows.append((category["label"], *[HIDDEN if cell["n"] is None else f"{cell['n']} ({_number(cell['pct'])} %)"
                                          for cell in cells], HIDDEN if total is None else total))
    rows.append(("Tổng số phiếu", *[HIDDEN if n is None else n for n in table["column_totals"]], table["n"]))
    test = table.get("rao_scott")
    paragraphs = []
    if test:
        paragraphs.append(f"Kiểm định Rao–Scott (khi bình phương hiệu chỉnh theo thiết kế mẫu): F = {_number(test['f'], 2)}, "
                          f"bậc tự do {_number(test['df1'], 1)} và {_number(test['df2'], 1)}, p = {_number(test['p'], 3)}.")
    return {"heading": f"{number}. {table['row_label']} theo {table['column_label']} (n = {table['n']})",
            "header": header, "rows": rows, "paragraphs": paragraphs}


def document_sections(results, tables: list[dict]) -> list[dict]:
    plan = results.plan
    weighting = results.weighting
    facts = [("Chủ đề điều tra", plan.topic), ("Đơn vị chủ trì", plan.unit.name),
             ("Thời gian điều tra", f"{plan.period_start:%d/%m/%Y} – {plan.period_end:%d/%m/%Y}"),
             ("Phương pháp", str(plan.get_method_display()))]
    if weighting is not None:
        facts.append(("Gia quyền", f"hậu phân tầng theo dân số ({', '.join(weighting.margins)}), "
                                   f"hệ số thiết kế {_number(weighting.design_effect, 2)}"))
    sections = [{"heading": "I. THÔNG TIN CHUNG", "rows": facts}]
    sections.append({"heading": "II. KẾT QUẢ ĐIỀU TRA", "paragraphs": [
        "Tỷ lệ (%) là tỷ lệ có gia quyền; số phiếu là số phiếu trả lời thực tế (chưa gia quyền). "
        f"Ô có dưới 5 phiếu trả lời và các ô có thể suy ra nó được ẩn (ký hiệu “{HIDDEN}”)."]})
    for number, table in enumerate(tables, start=1):
        sections.append(_frequency_section(number, table) if table["kind"] == "frequency"
                        else _crosstab_section(number, table))
    paragraphs = [line for line in (results.summary or "").splitlines() if line.strip()] or ["—"]
    sections.append({"heading": "III. NHẬN ĐỊNH, ĐÁNH GIÁ", "paragraphs": paragraphs})
    return sections


def _official(results, tables):
    day = timezone.localtime(results.published_at).date() if results.published_at else None
    with translation.override("vi"):
        # The report's own title is the subject line (trích yếu) under "BÁO CÁO"; the topic is in its facts.
        doc = unit_document(unit=results.plan.unit, day=day, subject=results.title)
        return doc, document_sections(results, tables)


def results_docx(*, results, tables: list[dict]) -> bytes:
    doc, sections = _official(results, tables)
    return word.report_docx(doc=doc, sections=sections)


def results_pdf(*, results, tables: list[dict]) -> bytes:
    doc, sections = _official(results, tables)
    html = render_to_string("reports/pdf/report.html", {
        "report": results, "doc": doc, "sections": sections, "font_faces": font_faces(), "page": word.PAGE})
    return html_to_pdf(html)


# --- the situation report of a tier: the survey results published in its period -----------------------

SITUATION_TABLES = 3  # frequencies shown per survey in a situation report; the full report has the rest


def situation_sections(*, unit, start, end) -> list[dict]:
    """Survey results for a unit's situation report (reports.situation.SURVEY_RESULT_PROVIDERS): those it and
    the units below published in the period to the tier above or to the public. Their frozen, suppressed figures
    only; internal results, its own included, stay out of the report: it is sent up, and the tiers above read it
    (reports.permissions.may_read_report), who may not read internal results."""
    from .models import PublicationScope, ResultsStatus, SurveyResults

    found = (SurveyResults.objects.filter(status=ResultsStatus.PUBLISHED, published_at__date__gte=start,
                                          published_at__date__lte=end, plan__unit__path__startswith=unit.path,
                                          scope__in=(PublicationScope.PARENT, PublicationScope.PUBLIC))
             .select_related("plan__unit").order_by("published_at", "pk"))
    sections = []
    for results in found:
        rows = []
        for table in [t for t in results.tables if t.get("kind") == "frequency"][:SITUATION_TABLES]:
            rows += [(f"{table['label']} — {row['label']}", HIDDEN if row["pct"] is None else f"{_number(row['pct'])} %")
                     for row in table["rows"]]
        paragraphs = [line for line in (results.summary or "").splitlines() if line.strip()]
        sections.append({"title": f"Kết quả điều tra: {results.title} ({results.plan.unit.name}, n = "
                                  f"{max((t.get('n', 0) for t in results.tables), default=0)})",
                         "rows": rows, "paragraphs": paragraphs})
    return sections
