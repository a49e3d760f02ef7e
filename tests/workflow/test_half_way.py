"""A move that fails half-way leaves neither the case nor its process changed (issue 13)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from viewflow.workflow.models import Process, Task

from cases.models import Case, CaseEvent
from cases.services import case_assign, case_verify
from workflow.models import CaseClock


def _case_and_process(case_pk):
    content_type = ContentType.objects.get_for_model(Case)
    case = Case.objects.get(pk=case_pk)
    processes = Process.objects.filter(artifact_content_type=content_type, artifact_object_id=case_pk)
    return (
        tuple(getattr(case, f.attname) for f in Case._meta.concrete_fields),
        list(CaseEvent.objects.filter(case_id=case_pk).order_by("seq").values_list("seq", "action", "hash")),
        list(processes.order_by("pk").values_list("pk", "status", "finished")),
        list(Task.objects.filter(process__in=processes).order_by("pk")
             .values_list("pk", "flow_task", "status", "owner_id", "owner_permission_obj_pk", "finished")),
        list(CaseClock.objects.filter(case_id=case_pk).order_by("pk")
             .values_list("pk", "stopped_at", "due_at", "next_fire_at")),
    )


class Boom(Exception):
    pass


def _announce_fails(monkeypatch):
    def fail(**kwargs):
        raise Boom("the notification writer failed")

    monkeypatch.setattr("cases.services.transitions.case_event_announce", fail)


def _flow_fails_after_moving(monkeypatch):
    import cases.services.transitions

    real = cases.services.transitions.flow_move

    def move_then_fail(**kwargs):
        real(**kwargs)
        raise Boom("failed after the process moved")

    monkeypatch.setattr("cases.services.transitions.flow_move", move_then_fail)


@pytest.mark.parametrize("breakage", [_announce_fails, _flow_fails_after_moving], ids=["announce", "after-flow"])
def test_a_move_that_fails_half_way_leaves_neither_the_case_nor_its_process_changed(
        world, new_case, monkeypatch, breakage):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    before = _case_and_process(case.pk)

    with monkeypatch.context() as patched:
        breakage(patched)
        with pytest.raises(Boom):
            case_assign(case=Case.objects.get(pk=case.pk), by=world.leader, unit=world.hamlet_a,
                        assignee=world.hamlet_handler)

    assert _case_and_process(case.pk) == before
    # The same move goes through once nothing breaks, so the failure was not a refusal.
    case_assign(case=Case.objects.get(pk=case.pk), by=world.leader, unit=world.hamlet_a)
    after = _case_and_process(case.pk)
    assert after[0] != before[0] and len(after[1]) == len(before[1]) + 1
