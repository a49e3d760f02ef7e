"""Who may plan, approve, read surveys, and who collects them.

- The secretariat or a leader of the unit drafts its plans and questionnaires; a leader of the unit approves.
- Supervisors and inspectors read the surveys of their subtree; leaders and secretariats of a unit above
  read approved ones (a draft stays with its unit, as a report does).
- An interviewer (điều tra viên) reads only the plans they are assigned to.

Everything else answers "not found", exactly like a plan that does not exist.
"""

from cases.models import Role, Unit
from cases.permissions import has_role, roles_above_or_on, user_grants

WRITER_ROLES = (Role.SECRETARIAT, Role.LEADER)
APPROVER_ROLES = (Role.LEADER,)
SUBTREE_READER_ROLES = frozenset({Role.SUPERVISOR, Role.INSPECTOR})
ABOVE_READER_ROLES = frozenset({Role.LEADER, Role.SECRETARIAT})
# Who gets the menu entry "Điều tra dư luận".
MENU_ROLES = frozenset({Role.LEADER, Role.SECRETARIAT, Role.SUPERVISOR, Role.INSPECTOR, Role.INTERVIEWER})


def may_write_plans(user, unit: Unit) -> bool:
    """Secretariat or leader on exactly this unit (these roles do not reach down)."""
    return has_role(user, unit, *WRITER_ROLES)


def may_approve_plans(user, unit: Unit) -> bool:
    return has_role(user, unit, *APPROVER_ROLES)


def _above(user, unit: Unit, roles) -> bool:
    return any(g.role in roles and unit.path.startswith(g.path) and g.path != unit.path for g in user_grants(user))


def may_read_plan(user, plan, *, assigned: bool) -> bool:
    """`assigned`: whether the person is one of the plan's interviewers (the selector has asked)."""
    unit = plan.unit
    if may_write_plans(user, unit) or roles_above_or_on(user, unit, SUBTREE_READER_ROLES) or assigned:
        return True
    return not plan.is_draft and _above(user, unit, ABOVE_READER_ROLES)


def writable_unit_ids(user) -> list[int]:
    return sorted({g.unit_id for g in user_grants(user) if g.role in WRITER_ROLES})


def may_collect(user, plan) -> bool:
    """An interviewer assigned to the plan, or the secretariat or a leader of its unit, sends answers."""
    if may_write_plans(user, plan.unit):
        return True
    return plan.assignments.filter(user_id=getattr(user, "pk", None)).exists()


def may_read_answers(user, plan) -> bool:
    """The unit's secretariat and leaders, and supervisors and inspectors on or above it, read the answers."""
    return may_write_plans(user, plan.unit) or roles_above_or_on(user, plan.unit, SUBTREE_READER_ROLES)


def may_read_results(user, results) -> bool:
    """Who reads a results report (surveys.models.SurveyResults):

    - everyone who reads the plan's answers (its unit's secretariat and leaders, supervisors and inspectors on
      or above it) reads every report of the plan, drafts included;
    - once published to the tier above, the leaders and secretariats of the units above read it;
    - once published as public, anyone does (the public results page).
    """
    plan = results.plan
    if may_read_answers(user, plan):
        return True
    if not results.is_published:
        return False
    if results.scope == "public":
        return True
    return results.scope == "parent" and _above(user, plan.unit, ABOVE_READER_ROLES)
