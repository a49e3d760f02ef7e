"""Every case runs a viewflow process whose tasks follow the case's moves."""

import pytest
from viewflow.workflow.status import PROCESS, STATUS

from cases.exceptions import Conflict, PermissionDenied
from cases.models import Case, CaseEvent
from cases.services import (
    case_assign,
    case_mark_reported,
    case_orient,
    case_reassign,
    case_reject,
    case_reopen,
    case_resolve,
    case_verify,
)
from workflow.flows import CaseFlow
from workflow.engine import case_process, open_tasks
from workflow.queues import my_tasks, task_queue_for_user, unit_task_queue
from workflow.task_services import task_give, task_take


def open_steps(case):
    return [(task.flow_task.name, task.owner_permission_obj_pk) for task in open_tasks(case_process(case))]


def test_intake_starts_a_process_with_a_verify_task_in_the_receiving_units_queue(world, new_case):
    case = new_case()
    process = case_process(case)
    assert process.artifact == case
    assert open_steps(case) == [("verify_step", str(world.commune_a.pk))]
    assert [t.process.artifact for t in unit_task_queue(unit=world.commune_a)] == [case]
    assert list(unit_task_queue(unit=world.commune_b)) == []


def test_the_process_follows_the_main_line_to_its_end(world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    assert open_steps(case) == [("assign_step", str(world.commune_a.pk))]

    case_assign(case=case, by=world.leader, unit=world.hamlet_a)
    assert open_steps(case) == [("orient_step", str(world.hamlet_a.pk))]

    case_orient(case=case, by=world.hamlet_handler, response="Đã trả lời")
    assert open_steps(case) == [("resolve_step", str(world.hamlet_a.pk))]

    case_resolve(case=case, by=world.hamlet_handler, outcome="Xong")
    assert [name for name, _ in open_steps(case)] == ["report_step"]

    case_mark_reported(case=case, by=world.secretariat, report_ref="BC")
    process = case_process(case)
    assert process.status == PROCESS.DONE
    done = {t.flow_task.name: t for t in process.task_set.all()}
    assert done["verify_step"].owner == world.clerk
    assert done["assign_step"].owner == world.leader
    assert done["orient_step"].owner == done["resolve_step"].owner == world.hamlet_handler
    assert "reported_end" in done


def test_a_rejected_case_ends_its_process(world, new_case):
    case = new_case()
    case_reject(case=case, by=world.clerk, reason="Spam")
    process = case_process(case)
    assert process.status == PROCESS.DONE
    assert open_steps(case) == []
    assert "closed_end" in {t.flow_task.name for t in process.task_set.all()}


def test_a_quiet_topic_skips_the_orient_task(world, new_case):
    case = new_case(topic=world.quiet_topic)
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a)
    assert [name for name, _ in open_steps(case)] == ["resolve_step"]


def test_reopening_puts_the_work_back_in_the_handling_units_queue(world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a)
    case_orient(case=case, by=world.handler, response="Trả lời")
    case_resolve(case=case, by=world.handler, outcome="Xong")
    case_reopen(case=case, by=world.leader, reason="Chưa dứt điểm")
    assert open_steps(case) == [("orient_step", str(world.commune_a.pk))]


def test_handing_a_case_down_a_tier_moves_it_between_queues_and_records_who(world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a)
    assert case.code in {t.process.artifact.code for t in task_queue_for_user(user=world.handler)}

    case_reassign(case=case, by=world.leader, unit=world.hamlet_a, reason="Thuộc thẩm quyền thôn")

    assert open_steps(case) == [("orient_step", str(world.hamlet_a.pk))]
    assert case.code not in {t.process.artifact.code for t in unit_task_queue(unit=world.commune_a)}
    assert case.code in {t.process.artifact.code for t in task_queue_for_user(user=world.hamlet_handler)}
    canceled = case_process(case).task_set.get(flow_task=CaseFlow.orient_step, status=STATUS.CANCELED)
    assert canceled.owner_permission_obj_pk == str(world.commune_a.pk)
    event = CaseEvent.objects.get(case=case, action="reassign")
    assert event.actor == world.leader
    assert (event.data["from_unit"], event.data["to_unit"]) == ("P-A", "P-A-T1")


def test_a_person_takes_a_task_and_a_leader_gives_one(world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a)
    task = open_tasks(case_process(case)).get()
    assert task.owner is None

    with pytest.raises(PermissionDenied):
        task_take(task=task, by=world.handler2)  # another commune
    task_take(task=task, by=world.handler)
    assert list(my_tasks(user=world.handler)) == [task]
    assert Case.objects.get(pk=case.pk).assignee == world.handler

    with pytest.raises(PermissionDenied):
        task_give(task=task, to=world.leader, by=world.handler)  # only leaders give
    task_give(task=task, to=world.leader, by=world.leader)
    task.refresh_from_db()
    assert task.owner == world.leader
    assert [e.action for e in CaseEvent.objects.filter(case=case).order_by("seq")][-2:] == ["take_task", "give_task"]

    with pytest.raises(Conflict):
        case_orient(case=case, by=world.leader, response="Cũ")  # this copy predates the hand-over
    case.refresh_from_db()
    case_orient(case=case, by=world.leader, response="Đã trả lời")
    with pytest.raises(Conflict):
        task_take(task=task, by=world.handler)  # the step is done


def test_the_task_history_shows_who_held_each_step(world, new_case):
    from workflow.queues import case_task_history

    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a, assignee=world.handler)
    rows = [(t.flow_task.name, t.status, t.owner) for t in case_task_history(case=case)]
    assert rows[:3] == [
        ("start", STATUS.DONE, None),
        ("verify_step", STATUS.DONE, world.clerk),
        ("route_after_verify", STATUS.DONE, None),
    ]
    assert ("assign_step", STATUS.DONE, world.leader) in rows
    assert rows[-1] == ("orient_step", STATUS.ASSIGNED, world.handler)
