"""Writes of cleaning (làm sạch dữ liệu): the four checks run over a plan's answers, and a reviewer's decision to
keep or exclude an answer.

The checks read each answer as corrected (surveys.dataset.corrected) and store what they find as AnswerFlag rows,
one per answer and kind. They may run at any time, during collection too, and as often as wanted: each run adds
what is newly found, updates what changed, and removes a flag that no longer holds, except on an answer a
reviewer has already decided on (the decision was taken on what the flags said; they stay as its record).

The rules (docs/surveys.md, "Làm sạch và mã hóa"):

- DUPLICATE: the same corrected answers, question for question, as an earlier answer of the plan (by arrival),
  when so exact a coincidence is unlikely by chance (duplicates(): fewer than DUPLICATE_CHANCE expected).
- SPEEDER: answered in under a third of the median time of the plan's timed answers (duration_seconds), once
  at least MIN_TIMED_ANSWERS answers are timed; an answer without a time is neither counted nor flagged.
- STRAIGHT_LINING: every row of a matrix of at least MIN_MATRIX_ROWS rows answered, all with the same choice.
- INCOMPLETE: more than half of the questions the answer was asked (by the show/skip conditions, as the form
  asks them; each matrix row counts) left empty.

A decision (CleaningDecision) is append-only: the newest counts, the older ones are its history; an excluded
answer leaves the cleaned data (surveys.dataset).
"""

import json
from collections import Counter
from statistics import median

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from cases.exceptions import PermissionDenied

from ..answers import _questions, asked_questions
from ..dataset import corrected
from ..models import AnswerCorrection, AnswerFlag, CleaningDecision, FlagKind, SurveyAnswer, SurveyPlan
from ..permissions import may_write_plans

# Identical answers are flagged when fewer than this many would be expected by chance (cleaning.duplicates).
DUPLICATE_CHANCE = 0.05
MIN_TIMED_ANSWERS = 5
MIN_MATRIX_ROWS = 3
MAX_REASON = 500


def check_cleaner(user, plan: SurveyPlan) -> None:
    """The unit's secretariat and leaders clean its answers (and code them); readers only read."""
    if not may_write_plans(user, plan.unit):
        raise PermissionDenied(_("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới làm sạch, mã hóa phiếu trả lời."))


# --- the checks, each on plain data ------------------------------------------------------------


def _asked(content: dict, data: dict) -> tuple[list[str], list[str]]:
    """The answer names asked (as the form asks them: each condition on the answers before it) and those of
    them left empty."""
    kept: dict = {}
    asked, empty = [], []
    for _question, names in asked_questions(content, kept):
        for name in names:
            asked.append(name)
            value = data.get(name)
            if value in (None, "", []):
                empty.append(name)
            else:
                kept[name] = value
    return asked, empty


def incomplete(content: dict, data: dict) -> dict | None:
    asked, empty = _asked(content, data)
    if asked and len(empty) * 2 > len(asked):
        return {"missing": empty, "asked": len(asked)}
    return None


def straight_lined(content: dict, data: dict) -> dict | None:
    matrices = []
    for question, _section in _questions(content):
        if question["type"] != "matrix" or len(question["rows"]) < MIN_MATRIX_ROWS:
            continue
        values = [data.get(row["name"]) for row in question["rows"]]
        if values[0] not in (None, "") and all(value == values[0] for value in values):
            matrices.append(question["name"])
    return {"matrix": matrices[0], "matrices": matrices} if matrices else None


def speeders(durations: dict[int, int]) -> dict[int, dict]:
    """{answer id: detail} for the timed answers under a third of the median (durations: {answer id: seconds})."""
    if len(durations) < MIN_TIMED_ANSWERS:
        return {}
    middle = median(durations.values())
    # seconds < median / 3, in whole numbers so that an exact third is not a speeder
    return {pk: {"seconds": seconds, "median": middle} for pk, seconds in durations.items() if seconds * 3 < middle}


