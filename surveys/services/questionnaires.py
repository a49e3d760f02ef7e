"""Writes of questionnaires: draft a version, edit it, import an XLSForm into it, freeze it when
collection starts. A frozen version is never edited again; a change is a new version."""

import copy

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import Conflict, TransitionNotAllowed

from ..models import QuestionnaireStatus, QuestionnaireVersion, SurveyPlan
from ..questionnaire import clean_content, strata_problems
from ..xlsform import xlsform_import
from .plans import plan_check_writer

STARTER_CONTENT = {"form_id": "phieu_hoi", "items": [
    {"type": "text", "name": "y_kien", "label": "Ý kiến của ông/bà về vấn đề này?", "required": False},
]}


def _frozen_message(version: QuestionnaireVersion) -> str:
    return _("Phiếu hỏi phiên bản %(n)s đã khóa khi bắt đầu thu thập nên không sửa được; "
             "hãy lập phiên bản mới.") % {"n": version.number}


def questionnaire_draft(*, plan: SurveyPlan, by, title: str = "", content: dict | None = None) -> QuestionnaireVersion:
    """A new draft version: the given content, or a copy of the newest version (a starter for the first)."""
    plan_check_writer(by, plan.unit)
    with transaction.atomic():
        SurveyPlan.objects.select_for_update().filter(pk=plan.pk).first()
        if plan.questionnaires.filter(status=QuestionnaireStatus.DRAFT).exists():
            raise TransitionNotAllowed(_("Đã có một phiên bản phiếu hỏi đang soạn; hãy sửa phiên bản đó."))
        newest = plan.questionnaires.order_by("-number").first()
        if content is None:
            content = copy.deepcopy(newest.content) if newest else STARTER_CONTENT
        cleaned = clean_content(content)
        title = (title or "").strip() or (newest.title if newest else _("Phiếu hỏi: %(topic)s") % {"topic": plan.topic})
        number = (plan.questionnaires.aggregate(n=Max("number"))["n"] or 0) + 1
        try:
            with transaction.atomic():
                return QuestionnaireVersion.objects.create(plan=plan, number=number, title=title[:300],
                                                           content=cleaned, created_by=by)
        except IntegrityError:
            raise Conflict(_("Một phiên bản khác vừa được lập; hãy tải lại trang.")) from None


def plan_categories(plan: SurveyPlan) -> dict[str, set[str]]:
    """Every category each strata variable takes in the plan's quotas and margins."""
    found: dict[str, set[str]] = {}
    for stratum in plan.quotas.values_list("stratum", flat=True):
        for variable, category in stratum.items():
            found.setdefault(variable, set()).add(category)
    for variable, category in plan.population_margins.values_list("variable", "category"):
        found.setdefault(variable, set()).add(category)
    return found


def _lock(version: QuestionnaireVersion) -> QuestionnaireVersion:
    return QuestionnaireVersion.objects.select_for_update().select_related("plan__unit").get(pk=version.pk)


def questionnaire_update(*, version: QuestionnaireVersion, by, title: str | None = None,
                         content: dict | None = None) -> QuestionnaireVersion:
    """Edit a draft version; a frozen one refuses with a clear message."""
    plan_check_writer(by, version.plan.unit)
    if version.is_frozen:  # said before the content is checked: nothing would be saved anyway
        raise TransitionNotAllowed(_frozen_message(version))
    cleaned = clean_content(content) if content is not None else None
    with transaction.atomic():
        locked = _lock(version)
        if locked.is_frozen:
            raise TransitionNotAllowed(_frozen_message(locked))
        if title is not None:
            if not title.strip():
                raise ValidationError({"title": _("Cần nhập tên phiếu.")})
            locked.title = title.strip()[:300]
        if cleaned is not None:
            locked.content = cleaned
        locked.save()
    return locked


def questionnaire_import(*, plan: SurveyPlan, by, data: bytes, filename: str) -> QuestionnaireVersion:
    """An XLSForm into the plan's draft version (a new draft when none is open)."""
    plan_check_writer(by, plan.unit)
    title, content = xlsform_import(data=data, filename=filename)
    draft = plan.questionnaires.filter(status=QuestionnaireStatus.DRAFT).first()
    if draft is not None:
        return questionnaire_update(version=draft, by=by, title=title, content=content)
    return questionnaire_draft(plan=plan, by=by, title=title, content=content)


def questionnaire_freeze(*, version: QuestionnaireVersion, by) -> QuestionnaireVersion:
    """Collection starts on this version: it is frozen for good. The plan must be approved."""
    plan_check_writer(by, version.plan.unit)
    with transaction.atomic():
        locked = _lock(version)
        if locked.is_frozen:
            raise TransitionNotAllowed(_("Phiên bản này đã khóa."))
        if locked.plan.is_draft:
            raise TransitionNotAllowed(_("Kế hoạch chưa được phê duyệt; chưa thể bắt đầu thu thập."))
        problems = strata_problems(locked.content, variables=locked.plan.strata_variables,
                                   categories=plan_categories(locked.plan))
        if problems:  # answers must count into the plan's strata from the first one
            raise TransitionNotAllowed(" ".join(problems))
        locked.status, locked.frozen_at = QuestionnaireStatus.FROZEN, timezone.now()
        locked.save(update_fields=["status", "frozen_at", "updated_at"])
    return locked
