"""Writes of an interviewer's collection: answers taken on a device, maybe without a signal, sent later, stored once.

Each answer carries the idempotency key its device chose and the time the device says it was collected. The
first arrival of a key stores the answer; a repeat (the device sent it again after a lost reply, or two tabs
sent the same outbox) returns that first answer and stores nothing more. The answer is checked by the form's
own rules (surveys.answers) like the online form's.
"""

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ..exceptions import SurveyNotFound
from ..models import AnswerChannel, InterviewerAssignment, SurveyPlan
from .collection import CLOCK_SKEW, Collected, answer_collect, answer_duration
from .contacts import answer_raw_without_contact, contact_clean


def interviewer_assigned(*, plan: SurveyPlan, user) -> bool:
    return InterviewerAssignment.objects.filter(plan=plan, user_id=getattr(user, "pk", None)).exists()


def _key(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise ValidationError({"idempotency_key": _("Thiếu mã chống gửi trùng của thiết bị.")}) from None


def _collected_at(value) -> datetime:
    moment = value if isinstance(value, datetime) else parse_datetime(str(value or "").strip())
    if moment is None:
        raise ValidationError({"collected_at": _("Thiếu thời điểm thu thập hoặc thời điểm không đúng.")})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"collected_at": _("Thời điểm thu thập không thể sau thời điểm hiện tại.")})
    return moment


def _started_at(value) -> datetime | None:
    """When the device says the interview began; unreadable or missing, the answer is simply not timed."""
    try:
        moment = value if isinstance(value, datetime) else parse_datetime(str(value or "").strip())
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def answer_submit_interview(*, plan: SurveyPlan, by, raw: dict, idempotency_key, collected_at,
                            started_at=None) -> Collected:
    """An assigned interviewer's answer from the offline form, filed once per device key (answer_collect).

    `started_at`: when the device began the interview (its own clock, like `collected_at`); only the length
    between the two is kept.

    Not assigned to the plan: SurveyNotFound (the plan looks missing). A repeat of a key already filed on this
    plan returns the first answer unchanged, whatever was sent the second time.
    """
    if not interviewer_assigned(plan=plan, user=by):
        raise SurveyNotFound()
    collected_at = _collected_at(collected_at)
    return answer_collect(
        plan=plan, by=by, raw=answer_raw_without_contact(raw), collected_at=collected_at,
        idempotency_key=_key(idempotency_key), contact=contact_clean(raw), channel=AnswerChannel.INTERVIEW,
        duration_seconds=answer_duration(_started_at(started_at), collected_at))
