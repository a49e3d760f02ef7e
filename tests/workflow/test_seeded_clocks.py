"""Every seeded clock against a hand-worked example (dates in Vietnam's local time).

Holidays used: Hùng Kings 2026 = Sun 26 Apr (observed Mon 27 Apr); 30 Apr and
1 May 2026 (Thu, Fri); 31 Aug 2026 (swapped day off), 1–2 Sep 2026;
24 Nov 2026 (Vietnam Cultural Day); 1 Jan 2027; Tết 2027 = 4–10 Feb.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from cases.audit import case_event_announce, case_event_append
from cases.models import Case, Priority, Unit
from cases.services import case_assign, case_orient, case_verify
from workflow.models import CaseClock, ClockPolicy
from workflow.services import clock_extend

from .conftest import at, local


def clock_of(case, name):
    return CaseClock.objects.get(case=case, clock=name, stopped_at__isnull=True)


def deadline_of(case):
    return local(Case.objects.get(pk=case.pk).deadline)


def record(case, action, by=None):
    """Write an event the lifecycle does not have yet (e.g. "transfer"), the way services do."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        event = case_event_append(case=locked, action=action, actor=by, from_status=locked.status,
                                  to_status=locked.status)
        locked.save(update_fields=["event_count", "head_hash"])
        case_event_announce(case=locked, event=event)


def test_the_seeded_policies(db):
    """Section 5's step deadlines, each kind's path and the legal clocks, each with its legal basis."""
    rows = {
        (p.clock, p.priority, p.public_response, p.case_kind): (p.amount, p.unit)
        for p in ClockPolicy.objects.filter(is_active=True)
    }
    assert rows == {
        ("verify", "", "", ""): (1, "working_days"),
        ("verify", "flash", "", ""): (4, "hours"),
        ("assign", "", "", ""): (1, "working_days"),
        ("orient", "", "required", ""): (3, "working_days"),
        ("orient", "flash", "required", ""): (24, "hours"),
        ("resolve", "", "", ""): (10, "working_days"),
        ("resolve", "", "not_required", ""): (10, "working_days"),
        ("reply_reporter", "", "", ""): (10, "working_days"),
        ("transfer", "", "", "complaint"): (10, "working_days"),
        ("transfer", "", "", "denunciation"): (5, "working_days"),
        ("notify_reporter", "", "", ""): (5, "working_days"),
    }
    # Settling a complaint belongs to the competent agency: kept, off, and saying when it applies.
    complaint = ClockPolicy.objects.get(clock="complaint_first")
    assert not complaint.is_active
    assert (complaint.complex_amount, complaint.remote_amount, complaint.remote_complex_amount) == (45, 45, 60)
    assert "Luật Khiếu nại 2011, Điều 28" in complaint.legal_basis
    assert "thẩm quyền giải quyết khiếu nại" in complaint.legal_basis
    assert "Luật Tiếp công dân 2013, Điều 28" in ClockPolicy.objects.get(clock="reply_reporter").legal_basis
    assert "Luật Tố cáo 2018, Điều 24" in ClockPolicy.objects.get(clock="transfer", case_kind="denunciation").legal_basis
    assert all(p.legal_basis for p in ClockPolicy.objects.filter(clock__in=("transfer", "notify_reporter"),
                                                                  is_active=True))


def test_verify_one_working_day(world, new_case, time_machine):
    """Logged Fri 29 May 2026 16:00 → verify by Mon 1 Jun 16:00."""
    time_machine.move_to(at(2026, 5, 29, 16), tick=False)
    case = new_case()
    assert local(clock_of(case, "verify").due_at) == local(at(2026, 6, 1, 16))
    assert deadline_of(case) == local(at(2026, 6, 1, 16))


def test_verify_flash_four_hours(world, new_case, time_machine):
    """Flash, logged Fri 29 May 2026 22:00 → verify by Sat 30 May 02:00."""
    time_machine.move_to(at(2026, 5, 29, 22), tick=False)
    case = new_case(priority=Priority.FLASH)
    assert local(clock_of(case, "verify").due_at) == local(at(2026, 5, 30, 2))
    assert deadline_of(case) == local(at(2026, 5, 30, 2))


