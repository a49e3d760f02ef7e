"""Roles on units and what they reach.

A role is a guardian object permission on a `Unit` (a few thousand rows in
all, never one per case). Supervisor and inspector reach the unit's whole
subtree; every other role reaches only its own unit. Subtree membership is a
prefix test on the materialised path, so no tree walk is ever needed.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from .actions import CaseAction
from .models import CASE_BLIND_ROLES, SUBTREE_ROLES, Case, ReporterRevealRole, Role, Unit, UnitUserObjectPermission, role_codename

_ROLE_BY_CODENAME = {role_codename(role): role for role in Role.values}


@dataclass(frozen=True)
class Grant:
    unit_id: int
    path: str
    role: str

    @property
    def reaches_subtree(self) -> bool:
        return self.role in SUBTREE_ROLES

    def reaches(self, unit: Unit) -> bool:
        if self.reaches_subtree:
            return unit.path.startswith(self.path)
        return unit.path == self.path


def user_grants(user) -> list[Grant]:
    """Every role the user holds, read once per user object (so once a request)."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_active:
        return []
    cached = getattr(user, "_unit_grants", None)
    if cached is None:
        rows = UnitUserObjectPermission.objects.filter(
            user=user, permission__codename__in=_ROLE_BY_CODENAME, content_object__is_active=True
        ).values_list("content_object_id", "content_object__path", "permission__codename")
        cached = [Grant(unit_id, path, _ROLE_BY_CODENAME[codename]) for unit_id, path, codename in rows]
        user._unit_grants = cached
    return cached


# What is read once per user object (so once a request) and forgotten together.
_PER_USER_MEMOS = ("_unit_grants", "_units_in_reach", "_escalated_ids")
_UNSET = object()


def forget_grants(user) -> None:
    for name in _PER_USER_MEMOS:
        try:
            delattr(user, name)  # through request.user's lazy wrapper too
        except AttributeError:
            pass


# Marks "every unit": a scope that needs no filter on units at all.
EVERY_UNIT = None


def units_in_case_reach(user) -> list[int] | None:
    """Ids of every unit whose cases the user's roles reach (subtrees expanded), read once per user object.

    EVERY_UNIT (None) when the roles reach every root of the tree: the scope then needs no unit filter.
    A list of ids lets PostgreSQL use the (unit, date) indexes, where a join on the path could not.
    """
    reach = getattr(user, "_units_in_reach", _UNSET)
    if reach is not _UNSET:
        return reach
    grants = case_grants(user)
    subtree_paths = {g.path for g in grants if g.reaches_subtree}
    roots = {path for path in subtree_paths if len(path) == Unit.steplen}
    if roots and not Unit.objects.filter(depth=1).exclude(path__in=roots).exists():
        reach = EVERY_UNIT
    else:
        reach = {g.unit_id for g in grants if not g.reaches_subtree}
        if subtree_paths:
            below = reduce(or_, (Q(path__startswith=path) for path in sorted(subtree_paths)))
            reach.update(Unit.objects.filter(below).values_list("pk", flat=True))
        reach = sorted(reach)
    user._units_in_reach = reach
    return reach


def case_grants(user) -> list[Grant]:
    """The grants that reach cases: all but the case-blind roles (administrator, collaborator, interviewer)."""
    return [grant for grant in user_grants(user) if grant.role not in CASE_BLIND_ROLES]


def roles_on_unit(user, unit: Unit | None) -> set[str]:
    """The roles that reach `unit` for this user."""
    if unit is None:
        return set()
    return {grant.role for grant in user_grants(user) if grant.reaches(unit)}


def roles_above_or_on(user, unit: Unit, roles) -> bool:
    """True when the user holds one of `roles` on `unit` or on any unit above it."""
    return any(grant.role in roles and unit.path.startswith(grant.path) for grant in user_grants(user))


def has_direct_role(user, unit: Unit, role: str) -> bool:
    """True when `role` was granted on exactly this unit (not reached from above)."""
    return UnitUserObjectPermission.objects.filter(
        user=user, content_object=unit, permission__codename=role_codename(role)
    ).exists()


# Who logs new cases: on the units where they hold one of these, and their subtrees.
INTAKE_ROLES = (Role.INTAKE_CLERK, Role.LEADER)


def nearest_intake_unit_id(user, unit: Unit) -> int | None:
    """The unit where this person logs cases about `unit`: the nearest one at or above it on which they hold an
    intake role. None when no intake role of theirs covers it."""
    covering = [g for g in user_grants(user) if g.role in INTAKE_ROLES and unit.path.startswith(g.path)]
    return max(covering, key=lambda g: len(g.path)).unit_id if covering else None


def may_log_cases(user) -> bool:
    """Holds an intake role somewhere: asked before a new case's fields are read (403 before 400)."""
    return any(grant.role in INTAKE_ROLES for grant in user_grants(user))


def has_role(user, unit: Unit | None, *roles: str) -> bool:
    return bool(roles_on_unit(user, unit) & set(roles))


def reporter_may_reveal(*, user, case: Case) -> bool:
    """Intake clerks of the owning or the receiving unit, and roles an administrator names."""
    receiving_code = case.events.filter(action=CaseAction.INTAKE).values_list("data__owner", flat=True).first()
    receiving_unit = Unit.objects.filter(code=receiving_code).first() if receiving_code else None
    if has_role(user, case.owner, Role.INTAKE_CLERK) or has_role(user, receiving_unit, Role.INTAKE_CLERK):
        return True
    named = set(ReporterRevealRole.objects.values_list("role", flat=True))
    return bool(named and roles_on_unit(user, case.owner) & named)


# --- who holds a role on a unit ----------------------------------------------------


def _role_grants_on(*, unit: Unit, roles) -> QuerySet:
    ancestor_paths = [unit.path[:end] for end in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    codenames = [role_codename(role) for role in roles]
    subtree_codenames = [role_codename(role) for role in roles if role in SUBTREE_ROLES]
    return UnitUserObjectPermission.objects.filter(permission__codename__in=codenames).filter(
        Q(content_object=unit)
        | Q(content_object__path__in=ancestor_paths, permission__codename__in=subtree_codenames)
    )


def users_with_role_on(*, unit: Unit, roles) -> QuerySet:
    """Active people holding one of `roles` that reaches `unit`.

    Subtree roles (supervisor, inspector) held on any unit above count too.
    """
    grants = _role_grants_on(unit=unit, roles=roles)
    return get_user_model().objects.filter(is_active=True, pk__in=grants.values("user_id"))


def user_ids_with_role_on(*, unit: Unit, roles) -> QuerySet:
    """The ids of everyone holding one of `roles` that reaches `unit`, active or not (the caller filters);
    a subquery, not yet run."""
    return _role_grants_on(unit=unit, roles=roles).values("user_id")
