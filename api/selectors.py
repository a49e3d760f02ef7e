"""Reads of the API app's own data, and reads it makes for a whole page of cases at once."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from viewflow.workflow.models import Task

from cases.models import TRANSFERRED_KINDS, Case, CaseKind, Topic, Unit
from cases.permissions import nearest_intake_unit_id
from cases.selectors import case_list_for_user
from workflow.engine import OPEN_TASK_STATUSES
from workflow.flows import CaseFlow

from .models import ChannelSource, InboundMessage


def channel_sources_active(*, kind: str, code: str | None = None) -> QuerySet[ChannelSource]:
    sources = ChannelSource.objects.filter(kind=kind, is_active=True).select_related(
        "channel", "acts_as", "default_topic", "default_locality"
    )
    return sources.filter(code=code) if code else sources.order_by("code")


def source_filed_cases(*, source: ChannelSource, filters: dict | None = None) -> QuerySet[Case]:
    """The cases this source opened (an integration key reads these and no others), within its account's scope."""
    opened = InboundMessage.objects.filter(source=source, action=InboundMessage.Action.INTAKE).values("case_id")
    return case_list_for_user(user=source.acts_as, filters=filters).filter(pk__in=opened)


# What anyone may list through Open311 without a key: not complaints or denunciations, whose reporters the law
# protects; and only public fields of them (api/adapters/open311_serializers.py).
OPEN311_PUBLIC_KINDS = tuple(kind for kind in CaseKind.values if kind not in TRANSFERRED_KINDS)


def open311_readable_cases(*, within: Unit | None, source: ChannelSource | None = None) -> QuerySet[Case]:
    """The requests an Open311 reader lists in the jurisdiction `within` (None: every unit), newest first.

    Everyone: the public kinds. A source's key adds the cases that source filed (any kind).
    """
    readable = Q(kind__in=OPEN311_PUBLIC_KINDS)
    if source is not None:
        readable |= Q(pk__in=source_filed_cases(source=source).values("pk"))
    cases = Case.objects.filter(readable).select_related("owner", "locality", "topic")
    if within is not None:
        cases = cases.filter(locality__path__startswith=within.path)
    return cases.order_by("-received_at", "-pk")


def open311_services() -> list[Topic]:
    """Every active topic, parents before their subtopics: GeoReport's services and their groups."""
    return list(Topic.objects.filter(is_active=True).order_by("path"))


def open311_service(code: str) -> Topic | None:
    return Topic.objects.filter(code=code, is_active=True).first()


def unit_by_code(code: str, *, active_only: bool = True) -> Unit | None:
    units = Unit.objects.filter(is_active=True) if active_only else Unit.objects.all()
    return units.filter(code=code).first()


def source_unit(source: ChannelSource) -> Unit | None:
    """The unit whose subtree a source's key files into: the source's own unit, else where its account logs
    cases about its default locality. None when the account has no intake role there (any more)."""
    unit_id = nearest_intake_unit_id(source.acts_as, source.unit or source.default_locality)
    if unit_id is None:
        return None
    return source.unit or Unit.objects.get(pk=unit_id)


def case_escalated_to_codes(*, cases) -> dict[int, list[str]]:
    """For each case, the codes of the units it is escalated to with a direction task still open.

    What workflow.engine.case_directing_units answers for one case (tier nearest the root first),
    in two queries for a page of cases instead of two per case. Only an escalation opens a
    direction task, so cases never escalated are not looked up.
    """
    escalated = [case.pk for case in cases if case.escalation_level]
    if not escalated:
        return {}
    rows = list(
        Task.objects.filter(
            process__flow_class=CaseFlow, process__artifact_content_type=ContentType.objects.get_for_model(Case),
            process__artifact_object_id__in=escalated, status__in=OPEN_TASK_STATUSES, flow_task=CaseFlow.direct_step,
        ).values_list("process__artifact_object_id", "owner_permission_obj_pk")
    )
    units = {
        pk: (depth, code)
        for pk, depth, code in Unit.objects.filter(pk__in={int(unit_pk) for _, unit_pk in rows if unit_pk})
        .values_list("pk", "depth", "code")
    }
    codes: dict[int, set] = {}
    for case_id, unit_pk in rows:
        if unit_pk and int(unit_pk) in units:
            codes.setdefault(case_id, set()).add(units[int(unit_pk)])
    return {case_id: [code for _depth, code in sorted(found)] for case_id, found in codes.items()}
