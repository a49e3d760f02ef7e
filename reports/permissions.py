"""Who may draft, submit, read reports, and who may inspect.

- The secretariat or the leader of the unit drafts, submits and corrects its reports.
- Once submitted, the tiers above read them: leaders, secretariats and
  supervisors of any unit above, supervisors and inspectors of the unit's
  subtree. A draft stays with the unit until it is sent.
- Inspectors and supervisors inspect the units their role reaches (subtree).

Everything else answers "not found", exactly like a report that does not exist.
"""

from cases.models import Role, Unit
from cases.permissions import has_role, roles_above_or_on, user_grants

WRITER_ROLES = (Role.SECRETARIAT, Role.LEADER)
# Roles on a unit above that read a submitted report of a unit below.
ABOVE_READER_ROLES = frozenset({Role.LEADER, Role.SECRETARIAT, Role.SUPERVISOR})
SUBTREE_READER_ROLES = frozenset({Role.SUPERVISOR, Role.INSPECTOR})
INSPECTION_ROLES = frozenset({Role.INSPECTOR, Role.SUPERVISOR})
# Who sees the emerging issues (the page and the dashboard's panel).
PANEL_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR, Role.INSPECTOR, Role.SECRETARIAT})


def may_write_reports(user, unit: Unit) -> bool:
    """Secretariat or leader on exactly this unit (these roles do not reach down)."""
    return has_role(user, unit, *WRITER_ROLES)


def _above(user, unit: Unit, roles) -> bool:
    """A grant of one of `roles` on a unit strictly above `unit`."""
    return any(g.role in roles and unit.path.startswith(g.path) and g.path != unit.path for g in user_grants(user))


def may_read_report(user, report) -> bool:
    unit = report.unit
    if may_write_reports(user, unit):
        return True
    if report.is_draft:
        return False
    return _above(user, unit, ABOVE_READER_ROLES) or roles_above_or_on(user, unit, SUBTREE_READER_ROLES)


def may_read_children_of(user, unit: Unit) -> bool:
    """The parent tier's view: its own writers, and readers above or across its subtree."""
    return (
        may_write_reports(user, unit)
        or roles_above_or_on(user, unit, ABOVE_READER_ROLES | SUBTREE_READER_ROLES)
    )


def may_inspect(user, unit: Unit) -> bool:
    return roles_above_or_on(user, unit, INSPECTION_ROLES)


def inspector_units_paths(user) -> list[str]:
    return sorted({g.path for g in user_grants(user) if g.role in INSPECTION_ROLES})
