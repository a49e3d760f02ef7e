"""Every read of the case domain, already scoped to what the person may see.

A person sees a case when one of their roles reaches its owning unit, or the
unit that assigned it (whose leader keeps watch). Missing and forbidden look
the same: `case_get_for_user` answers "not found" for both.
"""

from django.db.models import Q, QuerySet

from .exceptions import CaseNotFound
from .lifecycle import TRANSITION_NAMES, transition_of
from .models import Case, CaseEvent, Unit
from .permissions import user_grants


def _scope_filter(user) -> Q | None:
    grants = user_grants(user)
    if not grants:
        return None
    subtree_paths = sorted({g.path for g in grants if g.reaches_subtree})
    unit_ids = sorted({g.unit_id for g in grants if not g.reaches_subtree})
    scope = Q(owner_id__in=unit_ids) | Q(assigned_by_unit_id__in=unit_ids) if unit_ids else Q(pk__in=[])
    for path in subtree_paths:
        scope |= Q(owner__path__startswith=path) | Q(assigned_by_unit__path__startswith=path)
    return scope


def case_list_for_user(*, user, filters: dict | None = None) -> QuerySet[Case]:
    """The cases this person may see, newest first."""
    scope = _scope_filter(user)
    if scope is None:
        return Case.objects.none()
    cases = Case.objects.filter(scope).select_related("owner", "locality", "topic", "channel")
    filters = filters or {}
    if status := filters.get("status"):
        cases = cases.filter(status=status)
    return cases.order_by("-received_at", "-pk")


def case_get_for_user(*, user, code: str) -> Case:
    """One case by code, or CaseNotFound when it is missing or out of scope."""
    try:
        return case_list_for_user(user=user).get(code=code)
    except Case.DoesNotExist:
        raise CaseNotFound() from None


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    """The case's history, oldest first (the caller already holds the case)."""
    return case.events.select_related("actor").order_by("seq")


def case_available_transitions(*, case: Case, user) -> list[str]:
    """The moves this person may make on this case now."""
    available = []
    for name in TRANSITION_NAMES:
        if name == "report":
            continue  # only by submitting a report
        move = transition_of(case, name)
        if move.can_proceed() and move.has_perm(user):
            available.append(name)
    return available


def unit_subtree(*, unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=unit.path)
