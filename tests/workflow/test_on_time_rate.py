"""On-time rate: resolved on time / (resolved + open overdue), with reopenings and pauses shown."""

from cases.models import CaseEvent
from cases.services import case_assign, case_orient, case_reopen, case_resolve, case_verify
from workflow.models import CaseClock
from workflow.selectors import case_clock_history, on_time_rate
from workflow.services import clock_pause

from .conftest import at


def test_on_time_rate_of_a_province(world, new_case, time_machine):
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    on_time, late, reopened, overdue, paused = (new_case(f"Vụ việc {n}") for n in range(5))
    for case in (on_time, late, reopened, paused):
        case_verify(case=case, by=world.clerk)
        case_assign(case=case, by=world.leader, unit=world.commune_a, assignee=world.handler)
        case_orient(case=case, by=world.handler, response="Đã trả lời")  # resolve due Mon 16 Mar 09:00
    time_machine.move_to(at(2026, 3, 10, 9), tick=False)
    case_resolve(case=on_time, by=world.handler, outcome="Xong")
    case_resolve(case=reopened, by=world.handler, outcome="Xong")
    clock_pause(case=paused, clock="resolve", by=world.leader, reason="Chờ kết quả giám định")
    time_machine.move_to(at(2026, 3, 17, 9), tick=False)
    case_resolve(case=late, by=world.handler, outcome="Xong, muộn")
    case_reopen(case=reopened, by=world.leader, reason="Người dân phản ánh chưa xong")

    rate = on_time_rate(user=world.supervisor, unit=world.province, since=at(2026, 3, 1, 0), until=at(2026, 4, 1, 0))
    assert (rate.resolved, rate.resolved_on_time, rate.resolved_late, rate.resolved_then_reopened) == (3, 1, 1, 1)
    assert (rate.open_overdue, rate.reopened, rate.paused) == (1, 1, 1)  # `overdue` never verified; `paused` not late
    assert rate.rate == 1 / 4

    # The reopened case's clocks restarted: the first round stays in its history.
    history = [(c.clock, c.stop_event) for c in case_clock_history(case=reopened) if c.kind == "step"]
    assert history == [("verify", "verify"), ("assign", "assign"), ("orient", "orient"), ("resolve", "resolve"),
                       ("orient", "")]
    assert CaseClock.objects.get(case=reopened, clock="orient", stopped_at__isnull=True).started_at == at(2026, 3, 17, 9)
    assert CaseEvent.objects.filter(case=overdue, action="reopen").count() == 0


def test_the_rate_counts_only_what_the_person_may_see(world, new_case, time_machine):
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    new_case()  # commune A's, overdue by the end
    time_machine.move_to(at(2026, 3, 20, 9), tick=False)
    since, until = at(2026, 3, 1, 0), at(2026, 4, 1, 0)
    assert on_time_rate(user=world.leader2, unit=world.province, since=since, until=until).open_overdue == 0
    mine = on_time_rate(user=world.leader, unit=world.commune_a, since=since, until=until)
    assert (mine.open_overdue, mine.rate) == (1, 0.0)
    assert on_time_rate(user=world.leader, unit=world.commune_b, since=since, until=until).rate is None
