"""Writes of collection: invitation codes issued, and a resident's online answers taken once per code.

A code is shown once when issued and only its digest is kept; taking an answer marks the code used in the
same transaction, and neither row names the other (surveys.models.InvitationCode).
"""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import CaseError, TransitionNotAllowed

from ..answers import answers_clean
from ..models import AnswerChannel, InvitationCode, QuestionnaireStatus, SurveyAnswer, SurveyPlan
from .contacts import answer_raw_without_contact, contact_clean, contact_store
from .plans import plan_check_writer

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


def _stratum(plan: SurveyPlan, data: dict) -> dict:
    return {variable: data.get(variable, "") for variable in plan.strata_variables}


def plan_open_link_set(*, plan: SurveyPlan, by, enabled: bool) -> SurveyPlan:
    """Open or close the online form to answers without an invitation code."""
    plan_check_writer(by, plan.unit)
    SurveyPlan.objects.filter(pk=plan.pk).update(open_link=bool(enabled), updated_at=timezone.now())
    plan.open_link = bool(enabled)
    return plan


def answer_submit_open(*, plan: SurveyPlan, raw: dict) -> SurveyAnswer:
    """A resident's answers through the open link (no code); the form's limits per browser and per address
    are the caller's, which sees the browser and the address."""
    version = collection_version(plan)
    if version is None or plan.is_draft or not plan.open_link:
        raise TransitionNotAllowed(_("Cuộc điều tra chưa mở để trả lời."))
    contact = contact_clean(raw)
    data = answers_clean(content=version.content, raw=answer_raw_without_contact(raw))
    with transaction.atomic():
        contact_store(plan=plan, contact=contact)
        return SurveyAnswer.objects.create(plan=plan, questionnaire=version, channel=AnswerChannel.ONLINE, data=data,
                                           stratum=_stratum(plan, data), received_on=timezone.localdate())


def answer_submit_online(*, plan: SurveyPlan, code: str, raw: dict) -> SurveyAnswer:
    """A resident's answers through the online form: one answer per invitation code.

    Checked against the frozen questionnaire by the form's own rules (surveys.answers); a wrong answer
    changes nothing and leaves the code usable.
    """
    version = collection_version(plan)
    if version is None or plan.is_draft:
        raise TransitionNotAllowed(_("Cuộc điều tra chưa mở để trả lời."))
    with transaction.atomic():
        invitation = (InvitationCode.objects.select_for_update()
                      .filter(plan=plan, digest=code_digest(code), used=False).first())
        if invitation is None:
            raise InvitationInvalid()
        contact = contact_clean(raw)
        data = answers_clean(content=version.content, raw=answer_raw_without_contact(raw))
        contact_store(plan=plan, contact=contact)
        answer = SurveyAnswer.objects.create(plan=plan, questionnaire=version, channel=AnswerChannel.ONLINE,
                                             data=data, stratum=_stratum(plan, data), received_on=timezone.localdate())
        invitation.used = True
        invitation.save(update_fields=["used"])
    return answer
