"""Template helpers: deadlines in words, event labels and details, navigation by role."""

import re
from datetime import datetime
from pathlib import PurePath

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.actions import CaseAction
from cases.models import CaseKind, CaseStatus, Channel, Priority, Role, Topic, Unit
from cases.selectors import person_by_username, user_roles
from cases.services import reporter_pseudonym
from cases.upload_checks import PREVIEWABLE_TYPES, UploadRefusal
from collaborators.permissions import only_collaborator
from workflow.selectors import remaining_text

from .. import labels
from ..ui import person_label

register = template.Library()

DATETIME = "d/m/Y H:i"


@register.filter
def due_text(deadline):
    """ "còn 2 ngày" / "quá hạn 3 ngày" for a deadline, from the clocks' own wording."""
    if not deadline:
        return ""
    return remaining_text(deadline - timezone.now())


@register.filter
def is_past(moment) -> bool:
    return bool(moment) and moment < timezone.now()


@register.filter
def event_label(action: str) -> str:
    return str(CaseAction(action).label) if action in CaseAction.values else action


@register.filter
def move_label(name: str) -> str:
    return str(labels.MOVE_LABELS.get(name, name))


@register.filter
def move_help(name: str) -> str:
    return str(labels.MOVE_HELP.get(name, ""))


@register.filter
def step_label(task) -> str:
    return _step_name_label(getattr(task.flow_task, "name", ""))


def _step_name_label(name: str) -> str:
    """A flow step's label: ours where we have a shorter one, else the flow node's own title."""
    label = labels.STEP_LABELS.get(name)
    if label is not None:
        return str(label)
    from workflow.flows import CaseFlow

    node = getattr(CaseFlow, name, None)
    return str(getattr(node, "task_title", name)) if node is not None else name


@register.filter
def kind_label(value: str) -> str:
    try:
        return str(CaseKind(value).label)
    except ValueError:
        return value or ""


@register.filter
def status_label(value: str) -> str:
    try:
        return str(CaseStatus(value).label)
    except ValueError:
        return value or ""


@register.filter
def priority_label(value: str) -> str:
    try:
        return str(Priority(value).label)
    except ValueError:
        return value or ""


@register.filter
def person(user) -> str:
    if user is None:
        return _("Hệ thống")
    return person_label(user)


def _show_value(key, value):
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if key == "priority":
        return priority_label(value)
    if key == "kind":
        return kind_label(value)
    if key == "step" and isinstance(value, str):
        return _step_name_label(value)
    if key in _NAMED_CODES and isinstance(value, str):
        return _name_of(key, value)
    if key in _NAMED_PEOPLE and isinstance(value, str):
        person = person_by_username(value)
        return person_label(person) if person else value
    if key == "reporters" and isinstance(value, list):
        return ", ".join(_pseudonym(item) for item in value)
    if key == "changes" and isinstance(value, dict):
        names = {"topic": _("lĩnh vực"), "locality": _("địa bàn"), "priority": _("độ khẩn")}
        return "; ".join(
            f"{names.get(field, field)}: {_show_value(field, old)} → {_show_value(field, new)}"
            for field, (old, new) in value.items()
        )
    if key == "files" and isinstance(value, list):
        public = " (%s)" % _("công khai")
        return "; ".join(f"{item.get('name', '')}{public if item.get('public') else ''}" for item in value)
    if key == "refused" and isinstance(value, list):
        return "; ".join(f"{item.get('name', '')} ({_refusal_label(item.get('reason', ''))})" for item in value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and "T" in value:
        moment = parse_datetime(value)
        if moment is not None:
            return date_format(timezone.localtime(moment), DATETIME)
    if value is None:
        return "—"
    return str(value)


def _refusal_label(code: str) -> str:
    try:
        return str(UploadRefusal(code).label)
    except ValueError:
        return code


_NAMED_CODES = {"channel": Channel, "topic": Topic, "locality": Unit, "unit": Unit}
# Event data naming a person keeps the login; the screen shows the person.
_NAMED_PEOPLE = {"assignee", "to", "role_withdrawn_from"}
_PSEUDONYM_NUMBER = re.compile(r"#(\d+)\s*$")


def _pseudonym(item) -> str:
    """A reporter the history names: by number now ("Người phản ánh #N" in the reader's language); older events
    stored the words in whatever language their author used, so their number is read back out of them."""
    if isinstance(item, int):
        return reporter_pseudonym(item)
    found = _PSEUDONYM_NUMBER.search(str(item))
    return reporter_pseudonym(int(found.group(1))) if found else str(item)
# Flags worth a word only when they are raised (an extension after the deadline had passed).
_SHOWN_ONLY_WHEN_TRUE = {"after_breach", "complex"}


def _name_of(key, code):
    """Today's name for a code the history recorded (the code itself if it is gone)."""
    name = _NAMED_CODES[key].objects.filter(code=code).values_list("name", flat=True).first()
    return name or code


@register.filter
def event_details(event) -> list[tuple[str, str]]:
    """(label, value) pairs for what the event's data says, in reading order."""
    details = []
    for key, value in (event.data or {}).items():
        if key in labels.DATA_LABELS and labels.DATA_LABELS[key] is None:
            continue
        if value in ("", None, [], {}) or (key in _SHOWN_ONLY_WHEN_TRUE and not value):
            continue
        label = labels.DATA_LABELS.get(key)
        details.append((str(label) if label is not None else key, _show_value(key, value)))
    return details


@register.filter
def opens_inline(attachment) -> bool:
    """An image or a PDF opens in the browser; anything else downloads."""
    return attachment.content_type in PREVIEWABLE_TYPES


@register.filter
def file_tag(attachment) -> str:
    """The file's kind in a few letters, on the tile of a file without a thumbnail ("DOCX", "MP3")."""
    return PurePath(attachment.original_name).suffix.lstrip(".").upper()[:5] or "?"


@register.filter
def localdt(moment) -> str:
    if not moment:
        return ""
    if isinstance(moment, datetime) and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, DATETIME)


@register.simple_tag(takes_context=True)
def nav_roles(context) -> dict:
    """Which menu entries this person gets (the pages check again on their own)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user_roles(user)
    return {
        "intake": bool(roles & {Role.INTAKE_CLERK, Role.LEADER}),
        "dashboard": bool(roles & {Role.LEADER, Role.SUPERVISOR, Role.INSPECTOR, Role.SECRETARIAT}),
        "inspection": bool(roles & {Role.INSPECTOR, Role.SUPERVISOR}),
        # Surveys: their planners and readers, and interviewers (who see only the surveys they are assigned to).
        "surveys": bool(roles & {Role.LEADER, Role.SECRETARIAT, Role.SUPERVISOR, Role.INSPECTOR, Role.INTERVIEWER}),
        "admin": user.is_staff,
        # The collaborators app: its overview for those who run or oversee a network; a collaborator's own notes.
        "collaborators": bool(roles & {Role.LEADER, Role.SECRETARIAT, Role.SUPERVISOR, Role.INSPECTOR}),
        "my_notes": Role.COLLABORATOR in roles,
        "only_collaborator": only_collaborator(user),
    }


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for tabs and pages)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"
