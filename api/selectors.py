"""Reads of the API app's own data, and reads it makes for a whole page of cases at once."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from viewflow.workflow.models import Task

from cases.models import Case, Unit
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
