"""Time travel through a case that misses every deadline: the exact reminders and escalations,
at the right moments, to the right units and people, each once, however often the sweep runs.

The world: province P ⊃ commune P-A ⊃ hamlet P-A-T1. Logged by commune A's clerk
(owner P-A) on Mon 2 Mar 2026 09:00; verified late, assigned late to the hamlet,
then left alone.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection

from cases.models import Case, CaseEvent, Unit
from cases.permissions import users_with_role_on
from cases.services import case_assign, case_verify
from workflow.models import CaseClock, Escalation
from workflow.services import clocks_sweep

from .conftest import at

# (when, action, clock, level, the unit it goes to), worked by hand:
# verify (1 wd from Mon 09:00): half time Mon 21:00, due Tue 09:00 → P (commune's parent); no tier above P.
# reply_reporter (10 wd from Mon 2 Mar 09:00, due Mon 16 Mar 09:00): half of the working time
#   (15 h + 4 × 24 h + 5 × 24 h + 9 h = 240 h) passes Mon 9 Mar 09:00; one working day before: Fri 13 Mar.
#   By then the hamlet owns the case: level 1 → P-A, then after 10 more working days (Mon 30 Mar) → P.
# assign (1 wd from the late verify, Wed 4 Mar 10:00): half Wed 22:00, due Thu 5 Mar 10:00 → P.
# orient (3 wd from the late assignment, Fri 6 Mar 10:00; due Wed 11 Mar 10:00): working time
#   14 h + 24 h + 24 h + 10 h = 72 h, half at Mon 9 Mar 22:00; one working day before: Tue 10 Mar 10:00;
#   due → P-A; 3 working days later, Mon 16 Mar 10:00 → P.
TIMELINE = [
    (at(2026, 3, 2, 21), "remind", "verify", 1, "P-A"),
    (at(2026, 3, 3, 9), "escalate", "verify", 1, "P"),
    (at(2026, 3, 4, 22), "remind", "assign", 1, "P-A"),
    (at(2026, 3, 5, 10), "escalate", "assign", 1, "P"),
    (at(2026, 3, 9, 9), "remind", "reply_reporter", 1, "P-A-T1"),
    (at(2026, 3, 9, 22), "remind", "orient", 1, "P-A-T1"),
    (at(2026, 3, 10, 10), "remind", "orient", 2, "P-A-T1"),
    (at(2026, 3, 11, 10), "escalate", "orient", 1, "P-A"),
    (at(2026, 3, 13, 9), "remind", "reply_reporter", 2, "P-A-T1"),
    (at(2026, 3, 16, 9), "escalate", "reply_reporter", 1, "P-A"),
    (at(2026, 3, 16, 10), "escalate", "orient", 2, "P"),
    (at(2026, 3, 30, 9), "escalate", "reply_reporter", 2, "P"),
]
# What people do, late every time.
ACTIONS = [
    (at(2026, 3, 4, 10), "verify"),
    (at(2026, 3, 6, 10), "assign"),
]


def clock_events(case):
    return [
        (event.created_at, event.action, event.data["clock"], event.data["level"], event.data["to_units"][0])
        for event in CaseEvent.objects.filter(case=case, action__in=("remind", "escalate")).order_by("seq")
    ]


def test_a_case_that_misses_every_deadline(world, new_case, time_machine):
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case = new_case()
    moments = sorted([(when, "fire", item) for when, *item in TIMELINE] + [(when, "act", name) for when, name in ACTIONS],
                     key=lambda row: row[0])
    expected = []
    for when, kind, item in moments:
        time_machine.move_to(when - timedelta(minutes=1), tick=False)
        clocks_sweep()
        assert clock_events(case) == expected, f"nothing may fire before {when}"
        time_machine.move_to(when, tick=False)
        if kind == "act":
            if item == "verify":
                case_verify(case=case, by=world.clerk)
            else:
                case_assign(case=case, by=world.leader, unit=world.hamlet_a, assignee=world.hamlet_handler)
            continue
        clocks_sweep()
        clocks_sweep()  # the same minute again: nothing more
        expected.append((when, *item))
        assert clock_events(case) == expected

    # Long after: no tier above the province, nothing more ever fires.
    time_machine.move_to(at(2026, 6, 1, 9), tick=False)
    clocks_sweep()
    assert clock_events(case) == expected

    stored = Case.objects.get(pk=case.pk)
    assert stored.escalation_level == 2
    assert sorted(Escalation.objects.filter(case=case).values_list("clock__clock", "level", "to_unit__code")) == [
        ("assign", 1, "P"), ("orient", 1, "P-A"), ("orient", 2, "P"),
        ("reply_reporter", 1, "P-A"), ("reply_reporter", 2, "P"), ("verify", 1, "P"),
    ]
    assert all(event.actor is None for event in CaseEvent.objects.filter(case=case, action="escalate"))
    assert not CaseClock.objects.filter(case=case, stopped_at__isnull=True, next_fire_at__isnull=False).exists()


def test_escalations_reach_the_leader_and_supervisor_one_tier_up(world, new_case, time_machine):
    """The people behind the unit codes: P-A's leader and the province supervisor, then the province's."""
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.hamlet_a)
    time_machine.move_to(at(2026, 3, 5, 9, 1), tick=False)  # orient due Thu 5 Mar 09:00
    clocks_sweep()
    escalation = CaseEvent.objects.get(case=case, action="escalate")
    assert (escalation.data["clock"], escalation.data["to_units"], escalation.data["to_roles"]) == (
        "orient", ["P-A"], ["leader", "supervisor"]
    )
    to_unit = Unit.objects.get(code="P-A")
    people = users_with_role_on(unit=to_unit, roles=escalation.data["to_roles"])
    assert sorted(people.values_list("username", flat=True)) == ["leader", "supervisor"]
    reminder = CaseEvent.objects.filter(case=case, action="remind").first()
    assert reminder is None  # the sweep came late: the escalation makes the missed reminders moot


def test_a_late_sweep_fires_each_due_escalation_once_and_skips_stale_reminders(world, new_case, time_machine):
    """Beat was down for days: one run catches up with every escalation level, in order, once."""
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.hamlet_a)  # orient due Thu 5 Mar 09:00 → P-A, Tue 10 Mar → P
    time_machine.move_to(at(2026, 3, 20, 9), tick=False)
    clocks_sweep()
    clocks_sweep()
    fired = [(action, data["clock"], data["level"], data["to_units"]) for action, data in
             ((e.action, e.data) for e in CaseEvent.objects.filter(case=case, action__in=("remind", "escalate"))
              .order_by("seq"))]
    assert fired == [
        ("escalate", "orient", 1, ["P-A"]), ("escalate", "orient", 2, ["P"]),
        ("escalate", "reply_reporter", 1, ["P-A"]),
    ]
    data = CaseEvent.objects.filter(case=case, action="escalate").first().data
    assert data["scheduled_for"] == "2026-03-05T09:00:00+07:00"


def test_acting_in_time_stops_the_clock(world, new_case, time_machine):
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case = new_case()
    time_machine.move_to(at(2026, 3, 2, 22), tick=False)
    clocks_sweep()  # half-time reminder of verify
    case_verify(case=case, by=world.clerk)
    time_machine.move_to(at(2026, 3, 3, 9, 30), tick=False)  # the old verify due time has passed
    clocks_sweep()
    assert [(a, d["clock"]) for a, d in ((e.action, e.data) for e in CaseEvent.objects.filter(
        case=case, action__in=("remind", "escalate")).order_by("seq"))] == [("remind", "verify")]
    assert Case.objects.get(pk=case.pk).escalation_level == 0
    verify = CaseClock.objects.get(case=case, clock="verify")
    assert (verify.stop_event, verify.stopped_at, verify.next_fire_at) == ("verify", at(2026, 3, 2, 22), None)
    # The assign clock (due Tue 22:00) reminds at its own half time, Tue 10:00.
    assert CaseClock.objects.get(case=case, clock="assign", stopped_at__isnull=True).next_fire_at == at(2026, 3, 3, 10)


def test_demo_scale_shortens_clocks_and_says_so(world, new_case, time_machine, settings, client):
    """With DLXH_DEMO_CLOCK_SCALE = 1440 a working day lasts a minute; the value is on every page's context."""
    settings.DLXH_DEMO_CLOCK_SCALE = 1440
    time_machine.move_to(at(2026, 3, 7, 9), tick=False)  # a Saturday: in a demo every day counts
    case = new_case()
    assert Case.objects.get(pk=case.pk).deadline == at(2026, 3, 7, 9, 1)
    time_machine.move_to(at(2026, 3, 7, 9) + timedelta(seconds=30), tick=False)
    clocks_sweep()
    time_machine.move_to(at(2026, 3, 7, 9, 1), tick=False)
    clocks_sweep()
    assert [e.action for e in CaseEvent.objects.filter(case=case, action__in=("remind", "escalate"))] == [
        "remind", "escalate",
    ]
    from workflow.context_processors import clock_settings

    assert clock_settings(None) == {"demo_clock_scale": 1440.0, "demo_clocks": True}
    assert client.get("/health/").json()["demo_clock_scale"] == 1440.0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_fire_each_escalation_once(world, new_case, time_machine):
    """Twelve overdue cases, two sweeps started together on their own connections: twelve escalations."""
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    cases = [new_case(f"Phản ánh số {n}") for n in range(12)]
    time_machine.move_to(at(2026, 3, 3, 9, 5), tick=False)  # verify due Tue 09:00 → P
    barrier = threading.Barrier(2)

    def sweep(_):
        try:
            barrier.wait()
            return clocks_sweep(batch_size=5).escalations
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        fired = list(pool.map(sweep, range(2)))
    assert sum(fired) == 12
    for case in cases:
        assert list(CaseEvent.objects.filter(case=case, action__in=("remind", "escalate")).values_list(
            "action", "data__clock")) == [("escalate", "verify")]
        assert Case.objects.get(pk=case.pk).escalation_level == 1
    assert Escalation.objects.count() == 12

    # And again, both at once: nothing left to do.
    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(sweep, range(2))) == [0, 0]
    assert CaseEvent.objects.filter(action="escalate").count() == 12


def test_one_broken_clock_does_not_stop_the_others(world, new_case, time_machine, monkeypatch):
    """A clock whose firing fails is rolled back alone, logged, and retried by the next sweep."""
    import workflow.services.sweep as services

    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    broken, fine = new_case("Hỏng"), new_case("Bình thường")
    real_escalate = services._escalate

    def escalate(case, *args, **kwargs):
        if case.pk == broken.pk:
            raise RuntimeError("boom")
        return real_escalate(case, *args, **kwargs)

    monkeypatch.setattr(services, "_escalate", escalate)
    time_machine.move_to(at(2026, 3, 3, 9), tick=False)
    result = clocks_sweep()
    assert (result.escalations, result.failed) == (1, 1)
    assert CaseEvent.objects.filter(case=fine, action="escalate").count() == 1
    assert not CaseEvent.objects.filter(case=broken, action__in=("remind", "escalate")).exists()
    assert Case.objects.get(pk=broken.pk).event_count == 1  # nothing half-written

    monkeypatch.setattr(services, "_escalate", real_escalate)
    clocks_sweep()
    assert CaseEvent.objects.filter(case=broken, action="escalate").count() == 1
    assert CaseEvent.objects.filter(case=fine, action="escalate").count() == 1
