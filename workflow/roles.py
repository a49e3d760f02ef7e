"""The one role table: who may make each move on a case, and whose queue each flow step sits in.

Everything that asks "who may act" reads it: the state machine's permission
checks (cases.lifecycle), the flow's task permissions and queues
(workflow.flows, workflow.queues), the API's "moves I may make", the hand-down
check that refuses a unit nobody could work in, and docs/workflow.md.

A rule names a *seat*, the unit a role must reach, seen from the case:

- owner: the unit that owns the case now (subtree roles held above it count);
- assigner: the unit whose leader made the last assignment and keeps watch;
- above_owner: the owner or any unit above it (reports are made up the tiers);
- directing: a unit the case is escalated to, while its direction task is open;
- assignee: the person the case was given to, whatever their roles.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cases.models import Role, Unit
from cases.permissions import roles_above_or_on, roles_on_unit

OWNER, ASSIGNER, ABOVE_OWNER, DIRECTING, ASSIGNEE = "owner", "assigner", "above_owner", "directing", "assignee"

SEAT_LABELS = {
    OWNER: _("đơn vị đang xử lý"),
    ASSIGNER: _("đơn vị đã giao"),
    ABOVE_OWNER: _("đơn vị đang xử lý hoặc cấp trên"),
    DIRECTING: _("cấp trên được chuyển lên"),
    ASSIGNEE: _("người được giao"),
}

R = Role


@dataclass(frozen=True)
class Seat:
    seat: str
    roles: frozenset = frozenset()


def _at(seat, *roles) -> Seat:
    return Seat(seat, frozenset(roles))


# Who may make each move (DESIGN.md section 3). A move is allowed to anyone who fills one seat.
MOVE_RULES: dict[str, tuple[Seat, ...]] = {
    "verify": (_at(OWNER, R.INTAKE_CLERK, R.LEADER),),
    "reject": (_at(OWNER, R.INTAKE_CLERK, R.LEADER),),
    "merge": (_at(OWNER, R.INTAKE_CLERK, R.LEADER),),
    "transfer": (_at(OWNER, R.INTAKE_CLERK, R.LEADER),),
    "reporter_notified": (_at(OWNER, R.INTAKE_CLERK, R.LEADER),),
    "assign": (_at(OWNER, R.LEADER),),
    "reassign": (_at(OWNER, R.LEADER, R.SUPERVISOR), _at(ASSIGNER, R.LEADER), _at(DIRECTING, R.LEADER, R.SUPERVISOR)),
    "orient": (_at(OWNER, R.HANDLER, R.LEADER), _at(ASSIGNEE)),
    "resolve": (_at(OWNER, R.HANDLER, R.LEADER), _at(ASSIGNEE)),
    "reopen": (_at(OWNER, R.LEADER, R.SUPERVISOR), _at(ASSIGNER, R.LEADER)),
    "keep_closed": (_at(OWNER, R.LEADER, R.SUPERVISOR), _at(ASSIGNER, R.LEADER)),
    "report": (_at(ABOVE_OWNER, R.SECRETARIAT, R.LEADER),),
    "pull_up": (_at(DIRECTING, R.LEADER, R.SUPERVISOR),),
    "instruct": (_at(DIRECTING, R.LEADER, R.SUPERVISOR),),
    "acknowledge": (_at(OWNER, R.LEADER, R.HANDLER),),
    "extend": (_at(OWNER, R.LEADER), _at(DIRECTING, R.LEADER, R.SUPERVISOR)),
}

# Moves made only by something else than a person's choice on the case page (a report submission).
NOT_OFFERED_ON_THE_CASE = frozenset({"report"})


@dataclass(frozen=True)
class Step:
    """A human step of the case's flow: the unit whose queue holds it, who takes it, what completes it."""

    seat: str  # owner, above_owner (the nearest unit at or above the owner with someone for it) or directing
    roles: frozenset  # who may take the task (and find it in "Việc của tôi")
    moves: tuple  # the moves that complete it; the first is the one the step exists for


def _step(seat, roles, *moves) -> Step:
    return Step(seat, frozenset(roles), moves)


STEPS: dict[str, Step] = {
    "verify_step": _step(OWNER, (R.INTAKE_CLERK, R.LEADER), "verify", "transfer", "reject", "merge"),
    "assign_step": _step(OWNER, (R.LEADER,), "assign", "transfer", "reject", "merge"),
    "transfer_step": _step(OWNER, (R.INTAKE_CLERK, R.LEADER), "transfer", "reject", "merge"),
    "notify_step": _step(OWNER, (R.INTAKE_CLERK, R.LEADER), "reporter_notified"),
    "orient_step": _step(OWNER, (R.HANDLER, R.LEADER), "orient", "resolve"),
    "resolve_step": _step(OWNER, (R.HANDLER, R.LEADER), "resolve"),
    # The secretariat of the unit that reports it (the owner or the nearest unit above with one) draws up the
    # report; that unit's leader can still reopen (and report) from the unit's queue.
    "report_step": _step(ABOVE_OWNER, (R.SECRETARIAT,), "report", "reopen"),
    "decide_step": _step(OWNER, (R.LEADER,), "reopen", "keep_closed"),
    "direct_step": _step(DIRECTING, (R.LEADER, R.SUPERVISOR), "pull_up", "reassign", "extend", "instruct"),
    "acknowledge_step": _step(OWNER, (R.LEADER, R.HANDLER), "acknowledge"),
}

# Roles a unit must have someone in before work is handed down to it: the steps that follow a hand-down.
HANDOVER_ROLES = STEPS["orient_step"].roles | STEPS["resolve_step"].roles


def steps_completed_by(move: str) -> list[str]:
    return [name for name, step in STEPS.items() if move in step.moves]


def roles_that_make(move: str) -> frozenset:
    """Every role that fills some seat of `move` (the assignee's seat names none)."""
    return frozenset().union(*(seat.roles for seat in MOVE_RULES[move]))


def may_move(user, case, move: str, *, directing_units) -> bool:
    """Whether `user` fills a seat of `move` on `case` (legality is the state machine's question).

    `directing_units`: a function giving the units the case is escalated to with an open direction task
    (the flow knows them, `workflow.engine.case_directing_units`); called only for a move with that seat.
    """
    if user is None or not getattr(user, "is_active", False):
        return False
    # The assignee seat first: it needs no read of the person's roles.
    for seat in sorted(MOVE_RULES[move], key=lambda seat: seat.seat != ASSIGNEE):
        if seat.seat == ASSIGNEE:
            if case.assignee_id and case.assignee_id == user.pk:
                return True
        elif seat.seat == OWNER:
            if roles_on_unit(user, case.owner) & seat.roles:
                return True
        elif seat.seat == ASSIGNER:
            if case.assigned_by_unit_id and roles_on_unit(user, case.assigned_by_unit) & seat.roles:
                return True
        elif seat.seat == ABOVE_OWNER:
            if roles_above_or_on(user, case.owner, seat.roles):
                return True
        elif seat.seat == DIRECTING:
            if any(roles_on_unit(user, unit) & seat.roles for unit in directing_units()):
                return True
    return False


def may_take(user, *, step: str, unit: Unit) -> bool:
    """Whether the task of `step` waiting in `unit`'s queue is this person's to take."""
    return bool(user is not None and user.is_active and roles_on_unit(user, unit) & STEPS[step].roles)
