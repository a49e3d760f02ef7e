"""Writes of collection: invitation codes issued, and a resident's online answers taken once per code.

A code is shown once when issued and only its digest is kept; taking an answer marks the code used in the
same transaction, and neither row names the other (surveys.models.InvitationCode).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import CaseError, PermissionDenied, TransitionNotAllowed

from ..answers import answers_clean
from ..dataset import corrected
from ..models import AnswerChannel, AnswerCorrection, InvitationCode, QuestionnaireStatus, SurveyAnswer, SurveyPlan
from ..permissions import may_collect, may_write_plans
from .contacts import answer_raw_without_contact, contact_clean, contact_store
from .plans import plan_check_writer

# Answers collected offline before collection closed are still taken this long after it, marked late.
LATE_WINDOW = timedelta(days=7)
# A device's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=10)

# A time to answer beyond this says nothing of how carefully the questions were read (a form left open overnight):
# not kept.
MAX_DURATION = timedelta(hours=12)

# Letters and digits that cannot be mistaken for one another when read aloud or from paper.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_CODES_A_BATCH = 2000


class InvitationInvalid(CaseError):
    code = "invitation_invalid"
    default_message = _("Mã mời không đúng hoặc đã được dùng.")


def code_normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch in ALPHABET)


def code_digest(code: str) -> str:
    return hashlib.sha256(f"dlxh-invitation:{code_normalise(code)}".encode()).hexdigest()


def collection_version(plan: SurveyPlan):
    """The questionnaire collected now: the newest frozen version, or None before collection starts."""
    return plan.questionnaires.filter(status=QuestionnaireStatus.FROZEN).order_by("-number").first()


def invitation_codes_issue(*, plan: SurveyPlan, by, count: int) -> list[str]:
    """`count` new one-time codes (XXXX-XXXX), returned once; only their digests are kept."""
    plan_check_writer(by, plan.unit)
    if plan.is_draft:
        raise TransitionNotAllowed(_("Kế hoạch chưa được phê duyệt."))
    count = int(count)
    if not 1 <= count <= MAX_CODES_A_BATCH:
        raise ValidationError({"count": _("Mỗi lần phát từ 1 đến %(n)s mã.") % {"n": MAX_CODES_A_BATCH}})
    with transaction.atomic():
        SurveyPlan.objects.select_for_update().filter(pk=plan.pk).first()
        batch = (plan.invitation_codes.aggregate(n=Max("batch"))["n"] or 0) + 1
        codes = set()
        while len(codes) < count:
            codes.add("".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH)))
        plain = sorted(codes)
        InvitationCode.objects.bulk_create(
            InvitationCode(plan=plan, digest=code_digest(code), batch=batch) for code in plain)
    return [f"{code[:4]}-{code[4:]}" for code in plain]


def invitation_usable(*, plan: SurveyPlan, code: str) -> bool:
    return InvitationCode.objects.filter(plan=plan, digest=code_digest(code), used=False).exists()


def answer_duration(started: datetime | None, finished: datetime | None) -> int | None:
    """Whole seconds from the start of an answer to its end, or None when either is unknown, the end comes first
    or the length is beyond MAX_DURATION. Only this length is kept, never the two times."""
    if started is None or finished is None:
        return None
    return _seconds((finished - started).total_seconds())


def _seconds(value) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        seconds = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return seconds if 0 <= seconds <= MAX_DURATION.total_seconds() else None


def _stratum(plan: SurveyPlan, data: dict) -> dict:
    return {variable: data.get(variable, "") for variable in plan.strata_variables}


def plan_open_link_set(*, plan: SurveyPlan, by, enabled: bool) -> SurveyPlan:
    """Open or close the online form to answers without an invitation code."""
    plan_check_writer(by, plan.unit)
    SurveyPlan.objects.filter(pk=plan.pk).update(open_link=bool(enabled), updated_at=timezone.now())
    plan.open_link = bool(enabled)
    return plan


def closed_message(plan: SurveyPlan) -> str:
    return _("Cuộc điều tra đã kết thúc thu thập lúc %(at)s; không nhận thêm phiếu trả lời.") % {
        "at": timezone.localtime(plan.closed_at).strftime("%H:%M %d/%m/%Y")}


def _check_open(plan: SurveyPlan, version) -> None:
    if version is None or plan.is_draft:
        raise TransitionNotAllowed(_("Cuộc điều tra chưa mở để trả lời."))
    if plan.closed_at is not None:
        raise TransitionNotAllowed(closed_message(plan))


def plan_close(*, plan: SurveyPlan, by) -> SurveyPlan:
    """End collection now: no new answers; those collected offline before now are taken for 7 days, late."""
    plan_check_writer(by, plan.unit)
    with transaction.atomic():
        locked = SurveyPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.is_draft or collection_version(locked) is None:
            raise TransitionNotAllowed(_("Cuộc điều tra chưa bắt đầu thu thập."))
        if locked.closed_at is not None:
            raise TransitionNotAllowed(closed_message(locked))
        locked.closed_at = timezone.now()
        locked.save(update_fields=["closed_at", "updated_at"])
    plan.closed_at = locked.closed_at
    return plan


def answer_submit_open(*, plan: SurveyPlan, raw: dict, duration_seconds: int | None = None) -> SurveyAnswer:
    """A resident's answers through the open link (no code); the form's limits per browser and per address
    are the caller's, which sees the browser and the address."""
    version = collection_version(plan)
    _check_open(plan, version)
    if not plan.open_link:
        raise TransitionNotAllowed(_("Cuộc điều tra chưa mở để trả lời."))
    contact = contact_clean(raw)
    data = answers_clean(content=version.content, raw=answer_raw_without_contact(raw))
    with transaction.atomic():
        contact_store(plan=plan, contact=contact)
        return SurveyAnswer.objects.create(plan=plan, questionnaire=version, channel=AnswerChannel.ONLINE, data=data,
                                           stratum=_stratum(plan, data), received_on=timezone.localdate(),
                                           duration_seconds=_seconds(duration_seconds))


