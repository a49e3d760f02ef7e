"""Who may do what in the collaborators app, read from the one role table (cases.roles, cases.permissions).

- A collaborator (role `collaborator` on their unit, and a Collaborator row linked to their login) files
  notes and reads their own, nothing else.
- The unit's leader and secretariat run its network (collaborators, targets), open subjects and requests,
  and read the unit's notes; the secretariat redacts a note.
- Supervisors and inspectors read the notes, the network and the picture of their whole subtree.
- Turning a note into a case needs, besides reading the note, an intake role covering its locality.
"""

from django.db.models import Q

from cases.models import SUBTREE_ROLES, Role, Unit
from cases.permissions import user_grants

# Roles that run a unit's network and its subjects (on exactly that unit).
NETWORK_ROLES = frozenset({Role.LEADER, Role.SECRETARIAT})
# Roles that redact a note of their unit.
REDACT_ROLES = frozenset({Role.SECRETARIAT})


def may_manage_network(user, unit: Unit | None) -> bool:
    return unit is not None and any(g.role in NETWORK_ROLES and g.unit_id == unit.pk for g in user_grants(user))


def may_redact(user, unit: Unit) -> bool:
    return any(g.role in REDACT_ROLES and g.unit_id == unit.pk for g in user_grants(user))


def managed_units(user) -> list[int]:
    """Units whose network and subjects this person runs."""
    return sorted({g.unit_id for g in user_grants(user) if g.role in NETWORK_ROLES})


def overseen_q(user, field: str = "unit") -> Q | None:
    """A filter on `field` (a Unit foreign key) for the units whose notes and network this person reads as a
    leader, secretariat, supervisor or inspector; None when they read none."""
    scope = None
    for grant in user_grants(user):
        if grant.role in SUBTREE_ROLES:
            part = Q(**{f"{field}__path__startswith": grant.path})
        elif grant.role in NETWORK_ROLES:
            part = Q(**{f"{field}_id": grant.unit_id})
        else:
            continue
        scope = part if scope is None else scope | part
    return scope


def oversees(user, unit: Unit) -> bool:
    return any((g.role in SUBTREE_ROLES and unit.path.startswith(g.path))
               or (g.role in NETWORK_ROLES and g.unit_id == unit.pk) for g in user_grants(user))


def is_collaborator(user) -> bool:
    return any(g.role == Role.COLLABORATOR for g in user_grants(user))


def only_collaborator(user) -> bool:
    """Holds the collaborator role and no other: their home is their notes screen."""
    roles = {g.role for g in user_grants(user)}
    return Role.COLLABORATOR in roles and roles <= {Role.COLLABORATOR, Role.INTERVIEWER}
