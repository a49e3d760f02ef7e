"""The working calendar: Tết, weekends, the package's swaps, administrators' days off and
swapped Saturdays, flash hours, and running deadlines recomputed after a change."""

from datetime import date

from cases.models import Case, CaseEvent, Priority
from workflow.calendar import add_working_days, current_calendar, is_working_day
from workflow.models import CalendarAdjustment, CalendarChange, CaseClock
from workflow.services import calendar_adjustment_remove, calendar_adjustment_set, calendar_changes_apply

from .conftest import at, events, local

DAY_OFF = CalendarAdjustment.Kind.DAY_OFF
WORKING_DAY = CalendarAdjustment.Kind.WORKING_DAY


def test_tet_2026_is_skipped(db):
    """Tết Bính Ngọ: 16–20 Feb 2026 (Mon–Fri) are holidays, so Friday 13 + 1 working day is Monday 23."""
    assert [is_working_day(date(2026, 2, d)) for d in range(16, 21)] == [False] * 5
    assert local(add_working_days(at(2026, 2, 13, 10), 1)) == local(at(2026, 2, 23, 10))
    assert local(add_working_days(at(2026, 2, 12, 10), 3)) == local(at(2026, 2, 24, 10))


def test_tet_2027_is_skipped(db):
    """Tết Đinh Mùi: 4–10 Feb 2027 (Thu–Wed); Wednesday 3 + 1 working day is Thursday 11."""
    assert not any(is_working_day(date(2027, 2, d)) for d in range(4, 11))
    assert local(add_working_days(at(2027, 2, 3, 10), 1)) == local(at(2027, 2, 11, 10))
    assert local(add_working_days(at(2027, 2, 3, 10), 2)) == local(at(2027, 2, 12, 10))


def test_a_weekend_is_skipped(db):
    assert local(add_working_days(at(2026, 3, 6, 16), 1)) == local(at(2026, 3, 9, 16))  # Fri → Mon
    assert local(add_working_days(at(2026, 3, 7, 11), 1)) == local(at(2026, 3, 9, 11))  # logged on a Saturday
    assert local(add_working_days(at(2026, 3, 6, 16), 3)) == local(at(2026, 3, 11, 16))  # Fri → Wed


def test_the_packages_own_swap_for_national_day_2026(db):
    """The package knows 2026's swap: Saturday 22 Aug worked, Monday 31 Aug off (then 1–2 Sep holidays)."""
    assert is_working_day(date(2026, 8, 22))
    assert not is_working_day(date(2026, 8, 31))
    assert local(add_working_days(at(2026, 8, 21, 9), 1)) == local(at(2026, 8, 22, 9))
    assert local(add_working_days(at(2026, 8, 28, 9), 1)) == local(at(2026, 9, 3, 9))


def test_an_administrator_added_day_off(db, world):
    """Thursday 12 March 2026 made a day off: Wednesday 11 + 1 working day is Friday 13."""
    assert local(add_working_days(at(2026, 3, 11), 1)) == local(at(2026, 3, 12))
    calendar_adjustment_set(day=date(2026, 3, 12), kind=DAY_OFF, by=world.administrator, reason="Thông báo số 1/TB")
    assert not is_working_day(date(2026, 3, 12))
    assert local(add_working_days(at(2026, 3, 11), 1)) == local(at(2026, 3, 13))
    assert CalendarAdjustment.objects.get(date=date(2026, 3, 12)).year == 2026

    assert calendar_adjustment_remove(day=date(2026, 3, 12), by=world.administrator)
    assert local(add_working_days(at(2026, 3, 11), 1)) == local(at(2026, 3, 12))
    assert list(CalendarChange.objects.order_by("pk").values_list("action", "date")) == [
        ("set", date(2026, 3, 12)), ("remove", date(2026, 3, 12)),
    ]


