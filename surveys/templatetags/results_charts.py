"""Charts of a survey's results drawn on the server as inline SVG (no script, no library, nothing fetched): a bar
per category of a frequency, a 100 % bar per row of a crosstab. Each chart is an image with a title and a
description for screen readers; the same figures are in the table beside it. Hidden (suppressed) cells draw no
bar and say so."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

# A narrow drawing, so that its text stays readable when a phone scales it to the screen's width.
WIDTH = 420
LABEL_WIDTH = 140
BAR_HEIGHT = 22
GAP = 8
# Colours far enough apart for common colour blindness (Okabe & Ito), text always beside them.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


@register.filter
def decimal1(value) -> str:
    """A figure with one decimal, written as the reader writes it: 45,2 in Vietnamese, 45.2 in English."""
    if value is None or value == "":
        return "—"
    text = f"{float(value):.1f}"
    return text if (get_language() or "vi").startswith("en") else text.replace(".", ",")


@register.filter
def p_value(value) -> str:
    if value is None:
        return "—"
    if value < 0.001:
        return "< 0,001" if not (get_language() or "vi").startswith("en") else "< 0.001"
    text = f"{float(value):.3f}"
    return text if (get_language() or "vi").startswith("en") else text.replace(".", ",")


def _short(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(chart_id: str, title: str, description: str, height: int, body) -> str:
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'aria-labelledby="{}-t {}-d" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}</svg>',
        WIDTH, height, chart_id, chart_id, chart_id, title, chart_id, description, body)


@register.simple_tag
def frequency_chart(table: dict, *id_parts) -> str:
    """Horizontal bars: the weighted % of each category; `id_parts` make the chart's id on the page."""
    chart_id = "-".join(["chart", *map(str, id_parts)])
    rows = table.get("rows", [])
    scale = WIDTH - LABEL_WIDTH - 70
    parts, said = [], []
    for index, row in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        label = _short(row["label"])
        if row.get("suppressed") or row.get("pct") is None:
            value, length = _("ẩn (dưới 5 phiếu)") if row.get("suppressed") else "—", 0
        else:
            value, length = f"{decimal1(row['pct'])} %", max(scale * float(row["pct"]) / 100, 0)
        said.append(f"{row['label']}: {value}")
        parts.append(format_html(
            '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="#222">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
            '<text x="{}" y="{}" font-size="13" fill="#222">{}</text>',
            LABEL_WIDTH - 6, y + 16, label, LABEL_WIDTH, y, f"{length:.1f}", BAR_HEIGHT, PALETTE[0],
            f"{LABEL_WIDTH + length + 4:.1f}", y + 16, value))
    height = GAP + len(rows) * (BAR_HEIGHT + GAP)
    return _svg(chart_id, table.get("label", ""), "; ".join(said), height, mark_safe("".join(parts)))


@register.simple_tag
def crosstab_chart(table: dict, *id_parts) -> str:
    """One 100 % bar per row category, split by the column categories (a legend under it names them)."""
    chart_id = "-".join(["chart", *map(str, id_parts)])
    rows, columns = table.get("row_categories", []), table.get("column_categories", [])
    scale = WIDTH - LABEL_WIDTH - 10
    parts, said = [], []
    for index, (category, cells) in enumerate(zip(rows, table.get("cells", []), strict=False)):
        y = GAP + index * (BAR_HEIGHT + GAP)
        parts.append(format_html('<text x="{}" y="{}" text-anchor="end" font-size="13" fill="#222">{}</text>',
                                 LABEL_WIDTH - 6, y + 16, _short(category["label"])))
        x = float(LABEL_WIDTH)
        shown = []
        for column, (column_category, cell) in enumerate(zip(columns, cells, strict=False)):
            if cell.get("pct") is None:
                shown.append(f"{column_category['label']} " + (_("ẩn") if cell.get("suppressed") else "—"))
                continue
            length = scale * float(cell["pct"]) / 100
            parts.append(format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
                                     f"{x:.1f}", y, f"{length:.1f}", BAR_HEIGHT, PALETTE[column % len(PALETTE)]))
            x += length
            shown.append(f"{column_category['label']} {decimal1(cell['pct'])} %")
        said.append(f"{category['label']}: " + ", ".join(shown))
    legend_y = GAP + len(rows) * (BAR_HEIGHT + GAP) + 4
    legend = format_html_join("", '<rect x="{}" y="{}" width="12" height="12" fill="{}"></rect>'
                                  '<text x="{}" y="{}" font-size="12" fill="#222">{}</text>',
                              ((10 + (i % 3) * 135, legend_y + (i // 3) * 18, PALETTE[i % len(PALETTE)],
                                10 + (i % 3) * 135 + 16, legend_y + (i // 3) * 18 + 11, _short(c["label"], 17))
                               for i, c in enumerate(columns)))
    height = legend_y + ((len(columns) + 2) // 3) * 18 + 4
    title = f"{table.get('row_label', '')} × {table.get('column_label', '')}"
    return _svg(chart_id, title, "; ".join(said), height, mark_safe("".join(parts) + str(legend)))


@register.filter
def crosstab_rows(table: dict) -> list[tuple[dict, list[dict], int | None]]:
    """A crosstab's lines for a template: (row category, its cells, its total)."""
    return list(zip(table.get("row_categories", []), table.get("cells", []), table.get("row_totals", []), strict=False))
