"""Extension (gia hạn): only the owning unit's leader, with a reason and a decision reference;
pauses; what a case shows of its running clocks."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from cases.exceptions import PermissionDenied
from cases.models import Case, CaseEvent
from cases.services import case_assign, case_verify
from workflow.models import CaseClock
from workflow.selectors import case_clocks, remaining_text
from workflow.services import clock_extend, clock_pause, clock_resume, clocks_sweep

from .conftest import at, events, local


@pytest.fixture
def oriented_late(world, new_case, time_machine):
    """Assigned to commune A itself on Mon 2 Mar 2026 09:00: orient due Thu 5 Mar 09:00."""
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a, assignee=world.handler)
    return case


def test_a_handler_may_not_extend(world, oriented_late):
    with pytest.raises(PermissionDenied):
        clock_extend(case=oriented_late, clock="orient", by=world.handler, reason="Cần thêm thời gian",
                     decision_ref="CV 5/UBND", new_due=at(2026, 3, 9, 9))
    assert not events(oriented_late, "extend")


def test_a_leader_of_another_unit_or_a_supervisor_may_not_extend(world, oriented_late):
    for person in (world.leader2, world.supervisor, world.hamlet_leader):
        with pytest.raises(PermissionDenied):
            clock_extend(case=oriented_late, clock="orient", by=person, reason="Lý do", decision_ref="CV 5",
                         new_due=at(2026, 3, 9, 9))
    assert local(CaseClock.objects.get(case=oriented_late, clock="orient").due_at) == local(at(2026, 3, 5, 9))


def test_no_extension_without_a_reference_or_a_reason(world, oriented_late):
    with pytest.raises(ValidationError) as no_reference:
        clock_extend(case=oriented_late, clock="orient", by=world.leader, reason="Cần thêm thời gian",
                     decision_ref="  ", new_due=at(2026, 3, 9, 9))
    assert "decision_ref" in no_reference.value.message_dict
    with pytest.raises(ValidationError) as no_reason:
        clock_extend(case=oriented_late, clock="orient", by=world.leader, reason="", decision_ref="CV 5",
                     new_due=at(2026, 3, 9, 9))
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError) as earlier:
        clock_extend(case=oriented_late, clock="orient", by=world.leader, reason="Lý do", decision_ref="CV 5",
                     new_due=at(2026, 3, 4, 9))
    assert "new_due" in earlier.value.message_dict
    with pytest.raises(ValidationError) as not_running:
        clock_extend(case=oriented_late, clock="verify", by=world.leader, reason="Lý do", decision_ref="CV 5",
                     new_due=at(2026, 3, 9, 9))
    assert "clock" in not_running.value.message_dict
    assert not events(oriented_late, "extend")


def test_the_leader_extends_with_an_event_and_the_deadline_moves(world, oriented_late, time_machine):
    time_machine.move_to(at(2026, 3, 4, 15), tick=False)
    clock_extend(case=oriented_late, clock="orient", by=world.leader, reason="Chờ ý kiến của ngành",
                 decision_ref="Công văn 15/UBND-VP", new_due=at(2026, 3, 10, 9))
    event = CaseEvent.objects.get(case=oriented_late, action="extend")
    assert (event.actor, event.note) == (world.leader, "Chờ ý kiến của ngành")
    assert event.data == {
        "clock": "orient", "clock_name": "Định hướng, trả lời công khai", "complex": False,
        "old_due": "2026-03-05T09:00:00+07:00", "new_due": "2026-03-10T09:00:00+07:00",
        "decision_ref": "Công văn 15/UBND-VP", "after_breach": False,
        "deadline": "2026-03-10T02:00:00.000000+00:00",  # the case's deadline after it, in UTC
    }
    clock = CaseClock.objects.get(case=oriented_late, clock="orient", stopped_at__isnull=True)
    assert clock.extended_by == timedelta(days=5)
    assert local(Case.objects.get(pk=oriented_late.pk).deadline) == local(at(2026, 3, 10, 9))

    # The old due time passes quietly; the new one escalates (level 1, to the province).
    time_machine.move_to(at(2026, 3, 5, 9, 30), tick=False)
    clocks_sweep()
    assert not events(oriented_late, "escalate")
    time_machine.move_to(at(2026, 3, 10, 9), tick=False)
    clocks_sweep()
    assert [(d["clock"], d["level"], d["to_units"]) for _, d in events(oriented_late, "escalate")] == [
        ("orient", 1, ["P"]),
    ]


def test_after_an_escalation_an_extension_gives_the_next_tier_the_new_due_time(world, new_case, time_machine):
    """Escalated once to P-A, extended, missed again: level 2 goes to P at the new due time."""
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.hamlet_a)  # orient due Thu 5 Mar 09:00
    time_machine.move_to(at(2026, 3, 5, 9), tick=False)
    clocks_sweep()
    clock_extend(case=case, clock="orient", by=world.hamlet_leader, reason="Mưa lũ", decision_ref="QĐ 3",
                 new_due=at(2026, 3, 6, 9))
    time_machine.move_to(at(2026, 3, 6, 9), tick=False)
    clocks_sweep()
    assert [(d["clock"], d["level"], d["to_units"][0]) for _, d in events(case, "escalate")] == [
        ("orient", 1, "P-A"), ("orient", 2, "P"),
    ]


def test_a_paused_clock_neither_reminds_nor_escalates_and_resumes_later(world, oriented_late, time_machine):
    time_machine.move_to(at(2026, 3, 3, 9), tick=False)
    with pytest.raises(PermissionDenied):
        clock_pause(case=oriented_late, clock="orient", by=world.handler, reason="Chờ người dân bổ sung")
    clock_pause(case=oriented_late, clock="orient", by=world.leader, reason="Chờ người dân bổ sung")
    time_machine.move_to(at(2026, 3, 9, 9), tick=False)
    clocks_sweep()
    # Only the legal clock, which was not paused, reminds (its half time is Mon 9 Mar 09:00).
    assert [(a, d["clock"]) for a, d in events(oriented_late, "remind", "escalate")] == [
        ("remind", "reply_reporter"),
    ]
    view = next(v for v in case_clocks(case=oriented_late) if v.clock == "orient")
    assert view.is_paused and view.text == "còn 2 ngày"  # what was left when it paused

    clock_resume(case=oriented_late, clock="orient", by=world.leader, note="Đã nhận đủ hồ sơ")
    clock = CaseClock.objects.get(case=oriented_late, clock="orient", stopped_at__isnull=True)
    assert clock.paused_total == timedelta(days=6)
    assert local(clock.due_at) == local(at(2026, 3, 11, 9))
    assert local(Case.objects.get(pk=oriented_late.pk).deadline) == local(at(2026, 3, 11, 9))
    assert [a for a, _ in events(oriented_late, "clock_pause", "clock_resume")] == ["clock_pause", "clock_resume"]


def test_a_case_shows_every_running_clock_with_due_in_or_overdue_by(world, new_case, time_machine):
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case = new_case()
    time_machine.move_to(at(2026, 3, 14, 9), tick=False)  # Saturday: verify was due Tue 3 Mar 09:00
    views = {view.clock: view for view in case_clocks(case=case)}
    assert set(views) == {"verify", "reply_reporter"}
    assert (views["verify"].is_overdue, views["verify"].overdue_by, views["verify"].text) == (
        True, timedelta(days=11), "quá hạn 11 ngày",
    )
    assert (views["reply_reporter"].due_in, views["reply_reporter"].text) == (timedelta(days=2), "còn 2 ngày")
    assert "Luật Tiếp công dân" in views["reply_reporter"].legal_basis
    assert [view.clock for view in case_clocks(case=case)] == ["verify", "reply_reporter"]


def test_remaining_text():
    assert remaining_text(timedelta(days=2, hours=5)) == "còn 2 ngày"
    assert remaining_text(-timedelta(days=3)) == "quá hạn 3 ngày"
    assert remaining_text(timedelta(hours=5, minutes=59)) == "còn 5 giờ"
    assert remaining_text(-timedelta(minutes=20)) == "quá hạn 20 phút"
    assert remaining_text(timedelta(0)) == "đến hạn"
