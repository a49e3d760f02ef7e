"""Reads of briefings and of the evaluation of collaborators, scoped to who may see them.

Who sees a unit's briefings and evaluations: its leader and secretariat (who also write them), and the
leaders, secretariats, supervisors and inspectors of the units above (the reports' readers of a tier).
Everything else answers "not found", exactly like a briefing that does not exist.

The evaluation counts work done for the board (notes filed, requests answered on time, briefings and
trainings attended) and nothing else: no resident is profiled, no collaborator is tracked beyond these.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cases.exceptions import CaseNotFound
from cases.models import Role, Unit
from cases.permissions import has_role, user_grants
from reports.periods import bounds
from reports.permissions import ABOVE_READER_ROLES, SUBTREE_READER_ROLES, WRITER_ROLES, may_read_children_of

from .models import (
    Briefing,
    BriefingDecision,
    Collaborator,
    Evaluation,
    OpinionNote,
    RequestRecipient,
    Subject,
    TrainingSession,
)


class BriefingNotFound(CaseNotFound):
    code = "not_found"
    default_message = _("Không tìm thấy buổi giao ban.")


def may_write_briefings(user, unit: Unit) -> bool:
    """The unit's leader or secretariat (on exactly this unit) holds its briefings and rates its collaborators."""
    return has_role(user, unit, *WRITER_ROLES)


def may_read_briefings(user, unit: Unit) -> bool:
    return may_read_children_of(user, unit)


def _read_scope(user, prefix: str = "") -> Q:
    """The units whose briefings this person reads, as a filter on `<prefix>unit`."""
    scope = Q(pk__in=[])
    for grant in user_grants(user):
        if grant.role in WRITER_ROLES:
            scope |= Q(**{f"{prefix}unit_id": grant.unit_id})
        if grant.role in ABOVE_READER_ROLES | SUBTREE_READER_ROLES:
            scope |= Q(**{f"{prefix}unit__path__startswith": grant.path})
    return scope


def briefing_list_for_user(*, user, unit: Unit | None = None) -> QuerySet[Briefing]:
    briefings = Briefing.objects.filter(_read_scope(user)).select_related("unit")
    if unit is not None:
        briefings = briefings.filter(unit=unit)
    return briefings.order_by("-held_at", "-pk")


def briefing_get_for_user(*, user, pk) -> Briefing:
    """One briefing, or BriefingNotFound when it is missing or out of reach."""
    try:
        briefing = Briefing.objects.select_related("unit", "created_by").get(pk=int(pk))
    except (Briefing.DoesNotExist, TypeError, ValueError, OverflowError):
        raise BriefingNotFound() from None
    if not may_read_briefings(user, briefing.unit):
        raise BriefingNotFound()
    return briefing


def briefing_decisions(*, briefing: Briefing) -> list[BriefingDecision]:
    return list(briefing.decisions.select_related("owner", "topic", "case").order_by("pk"))


def decision_get(*, briefing: Briefing, pk) -> BriefingDecision:
    decision = BriefingDecision.objects.filter(briefing=briefing, pk=pk).select_related("briefing__unit").first()
    if decision is None:
        raise BriefingNotFound()
    return decision


def units_holding_briefings(*, user) -> QuerySet[Unit]:
    """Units where this person holds briefings (leader or secretariat on the unit)."""
    return Unit.objects.filter(pk__in={g.unit_id for g in user_grants(user) if g.role in WRITER_ROLES}).order_by("path")


def units_evaluated_for(*, user) -> QuerySet[Unit]:
    """Units whose collaborators' evaluation this person reads (and the subtree below each)."""
    roles = set(WRITER_ROLES) | ABOVE_READER_ROLES | SUBTREE_READER_ROLES
    return Unit.objects.filter(pk__in={g.unit_id for g in user_grants(user) if g.role in roles}).order_by("path")


def units_rated_by(*, user) -> QuerySet[Unit]:
    """Units whose collaborators this person rates (the secretariat of the unit)."""
    return Unit.objects.filter(pk__in={g.unit_id for g in user_grants(user) if g.role == Role.SECRETARIAT})


