"""Who hears about each case event, and the facts their message quotes.

One rule per event action; actions without a rule notify nobody in person
(webhooks still get every event). Whoever made the change is never told
about it.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases.models import Case, CaseEvent, Role, Unit
from cases.selectors import user_ids_with_role_on

# Each rule returns the ids of the people to tell; one query then loads the active ones. (A single query
# with the rules as OR-ed subqueries made PostgreSQL filter every user row, once per event.)


def _on(unit: Unit | None, *roles) -> set[int]:
    if unit is None:
        return set()
    return user_ids_with_role_on(unit=unit, roles=roles)


def _assignee(case: Case) -> set[int]:
    return {case.assignee_id} if case.assignee_id else set()


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
    people = set()
    for unit in Unit.objects.filter(code__in=codes):
        people |= _on(unit, Role.LEADER, Role.SUPERVISOR)
    return people


RULES = {
    "intake": _intake,
    "assign": _handover,
    "reassign": _handover,
    "orient": _assigning_leader,
    "resolve": _assigning_leader,
    "reopen": _owner_handlers,
    "remind": _owner_handlers,
    "escalate": _escalation,
}


def recipients_for(*, case: Case, event: CaseEvent):
    """The active people to notify of `event`, never its actor; with their preferences loaded."""
    rule = RULES.get(event.action)
    if rule is None:
        return []
    ids = set(rule(case, event)) - {event.actor_id}
    if not ids:
        return []
    people = get_user_model().objects.filter(pk__in=sorted(ids), is_active=True)
    return list(people.select_related("notification_preference").order_by("pk"))


def message_params(*, case: Case, event: CaseEvent) -> dict:
    """What the message may quote: case code and title, unit names, clock facts; never the reporter."""
    data = event.data or {}
    params = {"code": case.code, "title": case.title, "unit": case.owner.name if case.owner_id else ""}
    if event.action in ("remind", "escalate"):
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