def test_assign_one_working_day_over_30_april_and_1_may(world, new_case, time_machine):
    """Verified Wed 29 Apr 2026 09:00; 30 Apr, 1 May holidays, then the weekend → assign by Mon 4 May 09:00."""
    time_machine.move_to(at(2026, 4, 29, 8), tick=False)
    case = new_case()
    time_machine.move_to(at(2026, 4, 29, 9), tick=False)
    case_verify(case=case, by=world.clerk)
    assert local(clock_of(case, "assign").due_at) == local(at(2026, 5, 4, 9))
    assert deadline_of(case) == local(at(2026, 5, 4, 9))


def test_orient_three_working_days_over_national_day(world, new_case, time_machine):
    """Assigned Fri 28 Aug 2026 10:00; 31 Aug – 2 Sep off → Thu 3 (1), Fri 4 (2), Mon 7 Sep (3) 10:00."""
    time_machine.move_to(at(2026, 8, 27, 9), tick=False)
    case = new_case()
    case_verify(case=case, by=world.clerk)
    time_machine.move_to(at(2026, 8, 28, 10), tick=False)
    case_assign(case=case, by=world.leader, unit=world.commune_a)
    assert local(clock_of(case, "orient").due_at) == local(at(2026, 9, 7, 10))
    assert deadline_of(case) == local(at(2026, 9, 7, 10))


def test_orient_flash_24_hours_on_a_holiday(world, new_case, time_machine):
    """Flash, assigned Tue 24 Nov 2026 08:00 (Vietnam Cultural Day) → orient by Wed 25 Nov 08:00."""
    time_machine.move_to(at(2026, 11, 24, 7), tick=False)
    case = new_case(priority=Priority.FLASH)
    case_verify(case=case, by=world.clerk)
    time_machine.move_to(at(2026, 11, 24, 8), tick=False)
    case_assign(case=case, by=world.leader, unit=world.commune_a)
    assert local(clock_of(case, "orient").due_at) == local(at(2026, 11, 25, 8))


def test_resolve_ten_working_days_after_orient(world, new_case, time_machine):
    """Oriented Mon 20 Apr 2026 09:00: Tue 21 (1) … Fri 24 (4), Mon 27 off, Tue 28 (5), Wed 29 (6),
    30 Apr and 1 May off, Mon 4 (7), Tue 5 (8), Wed 6 (9), Thu 7 May (10) 09:00."""
    time_machine.move_to(at(2026, 4, 17, 9), tick=False)
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a, assignee=world.handler)
    time_machine.move_to(at(2026, 4, 20, 9), tick=False)
    case_orient(case=case, by=world.handler, response="Đã trả lời tại hội nghị")
    assert local(clock_of(case, "resolve").due_at) == local(at(2026, 5, 7, 9))
    assert deadline_of(case) == local(at(2026, 5, 7, 9))


def test_resolve_ten_working_days_after_assign_when_no_public_response(world, new_case, time_machine):
    """Topic needing no public response, assigned Mon 21 Dec 2026 09:00: … Thu 31 Dec (8),
    1 Jan off, Mon 4 Jan (9), Tue 5 Jan 2027 (10) 09:00; no orient clock."""
    time_machine.move_to(at(2026, 12, 21, 8), tick=False)
    case = new_case(topic=world.quiet_topic)
    case_verify(case=case, by=world.clerk)
    time_machine.move_to(at(2026, 12, 21, 9), tick=False)
    case_assign(case=case, by=world.leader, unit=world.commune_a)
    assert local(clock_of(case, "resolve").due_at) == local(at(2027, 1, 5, 9))
    assert not CaseClock.objects.filter(case=case, clock="orient").exists()
    assert deadline_of(case) == local(at(2027, 1, 5, 9))


def test_reply_to_reporter_ten_working_days_over_tet_2027(world, new_case, time_machine):
    """Logged Thu 28 Jan 2027 09:00: Fri 29 (1), Mon 1 (2), Tue 2 (3), Wed 3 Feb (4), Tết 4–10 Feb,
    Thu 11 (5), Fri 12 (6), Mon 15 (7), Tue 16 (8), Wed 17 (9), Thu 18 Feb (10) 09:00."""
    time_machine.move_to(at(2027, 1, 28, 9), tick=False)
    case = new_case()
    reply = clock_of(case, "reply_reporter")
    assert (reply.kind, local(reply.due_at)) == ("legal", local(at(2027, 2, 18, 9)))
    # The legal clock runs alongside the step clock; the case's deadline is the step's.
    assert deadline_of(case) == local(at(2027, 1, 29, 9))
    case_verify(case=case, by=world.clerk)
    assert clock_of(case, "reply_reporter").pk == reply.pk  # still running across steps


