"""Template helpers of the report screens, and the emerging-issues panel of the leader dashboard."""

from django import template
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from cases.selectors import top_unit, user_roles
from collaborators.models import Attitude

from ..emerging import emerging_issues
from ..permissions import PANEL_ROLES
from ..selectors import alerts_for_user
from ..services import report_title

register = template.Library()


@register.inclusion_tag("reports/_emerging_panel.html", takes_context=True)
def emerging_panel(context):
    """Unusual rises by topic × locality in the person's top unit, and reports missing below it."""
    user = context["request"].user
    if not user_roles(user) & PANEL_ROLES:
        return {"show": False}
    unit = top_unit(user=user)
    if unit is None:
        return {"show": False}
    return {"show": True, "unit": unit, "signals": emerging_issues(unit=unit, user=user)[:8],
            "alerts": list(alerts_for_user(user=user)[:8]), "now": timezone.now()}


@register.filter
def iso_local(value) -> str:
    """An ISO datetime stored in the figures, shown dd/mm/yyyy hh:mm in Vietnam time."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


@register.filter
def pvalue(value) -> str:
    """A small probability the way a reader can take it in: "< 0,001" rather than 1.0023e-06, in the reader's number format."""
    if not isinstance(value, (int, float)):
        return "—"
    from django.utils.formats import number_format

    return f"< {number_format(0.001, 3)}" if value < 0.001 else f"= {number_format(value, 3)}"


@register.filter
def iso_date(value) -> str:
    """An ISO date stored in the figures, shown dd/mm/yyyy."""
    from datetime import date

    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return ""


@register.filter
def as_percent(rate) -> str:
    return f"{round(100 * rate)}%" if isinstance(rate, (int, float)) else "—"


@register.filter
def signed(value) -> str:
    if not isinstance(value, (int, float)):
        return "—"
    return f"+{value}" if value > 0 else str(value)


@register.filter
def signed_points(value) -> str:
    """A change of rate in percentage points: +12, -5."""
    if not isinstance(value, (int, float)):
        return "—"
    points = round(100 * value)
    return f"+{points}" if points > 0 else str(points)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None



@register.filter
def attitude_label(code) -> str:
    """An attitude of the opinion notes in the reader's language (figures store its code)."""
    return Attitude(code).label if code in Attitude.values else code


@register.filter
def shown_title(report) -> str:
    """A title the product made ("Báo cáo tháng 10/2026 — …") in the reader's language, whichever language it was
    made in; one a person wrote, as written."""
    def made() -> str:
        return report_title(kind=report.kind, start=report.period_start, end=report.period_end, unit=report.unit)
    generated = set()
    for language in ("vi", "en"):
        with translation.override(language):
            generated.add(made())
    return made() if report.title in generated or not report.title else report.title
