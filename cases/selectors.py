"""Every read of the case domain, already scoped to what the person may see.

A person sees a case when one of their roles reaches its owning unit, or the
unit that assigned it (whose leader keeps watch). Missing and forbidden look
the same: `case_get_for_user` answers "not found" for both.
"""

import re

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from .exceptions import CaseNotFound
from .lifecycle import TRANSITION_NAMES, transition_of
from .models import (
    CASE_CODE_PREFIX,
    OPEN_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    CaseStatus,
    Channel,
    Role,
    RoutingRule,
    Topic,
    Unit,
)
from .permissions import EVERY_UNIT, INTAKE_ROLES, case_grants, units_in_case_reach, user_grants
from .public_secret import public_secret_matches
from .text import fold

CASE_CODE_QUERY = re.compile(rf"{CASE_CODE_PREFIX}-\d{{4}}-\d{{1,9}}", re.IGNORECASE)


def _scope_filter(user) -> Q | None:
    grants = case_grants(user)
    if not grants:
        return None
    units = units_in_case_reach(user)
    if units is EVERY_UNIT:
        return Q()
    scope = Q(owner_id__in=units) | Q(assigned_by_unit_id__in=units)
    # A case escalated to a unit comes to the attention of that unit's leader.
    if escalated := _escalated_to_units_led_by(user, grants):
        scope |= Q(pk__in=escalated)
    return scope


def _escalated_to_units_led_by(user, grants) -> list[int]:
    """Ids of the cases escalated to a unit the person leads, read once per user object (so once a request).

    Ids first: a subquery OR-ed into the scope makes PostgreSQL scan every case.
    """
    escalated = getattr(user, "_escalated_ids", None)
    if escalated is None:
        led_unit_ids = sorted({g.unit_id for g in grants if g.role == Role.LEADER})
        escalated = sorted(
            Case.objects.filter(escalations__to_unit_id__in=led_unit_ids).order_by().values_list("pk", flat=True)
            .distinct()
        ) if led_unit_ids else []
        user._escalated_ids = escalated
    return escalated


def case_list_for_user(*, user, filters: dict | None = None) -> QuerySet[Case]:
    """The cases this person may see, newest first, narrowed by `filters`.

    Filters (all optional): status, owner (unit code), locality (unit code,
    its subtree included), topic (topic code, subtopics included), priority,
    channel (code), overdue (bool), q (text, diacritics-insensitive),
    received_after, received_before (datetimes).
    """
    scope = _scope_filter(user)
    if scope is None:
        return Case.objects.none()
    cases = Case.objects.filter(scope).select_related("owner", "locality", "topic", "channel")
    return _apply_filters(cases, filters or {}).order_by("-received_at", "-pk")


def _apply_filters(cases: QuerySet[Case], filters: dict) -> QuerySet[Case]:
    if status := filters.get("status"):
        cases = cases.filter(status=status)
    if owner := filters.get("owner"):
        cases = cases.filter(owner__code=owner)
    if locality := filters.get("locality"):
        path = Unit.objects.filter(code=locality).values_list("path", flat=True).first()
        cases = cases.filter(locality__path__startswith=path) if path else cases.none()
    if topic := filters.get("topic"):
        path = Topic.objects.filter(code=topic).values_list("path", flat=True).first()
        cases = cases.filter(topic__path__startswith=path) if path else cases.none()
    if priority := filters.get("priority"):
        cases = cases.filter(priority=priority)
    if channel := filters.get("channel"):
        cases = cases.filter(channel__code=channel)
    if filters.get("overdue"):
        cases = cases.filter(status__in=OPEN_STATUSES, deadline__lt=timezone.now())
    if received_after := filters.get("received_after"):
        cases = cases.filter(received_at__gte=received_after)
    if received_before := filters.get("received_before"):
        cases = cases.filter(received_at__lt=received_before)
    if q := filters.get("q"):
        if CASE_CODE_QUERY.fullmatch(q.strip()):
            # A code (or the start of one) is looked up on the code's own index: its common pieces
            # ("dl-", "202") are in every case, which makes the word search slow for it.
            cases = cases.filter(code__startswith=q.strip().upper())
        else:
            for word in fold(q).split()[:8]:
                cases = cases.filter(search_text__contains=word)
    return cases


def case_get_for_user(*, user, code: str) -> Case:
    """One case by code, or CaseNotFound when it is missing or out of scope."""
    try:
        return case_list_for_user(user=user).get(code=code)
    except Case.DoesNotExist:
        raise CaseNotFound() from None


def case_public_files(*, case: Case) -> list[Attachment]:
    """The resolution's files its handler made public, shown to the reporter once the case stands resolved."""
    if case.status not in (CaseStatus.RESOLVED, CaseStatus.REPORTED):
        return []
    return list(case.attachments.filter(is_public=True).order_by("uploaded_at", "pk"))


def public_file_get(*, attachment_id: int) -> Attachment | None:
    """A file the public page may serve now: public, of a case that stands resolved; None otherwise."""
    attachment = Attachment.objects.select_related("case").filter(pk=attachment_id, is_public=True).first()
    if attachment is None or attachment not in case_public_files(case=attachment.case):
        return None
    return attachment


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


def case_public_status(*, code: str, secret: str) -> dict | None:
    """What the reporter may see with the code and secret given at intake; None if they do not match.

    Never staff names, other reporters or internal notes.
    """
    case = Case.objects.filter(code=(code or "").strip().upper()).select_related("topic").first()
    if case is None or not public_secret_matches(case=case, secret=secret):
        return None
    return {
        "case": case,
        "code": case.code,
        "title": case.title,
        "status": case.status,
        "status_label": case.get_status_display(),
        "received_at": case.received_at,
        "deadline": case.deadline if case.is_open else None,
        "public_response": case.public_response,
        "outcome": case.outcome if case.status in ("resolved", "reported") else "",
        "can_give_feedback": case.status == "resolved",
        "reopen_requested": case.reopen_requested,
    }