def test_a_swapped_working_saturday(db, world):
    """Saturday 14 March 2026 made a working day: Friday 13 + 1 working day is that Saturday."""
    calendar_adjustment_set(day=date(2026, 3, 14), kind=WORKING_DAY, by=world.administrator)
    assert is_working_day(date(2026, 3, 14))
    assert not is_working_day(date(2026, 3, 15))
    assert local(add_working_days(at(2026, 3, 13, 15), 1)) == local(at(2026, 3, 14, 15))
    assert local(add_working_days(at(2026, 3, 13, 15), 2)) == local(at(2026, 3, 16, 15))


def test_the_calendar_is_cached_until_it_changes(db, world):
    """A row written behind the services' back is not seen until the calendar is invalidated."""
    calendar_before = current_calendar()
    CalendarAdjustment.objects.create(date=date(2026, 3, 12), kind=DAY_OFF)
    assert current_calendar() is calendar_before
    assert is_working_day(date(2026, 3, 12))
    calendar_adjustment_set(day=date(2026, 3, 13), kind=DAY_OFF)
    assert current_calendar() is not calendar_before
    assert not is_working_day(date(2026, 3, 12)) and not is_working_day(date(2026, 3, 13))


def test_flash_hours_ignore_weekends_and_tet(world, new_case, time_machine):
    """Flash: verify within 4 hours and orient within 24 hours, whatever the day."""
    time_machine.move_to(at(2026, 2, 14, 22), tick=False)  # Saturday night before Tết
    case = new_case(priority=Priority.FLASH)
    assert local(Case.objects.get(pk=case.pk).deadline) == local(at(2026, 2, 15, 2))


def test_deadlines_are_recomputed_after_a_calendar_change(world, new_case, time_machine):
    """A day off added on Tuesday 3 March moves the running clocks by one day, with an event on the case."""
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case = new_case()
    verify = CaseClock.objects.get(case=case, clock="verify")
    reply = CaseClock.objects.get(case=case, clock="reply_reporter")
    assert local(verify.due_at) == local(at(2026, 3, 3, 9))
    assert local(reply.due_at) == local(at(2026, 3, 16, 9))

    time_machine.move_to(at(2026, 3, 2, 10), tick=False)
    calendar_adjustment_set(day=date(2026, 3, 3), kind=DAY_OFF, by=world.administrator, reason="Nghỉ bù")
    assert calendar_changes_apply() == 2

    verify.refresh_from_db()
    reply.refresh_from_db()
    assert local(verify.due_at) == local(at(2026, 3, 4, 9))
    assert local(reply.due_at) == local(at(2026, 3, 17, 9))
    stored = Case.objects.get(pk=case.pk)
    assert local(stored.deadline) == local(at(2026, 3, 4, 9))
    recomputed = events(case, "deadline_recomputed")
    assert {data["clock"]: (data["old_due"], data["new_due"]) for _, data in recomputed} == {
        "verify": ("2026-03-03T09:00:00+07:00", "2026-03-04T09:00:00+07:00"),
        "reply_reporter": ("2026-03-16T09:00:00+07:00", "2026-03-17T09:00:00+07:00"),
    }
    event = CaseEvent.objects.filter(case=case, action="deadline_recomputed").first()
    assert event.actor == world.administrator
    assert event.data["calendar_changes"] == [{"date": "2026-03-03", "kind": "day_off", "action": "set"}]
    assert CalendarChange.objects.get().applied_at is not None

    # Applying again changes nothing and writes nothing.
    assert calendar_changes_apply() == 0
    assert len(events(case, "deadline_recomputed")) == 2

    # Removing the day off brings the deadlines back, recorded again.
    calendar_adjustment_remove(day=date(2026, 3, 3), by=world.administrator)
    assert calendar_changes_apply() == 2
    assert local(Case.objects.get(pk=case.pk).deadline) == local(at(2026, 3, 3, 9))
    assert len(events(case, "deadline_recomputed")) == 4
