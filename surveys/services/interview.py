"""Writes of an interviewer's collection: answers taken on a device, maybe without a signal, sent later, stored once.

Each answer carries the idempotency key its device chose and the time the device says it was collected. The
first arrival of a key stores the answer; a repeat (the device sent it again after a lost reply, or two tabs
sent the same outbox) returns that first answer and stores nothing more. The answer is checked by the form's
own rules (surveys.answers) like the online form's.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from cases.exceptions import TransitionNotAllowed

from ..answers import answers_clean
from ..exceptions import SurveyNotFound
from ..models import AnswerChannel, InterviewerAssignment, SurveyAnswer, SurveyPlan
from .collection import _stratum, collection_version
from .contacts import answer_raw_without_contact, contact_clean, contact_store

# A device's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=10)


@dataclass(frozen=True)
class Collected:
    answer: SurveyAnswer
    created: bool


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


def answer_submit_interview(*, plan: SurveyPlan, by, raw: dict, idempotency_key, collected_at) -> Collected:
    """An assigned interviewer's answer, filed once per device key.

    Not assigned to the plan: SurveyNotFound (the plan looks missing). A repeat of a key already filed on this
    plan returns the first answer unchanged, whatever was sent the second time.
    """
    if not interviewer_assigned(plan=plan, user=by):
        raise SurveyNotFound()
    key = _key(idempotency_key)
    earlier = SurveyAnswer.objects.filter(idempotency_key=key).first()
    if earlier is not None:
        if earlier.plan_id != plan.pk:
            raise ValidationError({"idempotency_key": _("Mã chống gửi trùng đã dùng cho cuộc điều tra khác.")})
        return Collected(earlier, False)
    version = collection_version(plan)
    if version is None or plan.is_draft:
        raise TransitionNotAllowed(_("Cuộc điều tra chưa mở để trả lời."))
    moment = _collected_at(collected_at)
    contact = contact_clean(raw)
    data = answers_clean(content=version.content, raw=answer_raw_without_contact(raw))
    try:
        with transaction.atomic():
            contact_store(plan=plan, contact=contact)
            answer = SurveyAnswer.objects.create(
                plan=plan, questionnaire=version, channel=AnswerChannel.INTERVIEW, data=data,
                stratum=_stratum(plan, data), received_on=timezone.localdate(), idempotency_key=key,
                collected_at=moment)
    except IntegrityError:
        # The same key arrived at the same moment from another request: the first one filed it.
        first = SurveyAnswer.objects.filter(idempotency_key=key, plan=plan).first()
        if first is None:
            raise
        return Collected(first, False)
    return Collected(answer, True)
