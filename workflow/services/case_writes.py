"""What the clock services share: the case row locked for a clock, its events queued then saved and announced
once, and the units an escalation goes to."""

from datetime import datetime

from django.utils import timezone

from cases.actions import CaseAction
from cases.audit import case_event_announce, case_event_append
from cases.models import Case, Role, Unit

from ..models import ClockKind

# Events this module writes; they never start or stop a clock.
CLOCK_ACTIONS = frozenset({
    CaseAction.REMIND, CaseAction.ESCALATE, CaseAction.EXTEND,
    CaseAction.DEADLINE_RECOMPUTED, CaseAction.CLOCK_PAUSE, CaseAction.CLOCK_RESUME,
})
# Who an escalation is for, on the unit it goes to.
ESCALATION_ROLES = (Role.LEADER, Role.SUPERVISOR)
REMINDER_ROLES = (Role.HANDLER, Role.LEADER)

def iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None

# --- units and escalation targets -----------------------------------------------


def max_escalation_level(owner: Unit) -> int:
    """How many tiers there are above the owner to escalate to."""
    return max(owner.depth - 1, 0)


def unit_above(owner: Unit, level: int) -> Unit | None:
    """The unit `level` tiers above the owner (1: its parent)."""
    depth = owner.depth - level
    if depth < 1:
        return None
    return Unit.objects.filter(path=owner.path[: depth * Unit.steplen]).first()


def is_remote(case: Case) -> bool:
    """A locality is remote when it or a unit above it is flagged remote (a remote commune's hamlets too)."""
    path = Unit.objects.filter(pk=case.locality_id).values_list("path", flat=True).first() or ""
    ancestors = [path[:end] for end in range(Unit.steplen, len(path) + 1, Unit.steplen)]
    return Unit.objects.filter(path__in=ancestors, is_remote=True).exists()


def lock_case(case_id: int, *, skip_locked: bool = False) -> Case | None:
    return (
        Case.objects.select_for_update(of=("self",), skip_locked=skip_locked)
        .select_related("owner", "topic")
        .filter(pk=case_id)
        .first()
    )


def running_step_due(case: Case, clocks) -> datetime | None:
    dues = [clock.due_at for clock in clocks if clock.kind == ClockKind.STEP and clock.stopped_at is None]
    return min(dues) if dues else None


def append_event(case: Case, pending: list, *, action: str, actor=None, note: str = "", data: dict) -> None:
    pending.append(
        case_event_append(case=case, action=action, actor=actor, from_status=case.status, to_status=case.status,
                          note=note, data=data)
    )


def save_and_announce(case: Case, pending: list, *, also=()) -> None:
    """Save the chain head (and `also`), then tell listeners (the outbox) about each new event."""
    fields = (["event_count", "head_hash"] if pending else []) + list(also)
    if fields:
        case.save(update_fields=fields)
    for event in pending:
        case_event_announce(case=case, event=event)
