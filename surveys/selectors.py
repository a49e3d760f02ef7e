"""Reads of surveys, already scoped to what the person may see; a plan out of reach looks missing."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from cases.exceptions import PermissionDenied
from cases.models import Role, Unit
from cases.permissions import user_grants, users_with_role_on

from .exceptions import SurveyNotFound
from .models import (
    AnswerCorrection,
    BankQuestion,
    FollowUpContact,
    FollowUpContactRead,
    InterviewerAssignment,
    PaperDecision,
    PaperEntry,
    PlanStatus,
    PlanStepAlert,
    QuestionnaireStatus,
    PublicationScope,
    QuestionnaireVersion,
    ResultsStatus,
    SurveyAnswer,
    SurveyPlan,
    SurveyResults,
)
from .questionnaire import SECTION, all_items
from .permissions import (
    ABOVE_READER_ROLES,
    SUBTREE_READER_ROLES,
    WRITER_ROLES,
    may_read_answers,
    may_read_plan,
    may_read_results,
)


def _scope(user) -> Q:
    grants = user_grants(user)
    scope = Q(pk__in=[])
    writer_units = sorted({g.unit_id for g in grants if g.role in WRITER_ROLES})
    if writer_units:
        scope |= Q(unit_id__in=writer_units)
    for grant in grants:
        if grant.role in SUBTREE_READER_ROLES:
            scope |= Q(unit__path__startswith=grant.path)
        if grant.role in ABOVE_READER_ROLES:
            scope |= (Q(unit__path__startswith=grant.path) & ~Q(unit__path=grant.path)
                      & Q(status=PlanStatus.APPROVED))
    if any(g.role == Role.INTERVIEWER for g in grants):
        scope |= Q(pk__in=InterviewerAssignment.objects.filter(user=user).values("plan_id"))
    return scope


def _results_scope(user) -> Q:
    """The results reports this person reads (surveys.permissions.may_read_results, as a query)."""
    grants = user_grants(user)
    published = Q(status=ResultsStatus.PUBLISHED)
    scope = published & Q(scope=PublicationScope.PUBLIC)
    writer_units = sorted({g.unit_id for g in grants if g.role in WRITER_ROLES})
    if writer_units:
        scope |= Q(plan__unit_id__in=writer_units)
    for grant in grants:
        if grant.role in SUBTREE_READER_ROLES:
            scope |= Q(plan__unit__path__startswith=grant.path)
        if grant.role in ABOVE_READER_ROLES:
            scope |= (published & Q(scope=PublicationScope.PARENT) & Q(plan__unit__path__startswith=grant.path)
                      & ~Q(plan__unit__path=grant.path))
    return scope


def results_list_for_user(*, user) -> QuerySet[SurveyResults]:
    """Results reports this person reads, newest first (anonymous: the public ones)."""
    return (SurveyResults.objects.filter(_results_scope(user)).select_related("plan__unit")
            .order_by("-published_at", "-created_at", "-pk"))


def results_get_for_user(*, user, pk) -> SurveyResults:
    """One results report, or SurveyNotFound when it is missing or out of reach."""
    try:
        results = SurveyResults.objects.select_related("plan__unit", "weighting", "published_by").get(pk=int(pk))
    except (SurveyResults.DoesNotExist, TypeError, ValueError, OverflowError):
        raise SurveyNotFound() from None
    if not may_read_results(user, results):
        raise SurveyNotFound()
    return results


def plan_list_for_user(*, user, filters: dict | None = None) -> QuerySet[SurveyPlan]:
    """Plans this person may read, newest period first. Filters: unit (code), status."""
    plans = SurveyPlan.objects.filter(_scope(user)).select_related("unit")
    filters = filters or {}
    if unit := filters.get("unit"):
        plans = plans.filter(unit__code=unit)
    if status := filters.get("status"):
        plans = plans.filter(status=status)
    return plans.order_by("-period_start", "-pk")


def plan_get_for_user(*, user, pk) -> SurveyPlan:
    """One plan, or SurveyNotFound when it is missing or out of reach."""
    try:
        plan = SurveyPlan.objects.select_related("unit", "created_by", "approved_by").get(pk=int(pk))
    except (SurveyPlan.DoesNotExist, TypeError, ValueError, OverflowError):
        raise SurveyNotFound() from None
    assigned = InterviewerAssignment.objects.filter(plan=plan, user_id=getattr(user, "pk", None)).exists()
    if not may_read_plan(user, plan, assigned=assigned):
        raise SurveyNotFound()
    return plan


def plan_public_get(*, pk) -> SurveyPlan:
    """A plan whose online form is open to anyone: approved, with a frozen questionnaire; else SurveyNotFound."""
    plan = SurveyPlan.objects.filter(pk=pk if isinstance(pk, int) else -1, status=PlanStatus.APPROVED,
                                     questionnaires__status=QuestionnaireStatus.FROZEN).select_related("unit").first()
    if plan is None:
        raise SurveyNotFound()
    return plan


def invitation_counts(*, plan: SurveyPlan) -> dict:
    """How many codes were issued and used, how many answers arrived, and how many of them late."""
    codes = plan.invitation_codes.all()
    return {"issued": codes.count(), "used": codes.filter(used=True).count(),
            "answers": plan.answers.count(), "late": plan.answers.filter(late=True).count()}


def quota_progress(*, plan: SurveyPlan) -> list[dict]:
    """Each quota with the answers counted into its stratum so far, as they arrive."""
    strata = list(plan.answers.values_list("stratum", flat=True))
    return [{"quota": quota, "answers": sum(1 for stratum in strata
                                            if all(stratum.get(k) == v for k, v in quota.stratum.items()))}
            for quota in plan.quotas.all()]


def plan_parts(*, plan: SurveyPlan) -> dict:
    """What the plan page and the API show beside the plan's own fields."""
    return {
        "localities": list(plan.localities.order_by("path")),
        "quotas": list(plan.quotas.all()),
        "margins": list(plan.population_margins.all()),
        "budget_lines": list(plan.budget_lines.all()),
        "steps": list(plan.steps.select_related("done_by").order_by("deadline", "pk")),
        "assignments": list(plan.assignments.select_related("user", "locality")),
        "questionnaires": list(plan.questionnaires.order_by("-number")),
    }


