"""Roles on units and what they reach.

A role is a guardian object permission on a `Unit` (a few thousand rows in
all, never one per case). Supervisor and inspector reach the unit's whole
subtree; every other role reaches only its own unit. Subtree membership is a
prefix test on the materialised path, so no tree walk is ever needed.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from .models import SUBTREE_ROLES, Role, Unit, UnitUserObjectPermission, role_codename

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


def forget_grants(user) -> None:
    user.__dict__.pop("_unit_grants", None)


def case_grants(user) -> list[Grant]:
    """The grants that reach cases: all but administrator, which manages reference data only."""
    return [grant for grant in user_grants(user) if grant.role != Role.ADMINISTRATOR]


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


def has_role(user, unit: Unit | None, *roles: str) -> bool:
    return bool(roles_on_unit(user, unit) & set(roles))
