"""Reads of cleaning and coding, for those who read a plan's answers (surveys.permissions.may_read_answers): the
flags and decisions, an answer's corrected values in the questionnaire's words, the open answers to code with
their suggested tags. The plan was found through selectors.plan_get_for_user; anyone else who sees it is
refused (403)."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from cases.exceptions import PermissionDenied
from cases.text import fold

from .dataset import Variable, corrected, dataset_variables, excluded_answer_ids
from .models import (
    AnswerCode,
    AnswerCorrection,
    AnswerFlag,
    CleaningDecision,
    CodeTag,
    FlagKind,
    SurveyAnswer,
    SurveyPlan,
)
from .permissions import may_read_answers


def _check_reader(user, plan: SurveyPlan) -> None:
    if not may_read_answers(user, plan):
        raise PermissionDenied(_("Chỉ văn phòng tổng hợp, lãnh đạo của đơn vị và giám sát, thanh tra mới xem "
                                 "phiếu trả lời."))


def flag_counts(*, plan: SurveyPlan) -> list[dict]:
    """Each flag kind with how many answers carry it, and how many of those are still undecided."""
    rows = {row["kind"]: row for row in AnswerFlag.objects.filter(answer__plan=plan).values("kind")
            .annotate(n=Count("pk"), open=Count("pk", filter=~Q(answer__in=_decided_answers(plan)))).order_by()}
    return [{"kind": kind.value, "label": kind.label, "n": rows.get(kind.value, {}).get("n", 0),
             "open": rows.get(kind.value, {}).get("open", 0)} for kind in FlagKind]


def _decided_answers(plan: SurveyPlan):
    return CleaningDecision.objects.filter(answer__plan=plan).values("answer_id")


def flagged_answers_for_user(*, user, plan: SurveyPlan, kind: str | None = None,
                             undecided: bool = False) -> QuerySet[SurveyAnswer]:
    """The plan's flagged answers (of one kind, or not yet decided, when asked), with their flags, corrections
    and decisions."""
    _check_reader(user, plan)
    answers = plan.answers.filter(flags__isnull=False)
    if kind in FlagKind.values:
        answers = answers.filter(flags__kind=kind)
    if undecided:
        answers = answers.exclude(pk__in=_decided_answers(plan))
    return (answers.distinct().select_related("questionnaire").order_by("pk").prefetch_related(
        "flags", Prefetch("corrections", queryset=AnswerCorrection.objects.order_by("at", "pk")),
        Prefetch("cleaning_decisions", queryset=CleaningDecision.objects.select_related("decided_by")
                 .order_by("-decided_at", "-pk"))))


def _shown(value, variable: Variable | None) -> str:
    if value is None or value == "" or value == []:
        return "—"
    choices = dict(variable.choices) if variable else {}
    if isinstance(value, list):
        return "; ".join(choices.get(str(v), str(v)) for v in value)
    return choices.get(str(value), str(value))


def answer_values_shown(*, answer: SurveyAnswer, variables: list[Variable]) -> list[dict]:
    """An answer's corrected values as a reader reads them: the question's words and the choice's label."""
    data = corrected(answer.data, answer.corrections.all())
    by_name = {v.name: v for v in variables}
    names = [v.name for v in variables if v.type != "coded" and v.name in data]
    names += sorted(set(data) - set(names))
    return [{"name": name, "label": by_name[name].label if name in by_name else name,
             "value": _shown(data.get(name), by_name.get(name))} for name in names]


# --- coding ----------------------------------------------------------------------------------------


def open_questions(*, plan: SurveyPlan) -> list[Variable]:
    """The plan's open (text) questions, in the questionnaire's order."""
    return [v for v in dataset_variables(plan=plan) if v.type == "text"]


def open_question_get(*, plan: SurveyPlan, name: str) -> Variable | None:
    return next((v for v in open_questions(plan=plan) if v.name == name), None)


def code_tags(*, plan: SurveyPlan, question: str) -> list[CodeTag]:
    return list(CodeTag.objects.filter(plan=plan, question=question).annotate(used=Count("answer_codes"))
                .order_by("pk"))


def suggested_tags(text: str, tags: list[CodeTag]) -> list[CodeTag]:
    """The tags one of whose keywords occurs in the text as whole words, ignoring case and Vietnamese
    diacritics ("nuoc duc" finds "Nước đục")."""
    folded = f" {_words(text)} "
    return [tag for tag in tags if any(f" {_words(word)} " in folded for word in tag.keywords if _words(word))]


def _words(text: str) -> str:
    """Folded (cases.text.fold), punctuation read as spaces: words separated by one space."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in fold(text)).split())


@dataclass
class OpenAnswer:
    answer: SurveyAnswer
    text: str
    codes: set[int]  # the tags given
    suggested: set[int]  # the tags the keywords suggest


def open_answers_for_user(*, user, plan: SurveyPlan, question: str, tags: list[CodeTag]) -> list[OpenAnswer]:
    """The cleaned answers (excluded ones left out) that answered the open question, with their codes and the
    suggested tags, in arrival order."""
    _check_reader(user, plan)
    excluded = excluded_answer_ids(plan=plan)
    answers = (plan.answers.exclude(pk__in=excluded).order_by("pk")
               .prefetch_related(Prefetch("corrections", queryset=AnswerCorrection.objects.order_by("at", "pk"))))
    codes: dict[int, set[int]] = {}
    for answer_id, tag_id in AnswerCode.objects.filter(answer__plan=plan, tag__question=question).values_list(
            "answer_id", "tag_id"):
        codes.setdefault(answer_id, set()).add(tag_id)
    found = []
    for answer in answers:
        text = corrected(answer.data, answer.corrections.all()).get(question)
        if not isinstance(text, str) or not text.strip():
            continue
        found.append(OpenAnswer(answer=answer, text=text, codes=codes.get(answer.pk, set()),
                                suggested={tag.pk for tag in suggested_tags(text, tags)}))
    return found


def flag_detail_text(flag: AnswerFlag) -> str:
    """What a check saw, in words."""
    detail = flag.detail or {}
    if flag.kind == FlagKind.DUPLICATE:
        if "chance" in detail:
            return _("giống hệt phiếu #%(n)s; số phiếu giống vậy do ngẫu nhiên ước tính %(e)s") % {
                "n": detail.get("duplicate_of", "?"), "e": _number(detail["chance"])}
        return _("giống hệt phiếu #%(n)s") % {"n": detail.get("duplicate_of", "?")}
    if flag.kind == FlagKind.SPEEDER:
        return _("%(s)s giây; trung vị của cuộc điều tra %(m)s giây") % {
            "s": detail.get("seconds", "?"), "m": _number(detail.get("median"))}
    if flag.kind == FlagKind.STRAIGHT_LINING:
        return _("ma trận %(names)s") % {"names": ", ".join(detail.get("matrices") or [detail.get("matrix", "?")])}
    missing = detail.get("missing") or []
    return _("bỏ trống %(n)s trên %(asked)s câu được hỏi: %(names)s") % {
        "n": len(missing), "asked": detail.get("asked", "?"), "names": ", ".join(missing)}


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "?")