def questionnaire_get(*, plan: SurveyPlan, number) -> QuestionnaireVersion:
    """A version of a plan the caller has already found through plan_get_for_user."""
    try:
        return plan.questionnaires.get(number=int(number))
    except (QuestionnaireVersion.DoesNotExist, TypeError, ValueError, OverflowError):
        raise SurveyNotFound() from None


def units_planning_for(*, user) -> QuerySet[Unit]:
    """The units whose plans this person may draft."""
    ids = sorted({g.unit_id for g in user_grants(user) if g.role in WRITER_ROLES})
    return Unit.objects.filter(pk__in=ids, is_active=True).order_by("path")


def plan_alerts_for_user(*, user) -> QuerySet[PlanStepAlert]:
    """Open step alerts addressed to a unit where the person writes plans or holds a leader's or supervisor's role."""
    ids = sorted({g.unit_id for g in user_grants(user)
                  if g.role in (*WRITER_ROLES, Role.SUPERVISOR)})
    return (PlanStepAlert.objects.filter(to_unit_id__in=ids, resolved_at__isnull=True)
            .select_related("step__plan__unit", "to_unit").order_by("-created_at"))


def interviewer_candidates(*, plan: SurveyPlan):
    """People holding the interviewer role on the plan's unit or one of its localities."""
    users = users_with_role_on(unit=plan.unit, roles=[Role.INTERVIEWER])
    for locality in plan.localities.all():
        users = users | users_with_role_on(unit=locality, roles=[Role.INTERVIEWER])
    return users.distinct().order_by("username")


def _labels(content: dict) -> tuple[dict[str, str], dict[str, dict]]:
    """{answer name: its question's label} (a matrix row: "question — row"), and {answer name: {code: label}}."""
    from .answers import _questions

    found, choices = {}, {}
    for question, _section in _questions(content):
        names = ([(row["name"], f"{question['label']} — {row['label']}") for row in question["rows"]]
                 if question["type"] == "matrix" else [(question["name"], question["label"])])
        if question["type"] == "note":
            continue
        for name, label in names:
            found[name] = label
            choices[name] = {c["name"]: c["label"] for c in question.get("choices") or []}
    return found, choices


