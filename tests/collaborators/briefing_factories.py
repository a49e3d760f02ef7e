"""Collaborators, subjects, requests and notes written straight with the ORM for the briefing, situation
report and evaluation tests (the filing service and its checks are tested on their own)."""

import itertools
from datetime import date

from django.utils import timezone

from collaborators.models import Collaborator, OpinionNote, OpinionRequest, RequestRecipient, Subject

_codes = itertools.count(1)


def collaborator(unit, name, *, localities=()):
    made = Collaborator.objects.create(full_name=name, unit=unit, term_start=date(2025, 1, 1))
    made.localities.set(localities)
    return made


def subject(unit, title, *, by):
    return Subject.objects.create(unit=unit, title=title, opened_by=by, opened_at=timezone.now())


def note(by, subject, locality, attitude, filed_at, *, summary="Người dân quan tâm.", recommendation="",
         spread="", intensity="", request=None):
    made = OpinionNote.objects.create(
        code=f"PT-{next(_codes):05d}", collaborator=by, unit=by.unit, subject=subject, locality=locality,
        attitude=attitude, spread=spread, intensity=intensity, summary=summary, recommendation=recommendation,
        observed_on=timezone.localtime(filed_at).date(), filed_at=filed_at, request=request,
    )
    if request is not None:  # what the filing service does: the first note answers the request
        RequestRecipient.objects.filter(request=request, collaborator=by, answered_at__isnull=True).update(
            answered_at=filed_at)
    return made


def request(subject, *, by, deadline, sent_at, to=()):
    made = OpinionRequest.objects.create(subject=subject, questions="Nhân dân nghĩ gì?", deadline=deadline,
                                         sent_by=by, sent_at=sent_at)
    for person in to:
        RequestRecipient.objects.create(request=made, collaborator=person)
    return made