def answer_submit_online(*, plan: SurveyPlan, code: str, raw: dict,
                         duration_seconds: int | None = None) -> SurveyAnswer:
    """A resident's answers through the online form: one answer per invitation code.

    Checked against the frozen questionnaire by the form's own rules (surveys.answers); a wrong answer
    changes nothing and leaves the code usable. `duration_seconds`: how long the form was open (the caller
    measured it, surveys.views_public); kept for the speeder check.
    """
    version = collection_version(plan)
    _check_open(plan, version)
    with transaction.atomic():
        invitation = (InvitationCode.objects.select_for_update()
                      .filter(plan=plan, digest=code_digest(code), used=False).first())
        if invitation is None:
            raise InvitationInvalid()
        contact = contact_clean(raw)
        data = answers_clean(content=version.content, raw=answer_raw_without_contact(raw))
        contact_store(plan=plan, contact=contact)
        answer = SurveyAnswer.objects.create(plan=plan, questionnaire=version, channel=AnswerChannel.ONLINE,
                                             data=data, stratum=_stratum(plan, data), received_on=timezone.localdate(),
                                             duration_seconds=_seconds(duration_seconds))
        invitation.used = True
        invitation.save(update_fields=["used"])
    return answer


@dataclass
class Collected:
    answer: SurveyAnswer
    created: bool  # False: the same instance was sent before and is stored once


def _late(plan: SurveyPlan, collected_at: datetime | None, now: datetime) -> bool:
    """Whether an answer arriving now is late; refuses it when collection is closed to it."""
    if collected_at is not None and collected_at > now + CLOCK_SKEW:
        raise ValidationError({"collected_at": _("Thời điểm thu thập không được ở tương lai.")})
    if plan.closed_at is None:
        return False
    if collected_at is None or collected_at >= plan.closed_at:
        raise TransitionNotAllowed(closed_message(plan))
    if now > plan.closed_at + LATE_WINDOW:
        raise TransitionNotAllowed(_("Đã quá 7 ngày sau khi kết thúc thu thập (%(at)s); không nhận phiếu "
                                     "thu thập trước đó nữa.") % {
            "at": timezone.localtime(plan.closed_at).strftime("%H:%M %d/%m/%Y")})
    return True


