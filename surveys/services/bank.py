"""Writes of the question bank (ngân hàng câu hỏi): a questionnaire's question put into the bank, and a bank
question put into a draft questionnaire, named by its code ("bank" in surveys/questionnaire.py) so that the
answers to it compare across surveys and over time.

Any unit's secretariat or leader adds to the bank (the bank is shared by every tier: a commune's good question is
a province's too); a code is given once and never reused. A bank question is never edited: a changed wording is
a new question with a new code, or the comparison over time would compare different questions.
"""

import copy
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.exceptions import PermissionDenied

from ..models import BankQuestion, QuestionnaireVersion
from ..permissions import may_write_plans
from ..questionnaire import CHOICE_TYPES, SECTION, all_items
from .questionnaires import questionnaire_update

CODE = re.compile(r"[a-z0-9][a-z0-9_\-]{0,63}\Z", re.ASCII)
# Types a bank question may have: one question, one variable (a matrix's rows are questions of their own in the
# analysis; bank them one by one as select_one or likert questions).
BANK_TYPES = ("select_one", "select_multiple", "likert", "integer", "decimal", "date", "text")


def _question(content: dict, name: str) -> dict:
    for item in all_items(content):
        if item.get("type") != SECTION and item.get("name") == name:
            return item
    raise ValidationError({"question": _("Phiếu hỏi không có câu mã “%(name)s”.") % {"name": name}})


def bank_question_add(*, version: QuestionnaireVersion, question: str, code: str, topic: str = "", by) -> BankQuestion:
    """Put one question of a plan's questionnaire into the bank under a new code; the secretariat or a leader of
    the plan's unit does it."""
    unit = version.plan.unit
    if not may_write_plans(by, unit):
        raise PermissionDenied(_("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới đưa câu hỏi vào ngân hàng."))
    code = (code or "").strip().lower()
    if not CODE.match(code):
        raise ValidationError({"code": _("Mã câu hỏi gồm chữ thường không dấu, số, _ và -, tối đa 64 ký tự.")})
    item = _question(version.content, question)
    if item["type"] not in BANK_TYPES:
        raise ValidationError({"question": _("Câu loại “%(type)s” không đưa vào ngân hàng được; một dòng của ma trận "
                                             "hãy soạn thành câu một lựa chọn.") % {"type": item["type"]}})
    if item.get("bank"):
        raise ValidationError({"question": _("Câu này đã lấy từ ngân hàng (mã “%(code)s”).") % {"code": item["bank"]}})
    try:
        with transaction.atomic():
            return BankQuestion.objects.create(
                code=code, label=item["label"], type=item["type"], topic=(topic or "").strip()[:200], unit=unit,
                choices=copy.deepcopy(item.get("choices", [])) if item["type"] in CHOICE_TYPES else [],
                created_by=by)
    except IntegrityError:
        raise ValidationError({"code": _("Mã “%(code)s” đã có trong ngân hàng; hãy chọn mã khác.") % {"code": code}}) from None


def bank_question_use(*, version: QuestionnaireVersion, code: str, name: str = "", by) -> QuestionnaireVersion:
    """Add a bank question at the end of a draft questionnaire, with the bank's wording, type and choices and its
    code in "bank"; `name` is the question's name in this questionnaire (the code by default)."""
    bank = BankQuestion.objects.filter(code=(code or "").strip()).first()
    if bank is None:
        raise ValidationError({"code": _("Ngân hàng câu hỏi không có mã “%(code)s”.") % {"code": code}})
    name = (name or "").strip() or bank.code.replace("-", "_")
    item = {"type": bank.type, "name": name, "label": bank.label, "hint": "", "required": False, "relevant": "",
            "bank": bank.code}
    if bank.type in CHOICE_TYPES:
        item.update(list_name=f"{name[:60]}_ds", choices=copy.deepcopy(bank.choices))
    content = copy.deepcopy(version.content)
    content["items"] = [*content.get("items", []), item]
    # The draft's own checks: writer, not frozen, unique names, the bank code known.
    return questionnaire_update(version=version, by=by, content=content)
