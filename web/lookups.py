"""Reads of reference data for the screens' forms: units, topics, channels, people.

Cases are never read here: every case read goes through cases.selectors.
Units offered to a person are those their roles reach, so a form cannot
even suggest a unit the service would refuse.
"""

from django.db.models import Q, QuerySet

from cases.models import Channel, Role, Topic, Unit
from cases.permissions import case_grants, user_grants
from cases.text import fold

INTAKE_ROLES = (Role.INTAKE_CLERK, Role.LEADER)
HANDOVER_ROLES = (Role.LEADER, Role.SUPERVISOR)


def _units_under(paths) -> QuerySet[Unit]:
    paths = sorted(set(paths))
    if not paths:
        return Unit.objects.none()
    scope = Q()
    for path in paths:
        scope |= Q(path__startswith=path)
    return Unit.objects.filter(scope, is_active=True).order_by("path")


def user_roles(user) -> set[str]:
    return {grant.role for grant in user_grants(user)}


def intake_localities(*, user) -> QuerySet[Unit]:
    """Units a person may name as a case's locality: the subtrees of the units where they log cases."""
    return _units_under(g.path for g in user_grants(user) if g.role in INTAKE_ROLES)


def handover_units(*, user) -> QuerySet[Unit]:
    """Units a leader or supervisor may hand a case to: the subtrees they lead."""
    return _units_under(g.path for g in user_grants(user) if g.role in HANDOVER_ROLES)


def scope_units(*, user) -> QuerySet[Unit]:
    """Units in the person's reach, for filters (subtree roles reach down, others only their unit)."""
    grants = case_grants(user)
    subtree = [g.path for g in grants if g.reaches_subtree]
    own = [g.unit_id for g in grants if not g.reaches_subtree]
    scope = Q(pk__in=own)
    for path in subtree:
        scope |= Q(path__startswith=path)
    return Unit.objects.filter(scope).order_by("path") if grants else Unit.objects.none()


def top_unit(*, user) -> Unit | None:
    """The highest unit the person holds a role on (the dashboard's default subtree)."""
    grants = sorted(case_grants(user), key=lambda g: (len(g.path), g.path))
    return Unit.objects.filter(pk=grants[0].unit_id).first() if grants else None


def unit_search(units: QuerySet[Unit], text: str, *, limit: int = 30) -> list[Unit]:
    """Units whose code or name contains every word of `text`, diacritics-insensitive."""
    words = fold(text).split()
    found = []
    for unit in units.only("pk", "code", "name", "path", "tier"):
        haystack = fold(f"{unit.name} {unit.code}")
        if all(word in haystack for word in words):
            found.append(unit)
            if len(found) >= limit:
                break
    return found


def unit_label(unit: Unit) -> str:
    """What a locality input shows and accepts back: "Thôn Đông (DM-ANBINH-T01)"."""
    return f"{unit.name} ({unit.code})"


def unit_from_label(units: QuerySet[Unit], text: str) -> Unit | None:
    """The unit a locality input names: by code in trailing parentheses, by code, or by exact name."""
    text = (text or "").strip()
    if not text:
        return None
    code = text[text.rfind("(") + 1:-1].strip() if text.endswith(")") and "(" in text else text
    unit = units.filter(code__iexact=code).first()
    if unit is None:
        matches = [u for u in units if fold(u.name) == fold(text)]
        unit = matches[0] if len(matches) == 1 else None
    return unit


def active_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(is_active=True).order_by("path")


def active_channels() -> QuerySet[Channel]:
    return Channel.objects.filter(is_active=True).order_by("name")


def all_topics() -> QuerySet[Topic]:
    return Topic.objects.order_by("path")


def all_channels() -> QuerySet[Channel]:
    return Channel.objects.order_by("name")


def indented(nodes, base_depth: int = 1) -> list[tuple[str, str]]:
    """(code, label) pairs with the tree depth shown by a leading dash, for selects."""
    return [(node.code, "— " * (node.depth - base_depth) + node.name) for node in nodes]


def person_label(user) -> str:
    full = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    return f"{full} ({user.get_username()})" if full else user.get_username()
