"""A plan's cleaned data: the answers as analysed, one place for all that reads them (analysis, exports, API).

- Every answer of the plan, with its recorded corrections applied in order (AnswerCorrection).
- Answers a reviewer excluded (the newest CleaningDecision says "exclude") are left out; kept and unflagged
  answers stay.
- The codes given to an open question's answers become a variable of their own, `<question>__codes`, a
  select_multiple whose choices are the plan's tags (CodeTag): counted and crossed like any other question.

A matrix question gives one variable per row, on the matrix's scale. Notes and sections give none.
Labels are the questionnaire's own words (written by the unit, in its language).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Subquery

from .models import AnswerCode, AnswerCorrection, CleaningDecision, CodeTag, QuestionnaireStatus, SurveyAnswer, SurveyPlan

CODES_SUFFIX = "__codes"


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    # select_one, select_multiple, likert, matrix (one row), integer, decimal, date, text; "coded" for the
    # codes of an open question (a select_multiple).
    type: str
    choices: tuple[tuple[str, str], ...] = ()  # (code, label)
    bank: str | None = None  # the question bank's code, when the question comes from the bank
    source: str | None = None  # for "coded": the open question coded

    @property
    def is_categorical(self) -> bool:
        return self.type in ("select_one", "select_multiple", "likert", "matrix", "coded")

    @property
    def is_multiple(self) -> bool:
        return self.type in ("select_multiple", "coded")


@dataclass(frozen=True)
class Respondent:
    answer_id: int
    stratum: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)


def corrected(data: dict, corrections: Iterable[AnswerCorrection]) -> dict:
    """An answer's data with its corrections applied in order (None clears a question)."""
    data = dict(data)
    for correction in corrections:
        for name, value in correction.changes.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
    return data


def _questions(content: dict):
    from .answers import _questions as questions

    return questions(content)


def dataset_variables(*, plan: SurveyPlan) -> list[Variable]:
    """The plan's variables in the questionnaire's order: the newest frozen version's, then any question only
    an older version asked, then the coded open questions."""
    found: dict[str, Variable] = {}
    for version in plan.questionnaires.filter(status=QuestionnaireStatus.FROZEN).order_by("-number"):
        for question, _section in _questions(version.content):
            kind = question["type"]
            if kind == "note":
                continue
            choices = tuple((c["name"], c["label"]) for c in question.get("choices") or [])
            rows = ([(row["name"], f"{question['label']} — {row['label']}") for row in question["rows"]]
                    if kind == "matrix" else [(question["name"], question["label"])])
            for name, label in rows:
                found.setdefault(name, Variable(name=name, label=label, type=kind, choices=choices,
                                                bank=question.get("bank") or None))
    tags: dict[str, list[CodeTag]] = {}
    for tag in CodeTag.objects.filter(plan=plan).order_by("question", "pk"):
        tags.setdefault(tag.question, []).append(tag)
    for question, its_tags in tags.items():
        if question in found:
            name = question + CODES_SUFFIX
            found[name] = Variable(name=name, label=found[question].label, type="coded",
                                   choices=tuple((t.name, t.label) for t in its_tags), source=question)
    return list(found.values())


def excluded_answer_ids(*, plan: SurveyPlan) -> set[int]:
    """The answers whose newest cleaning decision excludes them."""
    newest = (CleaningDecision.objects.filter(answer=OuterRef("pk")).order_by("-decided_at", "-pk")
              .values("decision")[:1])
    return set(SurveyAnswer.objects.filter(plan=plan).annotate(latest=Subquery(newest))
               .filter(latest=CleaningDecision.Choice.EXCLUDE).values_list("pk", flat=True))


def dataset_rows(*, plan: SurveyPlan) -> list[Respondent]:
    """The cleaned answers, in the order they arrived."""
    excluded = excluded_answer_ids(plan=plan)
    answers = (SurveyAnswer.objects.filter(plan=plan).exclude(pk__in=excluded).order_by("pk")
               .prefetch_related(Prefetch("corrections", queryset=AnswerCorrection.objects.order_by("at", "pk"))))
    codes: dict[int, dict[str, list[str]]] = {}
    for answer_id, question, tag in (AnswerCode.objects.filter(answer__plan=plan)
                                     .values_list("answer_id", "tag__question", "tag__name").order_by("tag_id")):
        codes.setdefault(answer_id, {}).setdefault(question + CODES_SUFFIX, []).append(tag)
    return [Respondent(answer_id=a.pk, stratum=dict(a.stratum),
                       values={**corrected(a.data, a.corrections.all()), **codes.get(a.pk, {})})
            for a in answers]