# --- reference data for the screens' forms: units, topics, channels, roles --------------
#
# Units offered to a person are those their roles reach, so a form cannot even
# suggest a unit the service would refuse.

HANDOVER_ROLES = (Role.LEADER, Role.SUPERVISOR)


def _units_under(paths) -> QuerySet[Unit]:
    paths = sorted(set(paths))
    if not paths:
        return Unit.objects.none()
    scope = Q()
    for path in paths:
        scope |= Q(path__startswith=path)
    return Unit.objects.filter(scope, is_active=True).order_by("path")


def user_roles(user) -> set[str]:
    return {grant.role for grant in user_grants(user)}


def intake_localities(*, user) -> QuerySet[Unit]:
    """Units a person may name as a case's locality: the subtrees of the units where they log cases."""
    return _units_under(g.path for g in user_grants(user) if g.role in INTAKE_ROLES)


def handover_units(*, user) -> QuerySet[Unit]:
    """Units a leader or supervisor may hand a case to: the subtrees they lead."""
    return _units_under(g.path for g in user_grants(user) if g.role in HANDOVER_ROLES)


def scope_units(*, user) -> QuerySet[Unit]:
    """Units in the person's reach, for filters (subtree roles reach down, others only their unit)."""
    grants = case_grants(user)
    subtree = [g.path for g in grants if g.reaches_subtree]
    own = [g.unit_id for g in grants if not g.reaches_subtree]
    scope = Q(pk__in=own)
    for path in subtree:
        scope |= Q(path__startswith=path)
    return Unit.objects.filter(scope).order_by("path") if grants else Unit.objects.none()


def top_unit(*, user) -> Unit | None:
    """The highest unit the person holds a role on (the dashboard's default subtree)."""
    grants = sorted(case_grants(user), key=lambda g: (len(g.path), g.path))
    return Unit.objects.filter(pk=grants[0].unit_id).first() if grants else None


def unit_search(units: QuerySet[Unit], text: str, *, limit: int = 30) -> list[Unit]:
    """Units whose code or name contains every word of `text`, diacritics-insensitive."""
    words = fold(text).split()
    found = []
    for unit in units.only("pk", "code", "name", "path", "tier"):
        haystack = fold(f"{unit.name} {unit.code}")
        if all(word in haystack for word in words):
            found.append(unit)
            if len(found) >= limit:
                break
    return found


def active_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(is_active=True).order_by("path")


def active_channels() -> QuerySet[Channel]:
    return Channel.objects.filter(is_active=True).order_by("name")


def all_topics() -> QuerySet[Topic]:
    return Topic.objects.order_by("path")


def all_channels() -> QuerySet[Channel]:
    return Channel.objects.order_by("name")


def reference_by_code(model: type[Channel] | type[Topic], code: str) -> Channel | Topic | None:
    """A channel or a topic by its code (active or not: the services say what an inactive one means), from this
    process's copy of the whole table; None when the copy does not hold that code (the caller then asks the
    database: one created a moment ago in another process).

    The copy is read through `versioned`: a channel or topic saved, deleted or moved in the tree anywhere
    (`cases.receivers`) makes every process read the table again, this one at once and the others within
    `RECHECK_SECONDS`, as for the calendar and the clock policies. A copy of the row is returned, so nothing a
    request does to it reaches the next request.
    """
    from copy import copy

    from config.shared_configuration import versioned

    table = versioned(f"reference:{model._meta.label_lower}",
                      lambda: {row.code: row for row in model.objects.all()})
    row = table.get(code)
    return copy(row) if row is not None else None


# --- routing ------------------------------------------------------------------


def routing_propose_unit(*, case: Case) -> Unit | None:
    """The unit the routing rules propose for this case's topic and locality.

    The deepest locality wins, then the deepest topic; None when no rule applies.
    """
    locality_path = Unit.objects.values_list("path", flat=True).get(pk=case.locality_id)
    topic_path = Topic.objects.values_list("path", flat=True).get(pk=case.topic_id)
    locality_paths = _ancestor_paths(locality_path, Unit.steplen)
    topic_paths = _ancestor_paths(topic_path, Topic.steplen)
    rules = RoutingRule.objects.filter(
        is_active=True, unit__is_active=True, locality__path__in=locality_paths, topic__path__in=topic_paths
    ).select_related("unit", "locality", "topic")
    best = max(rules, key=lambda rule: (len(rule.locality.path), len(rule.topic.path)), default=None)
    return best.unit if best else None


def _ancestor_paths(path: str, steplen: int) -> list[str]:
    return [path[:end] for end in range(steplen, len(path) + 1, steplen)]


def person_unit_names(user) -> list[str]:
    """The units where a person holds a role, the most local first: how colleagues tell them apart."""
    depth_by_unit = {}
    for grant in user_grants(user):
        depth_by_unit[grant.unit_id] = max(depth_by_unit.get(grant.unit_id, 0), len(grant.path))
    names = dict(Unit.objects.filter(pk__in=depth_by_unit).values_list("pk", "name"))
    return [names[pk] for pk in sorted(depth_by_unit, key=lambda pk: (-depth_by_unit[pk], names.get(pk, "")))
            if pk in names]


def person_by_username(username: str):
    """The account an event names by its login (events keep the login; screens show the person)."""
    return get_user_model().objects.filter(username=username).first()
