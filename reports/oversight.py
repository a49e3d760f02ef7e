"""What oversight itself leaves behind: every read by an inspector or a supervisor, and every change made on
the administration site, in logs the inspection screens show."""

import re
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _

from cases.fields import EncryptedTextField
from cases.models import Case
from cases.permissions import roles_on_unit, user_grants

from .inspection import METRICS
from .models import AdminChange, InspectionAccessLog, OversightRead
from .permissions import INSPECTION_ROLES, inspector_units_paths

# Never copied into the change log: it would put a secret in clear where more people read it.
_SECRET_FIELD_NAMES = frozenset({"password", "secret", "mailbox", "key", "digest", "token_key", "salt"})
HIDDEN = "••••••"


def _scope_text(filters: dict | None) -> str:
    if not filters:
        return ""
    shown = [key if value is True else f"{key}={getattr(value, 'code', value)}"
             for key, value in sorted(filters.items()) if value not in (None, "", False) and not key.startswith("_")]
    return ", ".join(shown)[:300]


def oversight_read_record(*, user, kind: str, case: Case | None = None, filters: dict | None = None,
                          rows: int | None = None) -> InspectionAccessLog | None:
    """An inspector's or a supervisor's read (a case, its history, a list, an export, the dashboard) in the
    access log: one row a read, whatever the number of cases it showed.

    Not recorded: people without those roles, and a supervisor reading a case of a unit they work in.
    """
    if kind not in OversightRead.values:
        raise ValueError(f"{kind!r} is not an OversightRead")
    oversight = [grant for grant in user_grants(user) if grant.role in INSPECTION_ROLES]
    if not oversight:
        return None
    if case is not None:
        if roles_on_unit(user, case.owner) - INSPECTION_ROLES:
            return None  # their own unit's work
        unit_id, code = case.owner_id, case.code
    else:
        unit_id, code = min(oversight, key=lambda grant: len(grant.path)).unit_id, ""
    return InspectionAccessLog.objects.create(
        user=user, kind=kind, case_code=code, scope=_scope_text(filters), rows=rows, unit_id=unit_id)


# Rows written before pages were kept by name carry their whole text, in their author's language.
_WRITTEN_WHOLE = re.compile(r"^.+ #\d+: ")


def describe_access(entry: InspectionAccessLog) -> str:
    """The row as the log screen shows it, in the reader's language."""
    if not entry.kind:
        return _describe_page(entry)
    parts = [str(OversightRead(entry.kind).label)]
    if entry.case_code:
        parts.append(entry.case_code)
    if entry.scope:
        parts.append(f"({entry.scope})")
    return " ".join(parts)


def _describe_page(entry: InspectionAccessLog) -> str:
    if _WRITTEN_WHOLE.match(entry.what):
        return entry.what
    text = _(entry.what)  # kept as its Vietnamese source, which is the msgid
    if entry.inspection_id:
        text = _("Cuộc kiểm tra #%(number)s: %(page)s") % {"number": entry.inspection_id, "page": text}
    if entry.case_code:
        text = f"{text} {entry.case_code}"
    if entry.scope:
        text = f"{text} ({METRICS[entry.scope] if entry.scope in METRICS else entry.scope})"
    return text


# --- the administration site ---------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def admin_values(obj: models.Model | None) -> dict:
    """A row's stored values, JSON-safe, secrets masked (a changed secret still shows as changed: its mask
    carries a length-free marker of whether it is set)."""
    if obj is None or obj.pk is None:
        return {}
    values = {}
    for field in obj._meta.concrete_fields:
        value = field.value_from_object(obj)
        if isinstance(field, EncryptedTextField) or field.name in _SECRET_FIELD_NAMES:
            values[field.name] = HIDDEN if value else ""
            continue
        values[field.attname] = _plain(value)
    for field in obj._meta.many_to_many:
        values[field.name] = sorted(str(item.pk) for item in field.value_from_object(obj))
    return values


def admin_form_values(cleaned_data: dict) -> dict:
    """What an admin form asked for, JSON-safe: rows by their code (or their text), secrets masked."""
    return {name: (HIDDEN if value else "") if name in _SECRET_FIELD_NAMES
            else _plain(getattr(value, "code", None) or (str(value) if isinstance(value, models.Model) else value))
            for name, value in cleaned_data.items()}


def admin_change_record(*, by, action: str, model: type[models.Model], object_id, object_repr: str,
                        before: dict, after: dict) -> AdminChange | None:
    """Record one change; a save that changed nothing records nothing."""
    if action == AdminChange.Action.CHANGE and before == after:
        return None
    return AdminChange.objects.create(
        user=by, action=action, model=model._meta.label_lower, object_id=str(object_id or "")[:64],
        object_repr=object_repr[:300], before=before, after=after)


def admin_change_fields(change: AdminChange) -> list[tuple[str, object, object]]:
    """(field, before, after) for each value that differs, in field order."""
    names = list(dict.fromkeys([*change.before, *change.after]))
    return [(name, change.before.get(name), change.after.get(name)) for name in names
            if change.before.get(name) != change.after.get(name)]


def admin_changes_for_user(*, user) -> models.QuerySet[AdminChange]:
    """Every recorded change for inspectors and supervisors (configuration is shared by every unit); none else."""
    if not inspector_units_paths(user):
        return AdminChange.objects.none()
    return AdminChange.objects.select_related("user").order_by("-when", "-pk")