def _value_key(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def duplicates(datas: dict[int, dict]) -> dict[int, dict]:
    """{answer id: {"duplicate_of": the first answer with the same data, "chance": ...}} (datas in arrival order).

    Identical answers are flagged only when chance would hardly give them: on a short questionnaire of choices
    many respondents answer alike. For a group of identical answers, each question's answer is given a share
    among the plan's other answers (an empty answer is a value too; add-one smoothing, so that a small plan does
    not read a share of nothing); their product is the chance that one respondent answers exactly so, and
    (answers − 1) × that chance, the number of such answers expected by chance, must be under DUPLICATE_CHANCE.
    """
    groups: dict[str, list[int]] = {}
    for pk, data in datas.items():
        groups.setdefault(_value_key(data), []).append(pk)
    names = sorted({name for data in datas.values() for name in data})
    counts = {name: Counter(_value_key(data.get(name)) for data in datas.values()) for name in names}
    total = len(datas)
    found = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        data, others = datas[members[0]], total - len(members)
        chance = 1.0
        for name in names:
            value = _value_key(data.get(name))
            chance *= (counts[name][value] - len(members) + 1) / (others + len(counts[name]))
        expected = (total - 1) * chance
        if expected < DUPLICATE_CHANCE:
            for pk in members[1:]:
                found[pk] = {"duplicate_of": members[0], "chance": float(f"{expected:.2g}")}
    return found


def _findings(plan: SurveyPlan) -> dict[int, dict[str, dict]]:
    answers = (SurveyAnswer.objects.filter(plan=plan).select_related("questionnaire").order_by("pk")
               .prefetch_related(Prefetch("corrections", queryset=AnswerCorrection.objects.order_by("at", "pk"))))
    found: dict[int, dict[str, dict]] = {}
    datas, durations = {}, {}
    for answer in answers:
        data = corrected(answer.data, answer.corrections.all())
        datas[answer.pk] = data
        if answer.duration_seconds is not None:
            durations[answer.pk] = answer.duration_seconds
        content = answer.questionnaire.content
        for kind, detail in ((FlagKind.STRAIGHT_LINING, straight_lined(content, data)),
                             (FlagKind.INCOMPLETE, incomplete(content, data))):
            if detail is not None:
                found.setdefault(answer.pk, {})[kind] = detail
    for kind, hits in ((FlagKind.DUPLICATE, duplicates(datas)), (FlagKind.SPEEDER, speeders(durations))):
        for pk, detail in hits.items():
            found.setdefault(pk, {})[kind] = detail
    return found


# --- the services ------------------------------------------------------------------------------


def answers_check(*, plan: SurveyPlan, by) -> dict[str, int]:
    """Run the four checks over the plan's answers and store their flags; the flags now standing, by kind."""
    check_cleaner(by, plan)
    with transaction.atomic():
        SurveyPlan.objects.select_for_update().filter(pk=plan.pk).first()  # one run at a time per plan
        found = _findings(plan)
        decided = set(CleaningDecision.objects.filter(answer__plan=plan).values_list("answer_id", flat=True))
        standing = {(flag.answer_id, flag.kind): flag for flag in AnswerFlag.objects.filter(answer__plan=plan)}
        gone = [flag.pk for key, flag in standing.items()
                if key[1] not in found.get(key[0], {}) and key[0] not in decided]
        AnswerFlag.objects.filter(pk__in=gone).delete()
        new = []
        for answer_id, kinds in found.items():
            for kind, detail in kinds.items():
                flag = standing.get((answer_id, kind))
                if flag is None:
                    new.append(AnswerFlag(answer_id=answer_id, kind=kind, detail=detail))
                elif flag.detail != detail:
                    flag.detail = detail
                    flag.save(update_fields=["detail"])
        AnswerFlag.objects.bulk_create(new)
    counts = {kind.value: 0 for kind in FlagKind}
    for kind in AnswerFlag.objects.filter(answer__plan=plan).values_list("kind", flat=True):
        counts[kind] += 1
    return counts


def answer_review(*, answer: SurveyAnswer, by, decision: str, reason: str) -> CleaningDecision:
    """Keep or exclude one answer, with a reason; a later decision supersedes it, both are kept."""
    check_cleaner(by, answer.plan)
    errors = {}
    if decision not in CleaningDecision.Choice.values:
        errors["decision"] = _("Hãy chọn giữ lại hoặc loại khỏi phân tích.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Cần ghi lý do giữ lại hoặc loại phiếu.")
    elif len(reason) > MAX_REASON:
        errors["reason"] = _("Lý do dài tối đa %(n)s ký tự.") % {"n": MAX_REASON}
    if errors:
        raise ValidationError(errors)
    return CleaningDecision.objects.create(answer=answer, decision=decision, reason=reason, decided_by=by)
