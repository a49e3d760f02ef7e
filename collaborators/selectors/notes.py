"""Opinion notes and subjects, read within the reader's reach.

A collaborator reads their own notes; a unit's leader and secretariat read the unit's notes; supervisors and
inspectors read their subtree's. A note out of reach is "not found", like a missing one.
"""

from django.db.models import Q, QuerySet

from cases.models import SUBTREE_ROLES, Unit
from cases.permissions import user_grants

from ..exceptions import NoteNotFound, SubjectNotFound
from ..models import OpinionNote, OpinionRequest, RequestRecipient, Subject, SubjectStatus
from ..permissions import overseen_q


def note_scope_q(user) -> Q | None:
    """The filter on OpinionNote for what this person may read; None when nothing."""
    scope = overseen_q(user, "unit")
    own = Q(collaborator__user=user) if user.is_authenticated else None
    if own is not None:
        scope = own if scope is None else scope | own
    return scope


def note_list_for_user(*, user, filters: dict | None = None) -> QuerySet[OpinionNote]:
    scope = note_scope_q(user)
    if scope is None:
        return OpinionNote.objects.none()
    notes = OpinionNote.objects.filter(scope).select_related("subject", "locality", "unit", "collaborator")
    filters = filters or {}
    for key in ("subject", "locality", "attitude", "unit", "collaborator"):
        value = filters.get(key)
        if value not in (None, ""):
            notes = notes.filter(**{key: value})
    if filters.get("group"):
        notes = notes.filter(groups__contains=[filters["group"]]) if _json_contains() else notes.filter(
            groups__icontains=f'"{filters["group"]}"')
    if filters.get("since"):
        notes = notes.filter(filed_at__gte=filters["since"])
    if filters.get("until"):
        notes = notes.filter(filed_at__lt=filters["until"])
    return notes.order_by("-filed_at", "-pk")


def _json_contains() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def note_get_for_user(*, user, code: str) -> OpinionNote:
    note = note_list_for_user(user=user).filter(code=code).first()
    if note is None:
        raise NoteNotFound()
    return note


def note_events(*, note: OpinionNote):
    return note.events.select_related("actor").order_by("seq")


def subject_scope_q(user) -> Q | None:
    """Subjects of a unit the person holds any role on or under (a collaborator files on their unit's subjects
    and those of the units above), and, for subtree roles, of every unit below."""
    scope = None
    for grant in user_grants(user):
        ancestors = [grant.path[:end] for end in range(Unit.steplen, len(grant.path) + 1, Unit.steplen)]
        part = Q(unit__path__in=ancestors)
        if grant.role in SUBTREE_ROLES:
            part |= Q(unit__path__startswith=grant.path)
        scope = part if scope is None else scope | part
    return scope


def subject_list_for_user(*, user, statuses=None) -> QuerySet[Subject]:
    scope = subject_scope_q(user)
    if scope is None:
        return Subject.objects.none()
    subjects = Subject.objects.filter(scope).select_related("unit", "topic")
    if statuses:
        subjects = subjects.filter(status__in=statuses)
    return subjects.order_by("-opened_at", "-pk")


def subjects_to_file_on(*, user) -> QuerySet[Subject]:
    return subject_list_for_user(user=user, statuses=[SubjectStatus.FOLLOWED])


def subject_get_for_user(*, user, pk) -> Subject:
    subject = subject_list_for_user(user=user).filter(pk=pk).first()
    if subject is None:
        raise SubjectNotFound()
    return subject


def subject_requests(*, subject: Subject) -> QuerySet[OpinionRequest]:
    return subject.requests.order_by("-sent_at").prefetch_related("recipients__collaborator")


def open_requests_for(*, user) -> QuerySet[RequestRecipient]:
    """The requests sent to this collaborator not answered yet, nearest deadline first."""
    return (RequestRecipient.objects.filter(collaborator__user=user, answered_at__isnull=True)
            .select_related("request__subject").order_by("request__deadline"))