def answer_collect(*, plan: SurveyPlan, by, raw: dict, collected_at: datetime | None = None,
                   instance_id: str | None = None, idempotency_key=None, contact=None,
                   channel: str = AnswerChannel.INTERVIEW, version_number: int | None = None,
                   duration_seconds: int | None = None) -> Collected:
    """An answer an interviewer (or the unit's staff) collected, sent by a device or another tool.

    The one door for collected answers: the offline interview form (surveys.services.interview), the API and
    OpenRosa. Checked by the form's rules (surveys.answers). After closing, an answer collected before the
    closing time is taken for 7 days and marked late, then refused. The same `instance_id` (another tool's id)
    or `idempotency_key` (our device's) is stored once; a consented `contact` is stored apart in the same
    transaction (surveys.services.contacts). `duration_seconds`, when the device knows how long the answer
    took (answer_duration), is kept for the speeder check.
    """
    if not may_collect(by, plan):
        raise PermissionDenied(_("Chỉ điều tra viên được phân công hoặc văn phòng tổng hợp, lãnh đạo của đơn vị "
                                 "mới gửi phiếu trả lời."))
    instance_id = (instance_id or "").strip()[:100] or None
    if (earlier := _collected_before(plan, instance_id=instance_id, idempotency_key=idempotency_key)) is not None:
        return Collected(earlier, False)
    version = collection_version(plan)
    if version is None or plan.is_draft:
        raise TransitionNotAllowed(_("Cuộc điều tra chưa mở để trả lời."))
    if version_number is not None and version_number != version.number:  # a device with an older frozen form
        version = plan.questionnaires.filter(status=QuestionnaireStatus.FROZEN, number=version_number).first()
        if version is None:
            raise TransitionNotAllowed(_("Phiên bản phiếu hỏi này không dùng để thu thập; hãy tải lại biểu mẫu."))
    late = _late(plan, collected_at, timezone.now())
    data = answers_clean(content=version.content, raw=raw)
    try:
        with transaction.atomic():
            if contact is not None:
                contact_store(plan=plan, contact=contact)
            answer = SurveyAnswer.objects.create(
                plan=plan, questionnaire=version, channel=channel, data=data, stratum=_stratum(plan, data),
                received_on=timezone.localdate(), late=late, instance_id=instance_id,
                idempotency_key=idempotency_key, collected_at=collected_at,
                duration_seconds=_seconds(duration_seconds))
    except IntegrityError:  # the same answer, sent twice at once: the first one filed it
        first = _collected_before(plan, instance_id=instance_id, idempotency_key=idempotency_key)
        if first is None:
            raise
        return Collected(first, False)
    return Collected(answer, True)


def _collected_before(plan: SurveyPlan, *, instance_id, idempotency_key) -> SurveyAnswer | None:
    if idempotency_key is not None:
        earlier = SurveyAnswer.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None and earlier.plan_id != plan.pk:
            raise ValidationError({"idempotency_key": _("Mã chống gửi trùng đã dùng cho cuộc điều tra khác.")})
        if earlier is not None:
            return earlier
    if instance_id:
        return SurveyAnswer.objects.filter(plan=plan, instance_id=instance_id).first()
    return None


def answer_corrected(answer: SurveyAnswer) -> dict:
    """The answer as corrected: the original with its corrections applied in order."""
    return corrected(answer.data, answer.corrections.all())


def answer_correct(*, answer: SurveyAnswer, by, changes: dict, reason: str) -> AnswerCorrection:
    """A recorded correction after collection closed; the original answer stays as it came."""
    plan = answer.plan
    if not may_write_plans(by, plan.unit):
        raise PermissionDenied(_("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới hiệu chỉnh phiếu trả lời."))
    reason = (reason or "").strip()
    if plan.closed_at is None:
        raise TransitionNotAllowed(_("Chỉ hiệu chỉnh phiếu trả lời sau khi kết thúc thu thập."))
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do hiệu chỉnh.")})
    if not isinstance(changes, dict) or not changes:
        raise ValidationError({"changes": _("Cần ít nhất một câu được hiệu chỉnh.")})
    with transaction.atomic():
        SurveyAnswer.objects.select_for_update().filter(pk=answer.pk).first()
        before = answer_corrected(answer)
        merged = {**before, **changes}
        kept = answers_clean(content=answer.questionnaire.content, raw={k: v for k, v in merged.items() if v is not None})
        actual = {name: kept.get(name) for name in set(before) | set(kept) if before.get(name) != kept.get(name)}
        if not actual:
            raise ValidationError({"changes": _("Hiệu chỉnh không thay đổi câu trả lời nào.")})
        return AnswerCorrection.objects.create(answer=answer, changes=actual, reason=reason[:500], by=by)
