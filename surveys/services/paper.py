"""Writes of paper data entry: each paper form keyed by its number; a sample keyed twice and settled field by field.

- The first keying of a form number checks the answers by the form's rules (surveys.answers) and makes the
  answer (channel `paper`).
- A form in the double-entry sample (every Nth number, `SurveyPlan.double_entry_every`) is keyed a second time,
  blind, by another clerk; the server decides which keying it is, so the second clerk never sees the first.
- Each field keyed differently is settled by the first clerk or the unit's secretariat: keep the first keying or
  take the second; the decision is recorded (PaperDecision) and the answer takes the value.

Who keys: the unit's secretariat or leader, or an interviewer assigned to the plan.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import PermissionDenied, TransitionNotAllowed
from cases.models import Role
from cases.permissions import has_role

from ..answers import answers_clean
from ..models import AnswerChannel, PaperDecision, PaperEntry, SurveyAnswer, SurveyPlan
from ..permissions import may_write_plans
from .collection import _stratum, collection_version
from .interview import interviewer_assigned
from .plans import plan_check_writer

MAX_FORM_NUMBER = 10_000_000


def may_key_paper(user, plan: SurveyPlan) -> bool:
    return may_write_plans(user, plan.unit) or interviewer_assigned(plan=plan, user=user)


def paper_in_sample(plan: SurveyPlan, form_number: int) -> bool:
    every = plan.double_entry_every
    return bool(every) and form_number % every == 0


def _number(value) -> int:
    text = str(value or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_FORM_NUMBER:
        raise ValidationError({"form_number": _("Số phiếu là số in trên phiếu giấy, từ 1 đến 10.000.000.")})
    return int(text)


def paper_entry_save(*, plan: SurveyPlan, by, form_number, raw: dict) -> PaperEntry:
    """Key one paper form: the first keying makes the answer; a sampled form's second keying is kept to compare."""
    if not may_key_paper(by, plan):
        raise PermissionDenied(_("Chỉ văn phòng tổng hợp, lãnh đạo đơn vị hoặc điều tra viên được phân công mới nhập phiếu."))
    version = collection_version(plan)
    if version is None or plan.is_draft:
        raise TransitionNotAllowed(_("Cuộc điều tra chưa mở để trả lời."))
    try:
        number = _number(form_number)
    except ValidationError as wrong_number:
        errors = dict(wrong_number.message_dict)
        try:
            answers_clean(content=version.content, raw=raw)
        except ValidationError as wrong_answers:
            errors.update(wrong_answers.message_dict)
        raise ValidationError(errors) from None
    with transaction.atomic():
        SurveyPlan.objects.select_for_update().filter(pk=plan.pk).first()  # one keying of a number at a time
        entries = {e.round: e for e in PaperEntry.objects.filter(plan=plan, form_number=number)}
        if 1 not in entries:
            data = answers_clean(content=version.content, raw=raw)
            answer = SurveyAnswer.objects.create(plan=plan, questionnaire=version, channel=AnswerChannel.PAPER,
                                                 data=data, stratum=_stratum(plan, data),
                                                 received_on=timezone.localdate())
            return PaperEntry.objects.create(plan=plan, form_number=number, round=1, data=data, answer=answer,
                                             entered_by=by)
        if not paper_in_sample(plan, number) or 2 in entries:
            raise ValidationError({"form_number": _("Phiếu số %(n)s đã được nhập.") % {"n": number}})
        if entries[1].entered_by_id == by.pk:
            raise ValidationError({"form_number": _(
                "Phiếu số %(n)s thuộc mẫu nhập lại kiểm tra: một người khác phải nhập lần hai.") % {"n": number}})
        data = answers_clean(content=entries[1].answer.questionnaire.content, raw=raw)
        return PaperEntry.objects.create(plan=plan, form_number=number, round=2, data=data, entered_by=by)


def paper_decide(*, plan: SurveyPlan, by, form_number, field: str, choice: str) -> PaperDecision:
    """Settle one field keyed differently: keep the first keying or take the second; recorded, and applied."""
    number = _number(form_number)
    entries = {e.round: e for e in PaperEntry.objects.filter(plan=plan, form_number=number).select_related("answer")}
    if 1 not in entries:
        raise ValidationError({"form_number": _("Chưa có phiếu số %(n)s.") % {"n": number}})
    first = entries[1]
    if not (first.entered_by_id == by.pk or has_role(by, plan.unit, Role.SECRETARIAT)):
        raise PermissionDenied(_("Chỉ người nhập lần một hoặc văn phòng tổng hợp của đơn vị mới quyết định chênh lệch."))
    if choice not in PaperDecision.Choice.values:
        raise ValidationError({"choice": _("Chọn giữ lần nhập 1 hoặc theo lần nhập 2.")})
    second = entries.get(2)
    if second is None or first.data.get(field) == second.data.get(field):
        raise ValidationError({"field": _("Câu này không có chênh lệch giữa hai lần nhập.")})
    value = (first if choice == PaperDecision.Choice.FIRST else second).data.get(field)
    try:
        with transaction.atomic():
            decision = PaperDecision.objects.create(
                plan=plan, form_number=number, field=field, first_value=first.data.get(field),
                second_value=second.data.get(field), choice=choice, decided_by=by)
            answer = SurveyAnswer.objects.select_for_update().get(pk=first.answer_id)
            if value is None:
                answer.data.pop(field, None)
            else:
                answer.data[field] = value
            answer.stratum = _stratum(plan, answer.data)
            answer.save(update_fields=["data", "stratum"])
    except IntegrityError:
        raise ValidationError({"field": _("Chênh lệch này đã được quyết định.")}) from None
    return decision


def plan_double_entry_set(*, plan: SurveyPlan, by, every) -> SurveyPlan:
    """How many paper forms to one keyed twice: every Nth form number (1: every form; 0: none)."""
    plan_check_writer(by, plan.unit)
    text = str(every if every is not None else "").strip()
    if not text.isdigit() or int(text) > 1000:
        raise ValidationError({"double_entry_every": _("Nhập một số từ 0 (không nhập lại) đến 1.000.")})
    SurveyPlan.objects.filter(pk=plan.pk).update(double_entry_every=int(text), updated_at=timezone.now())
    plan.double_entry_every = int(text)
    return plan
