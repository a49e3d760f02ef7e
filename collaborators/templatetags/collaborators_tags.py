"""The picture's small multiples, drawn on the server as SVG: one panel a locality (or group), one stacked bar a
week, one colour an attitude (the legend beside the table names them)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from ..models import Attitude

register = template.Library()

COLOURS = {
    Attitude.AGREE: "#1a7f37", Attitude.CONCERNED: "#9a6700", Attitude.DISAGREE: "#b42318",
    Attitude.INDIGNANT: "#6e0f0a", Attitude.MIXED: "#5b6878",
}
WIDTH, HEIGHT, GAP = 160, 60, 2


@register.simple_tag
def attitude_colour(code: str) -> str:
    return COLOURS.get(code, "#999")


@register.simple_tag
def small_multiple(panel, scale: int):
    """A panel's weeks as stacked bars on a shared scale (the largest week of every panel)."""
    weeks = panel.weeks
    bar = (WIDTH - GAP * (len(weeks) - 1)) / max(len(weeks), 1)
    rects = []
    for index, counts in enumerate(weeks):
        y = HEIGHT
        for code in Attitude.values:
            n = counts.get(code, 0)
            if not n:
                continue
            h = HEIGHT * n / max(scale, 1)
            y -= h
            rects.append((f"{index * (bar + GAP):.1f}", f"{y:.1f}", f"{bar:.1f}", f"{h:.1f}", COLOURS[code],
                          f"{Attitude(code).label}: {n}"))
    body = format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
                            rects)
    title = _("%(label)s: %(n)s phiếu theo tuần và thái độ") % {"label": panel.label, "n": panel.total}
    return format_html('<svg class="small-multiple" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
                       'aria-label="{}"><line x1="0" y1="{}" x2="{}" y2="{}" stroke="#d9dee5"/>{}</svg>',
                       WIDTH, HEIGHT, WIDTH, HEIGHT, title, HEIGHT, WIDTH, HEIGHT, body)


@register.filter
def count_of(panel, code):
    return panel.by_attitude.get(code, 0)


@register.inclusion_tag("collaborators/_rising.html", takes_context=True)
def rising_subjects_panel(context):
    """The dashboard's flag: subjects × localities whose notes rise fast, among the notes the person may read."""
    from ..selectors.picture import rising_subjects

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"rising": []}
    return {"rising": rising_subjects(user=user)[:8]}
