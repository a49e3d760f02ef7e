"""The network as its overseers read it: collaborators of a subtree, coverage against the plan, terms ending."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import SUBTREE_ROLES, Tier, Unit
from cases.permissions import user_grants

from ..exceptions import CollaboratorNotFound
from ..models import Collaborator, CollaboratorStatus, NetworkTarget
from ..permissions import NETWORK_ROLES, overseen_q, oversees

TERM_ENDING_DAYS = 60


def collaborator_list_for_user(*, user, unit: Unit | None = None) -> QuerySet[Collaborator]:
    scope = overseen_q(user, "unit")
    if scope is None:
        return Collaborator.objects.none()
    collaborators = Collaborator.objects.filter(scope).select_related("unit", "user")
    if unit is not None:
        collaborators = collaborators.filter(unit__path__startswith=unit.path)
    return collaborators.prefetch_related("localities", "sectors").order_by("unit__path", "full_name")


def collaborator_get_for_user(*, user, pk) -> Collaborator:
    found = collaborator_list_for_user(user=user).filter(pk=pk).first()
    if found is None:
        raise CollaboratorNotFound()
    return found


def units_overseen(*, user) -> QuerySet[Unit]:
    """The units whose network this person reads (the coverage view's choices): the units they lead or run the
    secretariat of, and the subtrees they supervise or inspect."""
    scope = Q(pk__in=[])
    for grant in user_grants(user):
        if grant.role in SUBTREE_ROLES:
            scope |= Q(path__startswith=grant.path)
        elif grant.role in NETWORK_ROLES:
            scope |= Q(pk=grant.unit_id)
    return Unit.objects.filter(scope, is_active=True).order_by("path")


@dataclass
class Gap:
    unit: Unit
    target: NetworkTarget
    have: int

    @property
    def missing(self) -> int:
        return max(0, self.target.wanted - self.have)


@dataclass
class Coverage:
    unit: Unit
    gaps: list = field(default_factory=list)  # targets not met
    met: list = field(default_factory=list)  # targets met
    uncovered: list = field(default_factory=list)  # hamlets (grassroots units) no active collaborator covers
    ending: list = field(default_factory=list)  # active collaborators whose term ends within 60 days
    active: int = 0


def coverage_for(*, user, unit: Unit, today: date | None = None) -> Coverage:
    """Where the unit subtree's active collaborators fall short of its plans; None of it out of reach."""
    if not oversees(user, unit):
        raise CollaboratorNotFound()
    today = today or timezone.localdate()
    active = list(Collaborator.objects.filter(unit__path__startswith=unit.path, status=CollaboratorStatus.ACTIVE)
                  .prefetch_related("localities", "sectors"))
    coverage = Coverage(unit=unit, active=len(active))
    covered_localities = {u.pk for c in active for u in c.localities.all()}
    targets = (NetworkTarget.objects.filter(unit__path__startswith=unit.path)
               .select_related("unit", "locality", "sector").order_by("unit__path", "locality__path", "pk"))
    for target in targets:
        have = sum(1 for c in active if c.unit_id == target.unit_id and _meets(c, target))
        gap = Gap(unit=target.unit, target=target, have=have)
        (coverage.gaps if gap.missing else coverage.met).append(gap)
    coverage.uncovered = list(Unit.objects.filter(path__startswith=unit.path, tier=Tier.GRASSROOTS, is_active=True)
                              .exclude(pk__in=covered_localities).order_by("path"))
    coverage.ending = sorted((c for c in active if c.term_end and today <= c.term_end
                              <= today + timedelta(days=TERM_ENDING_DAYS)), key=lambda c: c.term_end)
    return coverage


def _meets(collaborator: Collaborator, target: NetworkTarget) -> bool:
    if target.locality_id and target.locality_id not in {u.pk for u in collaborator.localities.all()}:
        return False
    if target.sector_id and target.sector_id not in {t.pk for t in collaborator.sectors.all()}:
        return False
    return not target.social_group or collaborator.social_group == target.social_group