def test_a_denunciation_is_transferred_in_five_working_days_then_the_reporter_told_in_five(
        world, new_case, time_machine):
    """Logged Fri 24 Apr 2026 14:00: Mon 27 off, Tue 28 (1), Wed 29 (2), 30 Apr and 1 May off,
    Mon 4 (3), Tue 5 (4), Wed 6 May (5) 14:00; no verification clock runs beside it."""
    from cases.services import case_transfer

    time_machine.move_to(at(2026, 4, 24, 14), tick=False)
    case = new_case(kind="denunciation")
    transfer = clock_of(case, "transfer")
    assert local(transfer.due_at) == local(at(2026, 5, 6, 14))
    assert not CaseClock.objects.filter(case=case, clock="verify").exists()
    assert deadline_of(case) == local(at(2026, 5, 6, 14))
    time_machine.move_to(at(2026, 5, 4, 10), tick=False)
    case_transfer(case=case, by=world.clerk, agency="Thanh tra tỉnh", legal_basis="Luật Tố cáo 2018, Điều 24")
    transfer.refresh_from_db()
    assert transfer.stop_event == "transfer"
    # Mon 4 May 10:00 + 5 working days → Mon 11 May 10:00.
    assert local(clock_of(case, "notify_reporter").due_at) == local(at(2026, 5, 11, 10))
    assert deadline_of(case) == local(at(2026, 5, 11, 10))


@pytest.fixture
def complaints(monkeypatch):
    """A unit here is competent for complaints: the administrator turned the clock on; every case counts as one."""
    for policy in ClockPolicy.objects.filter(clock="complaint_first"):
        policy.is_active = True
        policy.save()  # the save tells every process to reload the policies
    monkeypatch.setattr("workflow.deadlines.case_kind_of", lambda case: "complaint")


def test_first_complaint_30_days(world, new_case, time_machine, complaints):
    """Accepted (verified) Mon 2 Mar 2026 09:00 → 30 days → Wed 1 Apr 09:00."""
    time_machine.move_to(at(2026, 3, 2, 8), tick=False)
    case = new_case()
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case_verify(case=case, by=world.clerk)
    assert local(clock_of(case, "complaint_first").due_at) == local(at(2026, 4, 1, 9))


def test_first_complaint_complex_45_days(world, new_case, time_machine, complaints):
    """Declared complex by the leader (decision reference): 45 days → Thu 16 Apr 2026 09:00."""
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case = new_case()
    case_verify(case=case, by=world.clerk)
    clock_extend(case=case, clock="complaint_first", by=world.leader, reason="Nhiều bên liên quan",
                 decision_ref="QĐ 12/QĐ-UBND", complex_case=True)
    assert local(clock_of(case, "complaint_first").due_at) == local(at(2026, 4, 16, 9))


def test_first_complaint_remote_45_and_complex_60_days(world, new_case, time_machine, complaints):
    """In a remote commune: 45 days → Thu 16 Apr; complex: 60 days → Fri 1 May 2026, a holiday, then
    the weekend, so the period ends Mon 4 May 09:00 (Civil Code art. 148(5))."""
    Unit.objects.filter(pk=world.commune_a.pk).update(is_remote=True)  # the hamlet is in it
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case = new_case()
    case_verify(case=case, by=world.clerk)
    clock = clock_of(case, "complaint_first")
    assert (clock.is_remote, local(clock.due_at)) == (True, local(at(2026, 4, 16, 9)))
    clock_extend(case=case, clock="complaint_first", by=world.leader, reason="Phức tạp",
                 decision_ref="QĐ 13/QĐ-UBND", complex_case=True)
    assert local(clock_of(case, "complaint_first").due_at) == local(at(2026, 5, 4, 9))
    # The law's 60 days are the ceiling: no extension goes past them.
    with pytest.raises(ValidationError) as refused:
        clock_extend(case=case, clock="complaint_first", by=world.leader, reason="Thêm thời gian",
                     decision_ref="QĐ 14/QĐ-UBND", new_due=at(2026, 5, 5, 9))
    assert "new_due" in refused.value.message_dict


def test_complaint_clock_does_not_run_for_other_kinds(world, new_case, time_machine):
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case = new_case()
    case_verify(case=case, by=world.clerk)
    assert not CaseClock.objects.filter(case=case, clock="complaint_first").exists()
