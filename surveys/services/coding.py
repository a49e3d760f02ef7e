"""Writes of coding open answers (mã hóa câu trả lời mở): the tags of an open question with the keywords that
suggest them, and the tags a reviewer gives one answer.

Tags belong to one text question of the plan; a tag's name is its code in the cleaned data (the question's
`<question>__codes` variable, surveys.dataset), its label what tables show. A tag given to answers is not deleted
(its counts would silently vanish from results); the reviewer takes it off those answers first, or renames it.
Who codes: as who cleans, the unit's secretariat and leaders (surveys.services.cleaning.check_cleaner).
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.exceptions import TransitionNotAllowed

from ..dataset import corrected, dataset_variables
from ..models import AnswerCode, CodeTag, SurveyAnswer, SurveyPlan
from ..questionnaire import CHOICE_NAME
from .cleaning import check_cleaner

MAX_KEYWORDS = 50
MAX_KEYWORD = 100
_SEPARATORS = re.compile(r"[,;\n]+")


def _check_question(plan: SurveyPlan, question: str) -> None:
    if not any(v.name == question and v.type == "text" for v in dataset_variables(plan=plan)):
        raise ValidationError({"question": _("Câu “%(q)s” không phải câu trả lời mở của phiếu hỏi.") % {"q": question}})


def keywords_parse(raw) -> list[str]:
    """Keywords from a list or a text separated by commas, semicolons or lines; blanks and repeats dropped."""
    items = raw if isinstance(raw, list) else _SEPARATORS.split(str(raw or ""))
    seen, kept = set(), []
    for item in items:
        word = " ".join(str(item).split())[:MAX_KEYWORD]
        if word and word.lower() not in seen:
            seen.add(word.lower())
            kept.append(word)
    return kept[:MAX_KEYWORDS]


def _clean_tag(name: str, label: str) -> tuple[str, str]:
    name, label = (name or "").strip(), " ".join((label or "").split())[:300]
    errors = {}
    if not CHOICE_NAME.match(name):
        errors["name"] = _("Mã “%(name)s” không hợp lệ (chữ không dấu, số, _ . -).") % {"name": name}
    if not label:
        errors["label"] = _("Mã cần nhãn.")
    if errors:
        raise ValidationError(errors)
    return name, label


def _save(tag: CodeTag) -> CodeTag:
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError:
        raise ValidationError({"name": _("Câu này đã có mã “%(name)s”.") % {"name": tag.name}}) from None
    return tag


def code_tag_create(*, plan: SurveyPlan, question: str, by, name: str, label: str, keywords) -> CodeTag:
    """A new tag for one open question of the plan."""
    check_cleaner(by, plan)
    _check_question(plan, question)
    name, label = _clean_tag(name, label)
    return _save(CodeTag(plan=plan, question=question, name=name, label=label, keywords=keywords_parse(keywords)))


def code_tag_update(*, tag: CodeTag, by, name: str, label: str, keywords) -> CodeTag:
    """A tag's code, label and keywords changed; the answers given it keep it."""
    check_cleaner(by, tag.plan)
    tag.name, tag.label = _clean_tag(name, label)
    tag.keywords = keywords_parse(keywords)
    return _save(tag)


def code_tag_delete(*, tag: CodeTag, by) -> CodeTag:
    """Delete a tag given to no answer; the deleted tag is returned (without its id)."""
    check_cleaner(by, tag.plan)
    used = tag.answer_codes.count()
    if used:
        raise TransitionNotAllowed(_("Mã “%(label)s” đã gán cho %(n)s câu trả lời; bỏ mã khỏi các câu trả lời đó "
                                     "trước khi xóa.") % {"label": tag.label, "n": used})
    tag.delete()
    return tag


def answer_code_set(*, answer: SurveyAnswer, question: str, tags, by) -> list[CodeTag]:
    """The reviewer's tags for one answer's open question, replacing those given before (none: uncoded)."""
    plan = answer.plan
    check_cleaner(by, plan)
    _check_question(plan, question)
    tags = list(tags)
    if any(tag.plan_id != plan.pk or tag.question != question for tag in tags):
        raise ValidationError({"tags": _("Mã không thuộc câu hỏi này.")})
    text = corrected(answer.data, answer.corrections.order_by("at", "pk")).get(question)
    if tags and not (isinstance(text, str) and text.strip()):
        raise ValidationError({"tags": _("Phiếu này không trả lời câu hỏi mở nên không gán mã được.")})
    wanted = {tag.pk for tag in tags}
    with transaction.atomic():
        SurveyAnswer.objects.select_for_update().filter(pk=answer.pk).first()
        given = AnswerCode.objects.filter(answer=answer, tag__question=question)
        given.exclude(tag_id__in=wanted).delete()
        have = set(given.values_list("tag_id", flat=True))
        AnswerCode.objects.bulk_create(AnswerCode(answer=answer, tag_id=pk, coded_by=by) for pk in wanted - have)
    return sorted(tags, key=lambda tag: tag.pk)