def briefing_subject_choices(*, unit: Unit) -> QuerySet[Subject]:
    """Subjects a unit's briefing may discuss: its own and its subtree's, and those of the units above."""
    above = [unit.path[:i] for i in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    return Subject.objects.filter(Q(unit__path__startswith=unit.path) | Q(unit__path__in=above)).order_by("-opened_at")


def briefing_collaborator_choices(*, unit: Unit) -> QuerySet[Collaborator]:
    """The collaborators of the unit's subtree: who may attend its briefings and trainings."""
    return Collaborator.objects.filter(unit__path__startswith=unit.path).select_related("unit").order_by("full_name")


def owner_unit_choices(*, unit: Unit) -> QuerySet[Unit]:
    """Units a decision may be given to: the unit and those below it."""
    return Unit.objects.filter(path__startswith=unit.path, is_active=True).order_by("path")


# --- evaluation ---------------------------------------------------------------------------


@dataclass
class EvaluationRow:
    collaborator: Collaborator
    rating_form: object = None  # set by the screen for those who rate
    notes: int = 0
    requests: int = 0
    answered_on_time: int = 0
    briefings: int = 0
    trainings: int = 0
    evaluation: Evaluation | None = None


@dataclass
class UnitEvaluation:
    unit: Unit
    rows: list[EvaluationRow] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.rows)

    @property
    def totals(self) -> dict:
        names = ("notes", "requests", "answered_on_time", "briefings", "trainings")
        return {name: self.total(name) for name in names} | {"collaborators": len(self.rows)}


def _count_by(queryset, key: str) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value in queryset.values_list(key, flat=True):
        counts[value] = counts.get(value, 0) + 1
    return counts


def evaluation_for_unit(*, unit: Unit, period: str, start: date, end: date) -> list[UnitEvaluation]:
    """Per collaborator of the unit's subtree, grouped by their unit: what they did for the board in the period.

    A request counts in the period of its deadline; it is answered on time when the collaborator's first
    note on it came by that deadline. The caller has checked who may read the unit.
    """
    since, until = bounds(start, end)
    collaborators = list(briefing_collaborator_choices(unit=unit))
    ids = [c.pk for c in collaborators]
    notes = _count_by(OpinionNote.objects.filter(collaborator_id__in=ids, filed_at__gte=since, filed_at__lt=until),
                      "collaborator_id")
    recipients = RequestRecipient.objects.filter(
        collaborator_id__in=ids, request__deadline__gte=since, request__deadline__lt=until)
    requests = _count_by(recipients, "collaborator_id")
    on_time = _count_by(recipients.filter(answered_at__isnull=False,
                                          answered_at__lte=F("request__deadline")), "collaborator_id")
    briefings = _count_by(Briefing.attendees.through.objects.filter(
        collaborator_id__in=ids, briefing__held_at__gte=since, briefing__held_at__lt=until), "collaborator_id")
    trainings = _count_by(TrainingSession.attendees.through.objects.filter(
        collaborator_id__in=ids, trainingsession__held_on__gte=start, trainingsession__held_on__lte=end),
        "collaborator_id")
    ratings = {e.collaborator_id: e for e in Evaluation.objects.filter(collaborator_id__in=ids, period=period)
               .select_related("rated_by")}
    groups: dict[int, UnitEvaluation] = {}
    for c in sorted(collaborators, key=lambda c: (c.unit.path, c.full_name)):
        group = groups.setdefault(c.unit_id, UnitEvaluation(unit=c.unit))
        group.rows.append(EvaluationRow(
            collaborator=c, notes=notes.get(c.pk, 0), requests=requests.get(c.pk, 0),
            answered_on_time=on_time.get(c.pk, 0), briefings=briefings.get(c.pk, 0),
            trainings=trainings.get(c.pk, 0), evaluation=ratings.get(c.pk)))
    return list(groups.values())


def collaborator_get_for_rater(*, user, pk) -> Collaborator:
    """A collaborator whose evaluation this person may see, or BriefingNotFound."""
    collaborator = Collaborator.objects.select_related("unit").filter(pk=pk).first() if str(pk).isdigit() else None
    if collaborator is None or not may_read_briefings(user, collaborator.unit):
        raise BriefingNotFound()
    return collaborator
