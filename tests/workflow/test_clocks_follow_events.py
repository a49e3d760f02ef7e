"""Clocks start and stop with the case's events, in the same transaction, and Case.deadline
always equals the running step clock's due time."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from cases.models import Case, CaseStatus, Priority
from cases.services import (
    case_assign,
    case_mark_reported,
    case_orient,
    case_reassign,
    case_reject,
    case_resolve,
    case_verify,
)
from workflow.deadlines import step_deadline
from workflow.models import CalendarAdjustment, CalendarChange, CaseClock, ClockPolicy

from .conftest import at, local


def running(case):
    return sorted(CaseClock.objects.filter(case=case, stopped_at__isnull=True).values_list("clock", flat=True))


def step_due(case):
    return CaseClock.objects.get(case=case, kind="step", stopped_at__isnull=True).due_at


def test_the_main_line(world, new_case, time_machine):
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case = new_case()
    assert running(case) == ["reply_reporter", "verify"]
    assert Case.objects.get(pk=case.pk).deadline == step_due(case)
    for move in (
        lambda: case_verify(case=case, by=world.clerk),
        lambda: case_assign(case=case, by=world.leader, unit=world.hamlet_a, assignee=world.hamlet_handler),
        lambda: case_reassign(case=case, by=world.leader, unit=world.commune_a, reason="Thuộc thẩm quyền xã"),
    ):
        time_machine.shift(3600)
        move()
        assert Case.objects.get(pk=case.pk).deadline == step_due(case)
        assert case.deadline == step_due(case)  # the caller's instance too
    assert running(case) == ["orient", "reply_reporter"]
    # The reassignment gave commune A its own three working days: Mon 2 Mar 12:00 → Thu 5 Mar 12:00.
    assert local(step_due(case)) == local(at(2026, 3, 5, 12))

    case_orient(case=case, by=world.handler, response="Đã trả lời")
    assert running(case) == ["resolve"]  # orienting also answers the reporter
    case_resolve(case=case, by=world.handler, outcome="Xong")
    assert running(case) == []
    assert Case.objects.get(pk=case.pk).deadline is None
    case_mark_reported(case=case, by=world.secretariat, report_ref="BC-03")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REPORTED
    assert [(c.clock, c.stop_event) for c in CaseClock.objects.filter(case=case).order_by("started_at", "pk")] == [
        ("reply_reporter", "orient"), ("verify", "verify"), ("assign", "assign"), ("orient", "reassign"),
        ("orient", "orient"), ("resolve", "resolve"),
    ]


def test_rejecting_stops_every_clock(world, new_case):
    case = new_case()
    case_reject(case=case, by=world.clerk, reason="Không phải phản ánh")
    assert running(case) == []
    assert Case.objects.get(pk=case.pk).deadline is None


def test_a_failed_transition_leaves_the_clocks_alone(world, new_case):
    case = new_case()
    before = list(CaseClock.objects.filter(case=case).values_list("pk", "clock", "due_at", "stopped_at"))
    with pytest.raises(Exception):
        case_assign(case=case, by=world.leader, unit=world.commune_a)  # not verified yet
    assert list(CaseClock.objects.filter(case=case).values_list("pk", "clock", "due_at", "stopped_at")) == before


def test_step_deadline_reads_the_policy_table(db):
    start = at(2026, 3, 2, 9)
    assert local(step_deadline(status=CaseStatus.RECEIVED, priority=Priority.NORMAL, start=start)) == local(at(2026, 3, 3, 9))
    assert local(step_deadline(status=CaseStatus.RECEIVED, priority=Priority.FLASH, start=start)) == local(at(2026, 3, 2, 13))
    assert local(step_deadline(status=CaseStatus.ASSIGNED, priority=Priority.NORMAL, start=start,
                               needs_public_response=False)) == local(at(2026, 3, 16, 9))
    assert step_deadline(status=CaseStatus.RESOLVED, priority=Priority.NORMAL, start=start) is None
    policy = ClockPolicy.objects.get(clock="verify", priority="")
    policy.amount = 2
    policy.save()  # as the admin does; every process drops its copy of the policies
    assert local(step_deadline(status=CaseStatus.RECEIVED, priority=Priority.NORMAL, start=start)) == local(at(2026, 3, 4, 9))


def test_an_administrator_edits_the_calendar_in_the_admin(client, db):
    admin = get_user_model().objects.create_superuser("root", password="pw-for-tests-1")
    client.force_login(admin)
    response = client.post("/admin/workflow/calendaradjustment/add/", {
        "date": "2026-03-12", "kind": "day_off", "reason": "Thông báo 2/TB",
    })
    assert response.status_code == 302
    assert CalendarAdjustment.objects.get().date == date(2026, 3, 12)
    change = CalendarChange.objects.get()
    assert (change.action, change.changed_by, change.reason) == ("set", admin, "Thông báo 2/TB")
    adjustment = CalendarAdjustment.objects.get()
    response = client.post(f"/admin/workflow/calendaradjustment/{adjustment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarAdjustment.objects.exists()
    assert list(CalendarChange.objects.order_by("pk").values_list("action", flat=True)) == ["set", "remove"]


def test_an_administrator_edits_a_policy_with_event_names_as_text(client, db):
    admin = get_user_model().objects.create_superuser("root", password="pw-for-tests-1")
    client.force_login(admin)
    policy = ClockPolicy.objects.get(clock="transfer", case_kind="denunciation")
    page = client.get(f"/admin/workflow/clockpolicy/{policy.pk}/change/")
    assert "transfer, reject, merge" in page.content.decode()


def test_a_flushed_database_gets_the_default_policies_back(db):
    """Like content types: when the table is empty after migrate or flush, the defaults return; never otherwise."""
    from workflow.services import clock_policies_seed_if_empty

    assert clock_policies_seed_if_empty() == 0
    ClockPolicy.objects.all().delete()
    assert clock_policies_seed_if_empty() == 12
    assert ClockPolicy.objects.filter(clock="resolve").count() == 2
