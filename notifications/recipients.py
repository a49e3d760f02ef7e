"""Who hears about each case event, and the facts their message quotes.

One rule per event action; actions without a rule notify nobody in person
(webhooks still get every event). Whoever made the change is never told
about it.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases.actions import CaseAction
from cases.models import Case, CaseEvent, Role, Unit
from cases.permissions import user_ids_with_role_on


@dataclass(frozen=True)
class Audience:
    """Who a rule names: subqueries of user ids (role holders) and known ids; loaded in one query at the end.

    One query on purpose, but never with the parts OR-ed together: that made PostgreSQL filter every user
    row once per event. The parts are a UNION inside `id IN (...)`, which stays on the indexes.
    """

    role_holders: tuple = ()
    ids: frozenset = frozenset()

    def __or__(self, other: "Audience") -> "Audience":
        return Audience(self.role_holders + other.role_holders, self.ids | other.ids)


NOBODY = Audience()


def _on(unit: Unit | None, *roles) -> Audience:
    if unit is None:
        return NOBODY
    return Audience(role_holders=(user_ids_with_role_on(unit=unit, roles=roles),))


def _assignee(case: Case) -> Audience:
    return Audience(ids=frozenset({case.assignee_id})) if case.assignee_id else NOBODY


def _intake(case, event):
    return _on(case.owner, Role.INTAKE_CLERK, Role.LEADER)


def _handover(case, event):
    # The new owner's people and the person it was handed to.
    return _on(case.owner, Role.HANDLER, Role.LEADER) | _assignee(case)


def _assigning_leader(case, event):
    # The leader who assigned the case keeps watch over its answer and outcome.
    return _on(case.assigned_by_unit, Role.LEADER)


def _owner_handlers(case, event):
    return _on(case.owner, Role.HANDLER) | _assignee(case)


def _escalation(case, event):
    codes = (event.data or {}).get("to_units") or []
    people = NOBODY
    for unit in Unit.objects.filter(code__in=codes):
        people |= _on(unit, Role.LEADER, Role.SUPERVISOR)
    return people


def _deciding_leader(case, event):
    # A resident said "not fixed": the owner's leader decides whether to reopen.
    if (event.data or {}).get("fixed", True):
        return NOBODY
    return _on(case.owner, Role.LEADER) | _on(case.assigned_by_unit, Role.LEADER)


def _instructed_owner(case, event):
    return _on(case.owner, Role.LEADER, Role.HANDLER) | _assignee(case)


def _intake_desk(case, event):
    # The work rests with the owner's intake clerks or leaders (the reporter still has to be told).
    return _on(case.owner, Role.INTAKE_CLERK, Role.LEADER)


def _new_owner_leaders(case, event):
    return _on(case.owner, Role.LEADER, Role.HANDLER)


RULES = {
    CaseAction.INTAKE: _intake,
    CaseAction.ASSIGN: _handover,
    CaseAction.REASSIGN: _handover,
    CaseAction.ORIENT: _assigning_leader,
    CaseAction.RESOLVE: _assigning_leader,
    CaseAction.REOPEN: _owner_handlers,
    CaseAction.REMIND: _owner_handlers,
    CaseAction.ESCALATE: _escalation,
    CaseAction.PUBLIC_FEEDBACK: _deciding_leader,
    CaseAction.INSTRUCT: _instructed_owner,
    CaseAction.PULL_UP: _new_owner_leaders,
    CaseAction.TRANSFER: _intake_desk,
    CaseAction.WORK_MOVED_UP: _new_owner_leaders,
    CaseAction.WORK_TO_LEADERS: _new_owner_leaders,
}


def recipients_for(*, case: Case, event: CaseEvent):
    """The active people to notify of `event`, never its actor; with their preferences loaded."""
    rule = RULES.get(event.action)
    if rule is None:
        return []
    audience = rule(case, event)
    User = get_user_model()
    parts = list(audience.role_holders)
    if audience.ids:
        parts.append(User.objects.filter(pk__in=sorted(audience.ids)).values("pk"))
    if not parts:
        return []
    chosen = parts[0] if len(parts) == 1 else parts[0].union(*parts[1:], all=True)
    people = User.objects.filter(is_active=True, pk__in=chosen)
    if event.actor_id:
        people = people.exclude(pk=event.actor_id)
    return list(people.select_related("notification_preference").order_by("pk"))


def message_params(*, case: Case, event: CaseEvent) -> dict:
    """What the message may quote: case code and title, unit names, clock facts; never the reporter."""
    data = event.data or {}
    params = {"code": case.code, "title": case.title, "unit": case.owner.name if case.owner_id else ""}
    if event.action in (CaseAction.REMIND, CaseAction.ESCALATE):
        params["clock"] = _clock_name(case, data)
        params["level"] = data.get("level", "")
        params["due"] = _local_time(data.get("due"))
    return params


def _clock_name(case: Case, data: dict) -> str:
    """The clock's name as its policy says it (e.g. "Giao xử lý"), not its code."""
    if data.get("clock_name"):
        return str(data["clock_name"])
    code = data.get("clock") or ""
    from workflow.models import CaseClock

    name = (
        CaseClock.objects.filter(case=case, clock=code).order_by("-started_at")
        .values_list("policy__name", flat=True).first()
    )
    return name or code


def _local_time(value) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else None
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y") if moment else ""