def _shown(value, choices: dict) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "; ".join(choices.get(v, str(v)) for v in value)
    return choices.get(str(value), str(value))


def paper_discrepancies(*, plan: SurveyPlan, form_number: int) -> list[dict]:
    """The fields of one paper form keyed differently by the two clerks, in the questionnaire's order, each with
    its decision when one was taken. Empty when the form was keyed once or the two keyings agree."""
    entries = {e.round: e for e in PaperEntry.objects.filter(plan=plan, form_number=form_number)
               .select_related("answer__questionnaire", "entered_by")}
    if 1 not in entries or 2 not in entries:
        return []
    first, second = entries[1].data, entries[2].data
    labels, choices = _labels(entries[1].answer.questionnaire.content)
    decisions = {d.field: d for d in PaperDecision.objects.filter(plan=plan, form_number=form_number)
                 .select_related("decided_by")}
    order = list(labels) + sorted((set(first) | set(second)) - set(labels))
    return [{"field": name, "label": labels.get(name, name), "first": first.get(name), "second": second.get(name),
             "first_shown": _shown(first.get(name), choices.get(name, {})),
             "second_shown": _shown(second.get(name), choices.get(name, {})), "decision": decisions.get(name)}
            for name in order if first.get(name) != second.get(name)]


def paper_sample_forms(*, plan: SurveyPlan) -> list[dict]:
    """The paper forms keyed so far in the double-entry sample: number, keyed twice or not, fields still open."""
    entries = PaperEntry.objects.filter(plan=plan).select_related("entered_by").order_by("form_number", "round")
    by_number: dict[int, dict] = {}
    for entry in entries:
        if plan.double_entry_every and entry.form_number % plan.double_entry_every == 0:
            by_number.setdefault(entry.form_number, {})[entry.round] = entry
    rows = []
    for number, rounds in by_number.items():
        fields = paper_discrepancies(plan=plan, form_number=number) if 2 in rounds else []
        rows.append({"number": number, "first": rounds.get(1), "second": rounds.get(2), "fields": len(fields),
                     "open": sum(1 for f in fields if f["decision"] is None)})
    return rows


def paper_entry_count(*, plan: SurveyPlan) -> int:
    return PaperEntry.objects.filter(plan=plan, round=1).count()


def followup_contacts_listed(*, plan: SurveyPlan) -> list[dict]:
    """The plan's follow-up contacts without their content (a reference, the day, how often read): nothing
    decrypted until someone reads one with a reason."""
    from django.db.models import Count

    rows = (FollowUpContact.objects.filter(plan=plan).annotate(read_count=Count("reads"))
            .values("id", "received_on", "read_count").order_by("received_on", "id"))
    return [{**row, "ref": str(row["id"])[:8]} for row in rows]


def followup_contact_reads(*, plan: SurveyPlan):
    return FollowUpContactRead.objects.filter(contact__plan=plan).select_related("read_by").order_by("-read_at")[:200]
def answers_for_user(*, user, plan: SurveyPlan) -> QuerySet[SurveyAnswer]:
    """A plan's answers (no contact data is ever stored with them), for those who may read them; the plan was
    found through plan_get_for_user, so anyone else who sees the plan is refused (403)."""
    if not may_read_answers(user, plan):
        raise PermissionDenied(_("Chỉ văn phòng tổng hợp, lãnh đạo của đơn vị và giám sát, thanh tra mới xem "
                                 "phiếu trả lời."))
    corrections = Prefetch("corrections", queryset=AnswerCorrection.objects.select_related("by"))
    return plan.answers.select_related("questionnaire").prefetch_related(corrections).order_by("pk")


def plans_collecting_for(*, user) -> list[SurveyPlan]:
    """Approved plans with collection running (a frozen version, not closed) that this person collects for:
    assigned as an interviewer, or the secretariat or a leader of the unit."""
    writer_units = sorted({g.unit_id for g in user_grants(user) if g.role in WRITER_ROLES})
    scope = Q(unit_id__in=writer_units) | Q(pk__in=InterviewerAssignment.objects.filter(user=user).values("plan_id"))
    return list(SurveyPlan.objects.filter(scope, status=PlanStatus.APPROVED, closed_at__isnull=True,
                                          questionnaires__status=QuestionnaireStatus.FROZEN)
                .distinct().select_related("unit").order_by("pk"))


