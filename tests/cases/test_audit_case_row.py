"""Issue 15, item 2: the case row agrees with its history; status, owner, assignee, escalation level or deadline
changed without an event is caught and named."""

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone

from cases.audit import audit_verify
from cases.models import Case, Role
from cases.services import case_assign, case_extend, case_orient, case_resolve, case_verify, unit_role_revoke
from workflow.engine import open_tasks_of_case
from workflow.services import clock_pause, clock_resume, clocks_sweep
from workflow.task_services import task_take


def test_a_status_changed_without_an_event_is_caught_by_case_and_field(world, new_case, capsys):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.hamlet_a)
    assert audit_verify().ok

    Case.objects.filter(pk=case.pk).update(status="resolved")  # as with database access, no event written

    result = audit_verify()
    assert not result.ok
    assert result.first_broken.case_code == case.code
    assert "'resolved'" in result.first_broken.reason and "'assigned'" in result.first_broken.reason


def test_the_command_reports_the_case_whose_row_disagrees(world, new_case):
    case = new_case()
    call_command("verify_audit")
    Case.objects.filter(pk=case.pk).update(status="rejected")
    with pytest.raises(CommandError, match=case.code):
        call_command("verify_audit")


def test_an_owner_changed_without_an_event_is_caught(world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.hamlet_a)
    assert audit_verify().ok

    Case.objects.filter(pk=case.pk).update(owner=world.commune_b)

    result = audit_verify()
    assert not result.ok
    assert result.first_broken.case_code == case.code
    assert repr(world.commune_b.code) in result.first_broken.reason
    assert repr(world.hamlet_a.code) in result.first_broken.reason


# --- item 2, the rest: assignee, escalation level and the current deadline ----------------------------------


def assigned_case(world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.hamlet_a, assignee=world.hamlet_handler)
    assert audit_verify().ok
    return case


@pytest.mark.parametrize("field, change, row_value, history", [
    ("assignee", lambda world: {"assignee": world.handler}, "'handler'", "'hamlet_handler'"),
    ("escalation_level", lambda world: {"escalation_level": 2}, "2", "0"),
    ("deadline", lambda world: {"deadline": F("deadline") + timedelta(days=7)}, "", ""),
])
def test_a_field_changed_without_an_event_is_reported_by_case_and_field(world, new_case, field, change, row_value,
                                                                        history):
    case = assigned_case(world, new_case)
    Case.objects.filter(pk=case.pk).update(**change(world))  # as with database access, no event written

    broken = audit_verify().first_broken
    assert (broken.case_code, broken.seq, broken.field) == (case.code, None, field)
    assert f"the case row's {field} is {row_value}" in broken.reason and f"its history says {history}" in broken.reason
    with pytest.raises(CommandError, match=f"{case.code} chain head: the case row's {field}"):
        call_command("verify_audit", "--jobs", "1")


def test_a_whole_life_with_an_escalation_and_every_kind_of_handover_stays_intact(world, new_case, time_machine):
    """Intake, verify, assign, a task taken, the sweep escalating, a pause, an extension, the assignee's role
    withdrawn, the task taken by the leader, orient, resolve: the case row agrees with its history throughout."""
    time_machine.move_to(timezone.make_aware(datetime(2026, 3, 2, 9)), tick=False)
    case = new_case()
    steps = [
        lambda: case_verify(case=case, by=world.clerk),
        lambda: case_assign(case=case, by=world.leader, unit=world.hamlet_a),
        lambda: task_take(task=_open_task(case), by=world.hamlet_handler),
        lambda: time_machine.move_to(timezone.make_aware(datetime(2026, 3, 5, 9, 1)), tick=False),
        lambda: clocks_sweep(),  # orient was due Thu 5 Mar 09:00: escalated to the commune
        lambda: clock_pause(case=case, clock="orient", by=world.hamlet_leader, reason="Chờ bổ sung"),
        lambda: clock_resume(case=case, clock="orient", by=world.hamlet_leader),
        lambda: case_extend(case=Case.objects.get(pk=case.pk), by=world.hamlet_leader, reason="Mưa lũ",
                            decision_ref="QĐ 3", new_due=timezone.now() + timedelta(days=4)),
        lambda: unit_role_revoke(user=world.hamlet_handler, unit=world.hamlet_a, role=Role.HANDLER,
                                 by=world.administrator, reason="Chuyển công tác"),
        lambda: task_take(task=_open_task(case), by=world.hamlet_leader),
        lambda: case_orient(case=Case.objects.get(pk=case.pk), by=world.hamlet_leader, response="Đã trả lời."),
        lambda: case_resolve(case=Case.objects.get(pk=case.pk), by=world.hamlet_leader, outcome="Đã xử lý."),
    ]
    for step in steps:
        step()
        result = audit_verify()
        assert result.ok, str(result.first_broken)
    stored = Case.objects.get(pk=case.pk)
    actions = list(stored.events.values_list("action", flat=True))
    assert {"take_task", "escalate", "clock_pause", "clock_resume", "extend", "unassigned"} <= set(actions)
    assert stored.escalation_level == 1 and stored.assignee == world.hamlet_leader


def _open_task(case):
    return next(task for task in open_tasks_of_case(Case.objects.get(pk=case.pk))
                if task.flow_task.name in ("orient_step", "resolve_step"))