# --- the survey data system (kho dữ liệu điều tra) and the question bank ----------------------------

SEARCH_LIMIT = 200
# Text is matched in Python (diacritics folded, the same on PostgreSQL and SQLite) over the plans that pass the
# database's filters, the newest this many.
SEARCH_SCANNED = 5000


def _words(text: str) -> list[str]:
    from cases.text import fold

    return fold(text or "").split()[:8]


def _matches(words: list[str], text: str) -> bool:
    from cases.text import fold

    folded = fold(text)
    return all(word in folded for word in words)


def survey_search_for_user(*, user, filters: dict | None = None) -> list[dict]:
    """The data system's search: every plan this person reads (plan_list_for_user's scope) and every plan whose
    results were published to them, newest period first, each as {"plan", "readable" (the plan page opens),
    "results" (its published results they read), "questions" (labels the question text matched)}.

    Filters: topic (words of the topic or purpose), question (words of a question's label in a frozen
    questionnaire, or of the bank question it was taken from), period_from / period_to (the plan's period
    overlaps), locality (a Unit: the plan's unit or one of its localities is in its subtree).
    """
    filters = filters or {}
    published = results_list_for_user(user=user).filter(status=ResultsStatus.PUBLISHED)
    plans = SurveyPlan.objects.filter(_scope(user) | Q(pk__in=published.values("plan_id")))
    if period_from := filters.get("period_from"):
        plans = plans.filter(period_end__gte=period_from)
    if period_to := filters.get("period_to"):
        plans = plans.filter(period_start__lte=period_to)
    if locality := filters.get("locality"):
        plans = plans.filter(Q(unit__path__startswith=locality.path) | Q(localities__path__startswith=locality.path))
    plans = list(plans.distinct().select_related("unit").order_by("-period_start", "-pk")[:SEARCH_SCANNED])
    if topic := _words(filters.get("topic", "")):
        plans = [plan for plan in plans if _matches(topic, f"{plan.topic} {plan.purpose}")]
    matched: dict[int, list[str]] = {}
    if question := _words(filters.get("question", "")):
        banked = {code for code, label in BankQuestion.objects.values_list("code", "label") if _matches(question, label)}
        for plan_id, content in (QuestionnaireVersion.objects.filter(plan_id__in=[p.pk for p in plans],
                                                                     status=QuestionnaireStatus.FROZEN)
                                 .values_list("plan_id", "content")):
            for item in all_items(content):
                if item.get("type") == SECTION:
                    continue
                labels = [item.get("label", "")] + [row["label"] for row in item.get("rows", [])]
                if item.get("bank") in banked or any(_matches(question, label) for label in labels):
                    found = matched.setdefault(plan_id, [])
                    if item.get("label") not in found:
                        found.append(item.get("label", ""))
        plans = [plan for plan in plans if plan.pk in matched]
    plans = plans[:SEARCH_LIMIT]
    in_scope = set(SurveyPlan.objects.filter(_scope(user), pk__in=[p.pk for p in plans]).values_list("pk", flat=True))
    results: dict[int, list[SurveyResults]] = {}
    for item in published.filter(plan_id__in=[p.pk for p in plans]):
        results.setdefault(item.plan_id, []).append(item)
    return [{"plan": plan, "readable": plan.pk in in_scope, "results": results.get(plan.pk, []),
             "questions": matched.get(plan.pk, [])} for plan in plans]


def bank_list(*, q: str = "") -> list[BankQuestion]:
    """The question bank (shared by every tier, read by anyone who plans or reads surveys), by code; `q`: words
    of the code, label or topic, diacritics folded."""
    questions = list(BankQuestion.objects.select_related("unit").order_by("code"))
    if words := _words(q):
        questions = [b for b in questions if _matches(words, f"{b.code} {b.label} {b.topic}")]
    return questions

