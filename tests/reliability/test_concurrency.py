"""Races on real PostgreSQL, each racer a thread with its own connection, all released at once.

The third race of the issue, 50 intakes with one Idempotency-Key through the API giving one case,
is tests/api/test_idempotency_race.py::test_50_parallel_intakes_with_one_key_give_one_case.
"""

import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from cases.audit import audit_verify
from cases.exceptions import Conflict, PermissionDenied, TransitionNotAllowed
from cases.models import Case, CaseEvent, Unit
from cases.services import case_assign, case_orient, case_reassign, case_reject, case_resolve, case_verify
from workflow.engine import OPEN_TASK_STATUSES, case_process
from workflow.queues import HUMAN_STEPS, unit_task_queue

from .helpers import holding_the_row_lock_during, in_own_connection, report, wait_until_a_backend_waits_for_a_lock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = int(os.environ.get("DLXH_DRILL_RACERS", "50"))  # each a PostgreSQL connection: stay under max_connections
ROUNDS = int(os.environ.get("DLXH_DRILL_ROUNDS", "20"))
REFUSED = (Conflict, TransitionNotAllowed, PermissionDenied)


def race(calls):
    """Run each call in its own thread and connection, all released by one barrier; outcomes in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            prepared = call()  # reads done before the barrier: every racer holds the same old copy
            barrier.wait()
            time.sleep(random.random() / 100)  # up to 10 ms, so the start order differs from round to round
            try:
                prepared()
                return "ok"
            except REFUSED as exc:
                return type(exc).__name__
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def person(username):
    return get_user_model().objects.get(username=username)


def test_50_racing_attempts_at_one_transition_give_one_success_and_one_event(world, new_case):
    case = new_case()

    def attempt():
        mine, clerk = Case.objects.get(pk=case.pk), person("clerk")
        return lambda: case_verify(case=mine, by=clerk, note="xác minh")

    outcomes = Counter(race([attempt] * RACERS))

    assert outcomes["ok"] == 1
    assert sum(outcomes.values()) == RACERS and set(outcomes) <= {"ok", "Conflict", "TransitionNotAllowed"}
    assert CaseEvent.objects.filter(case=case, action="verify").count() == 1
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.event_count, stored.version) == ("verified", 2, 1)
    assert audit_verify(case_ids=[case.pk]).ok
    report("same-transition", racers=RACERS, succeeded=outcomes["ok"], refused=RACERS - outcomes["ok"],
           verify_events=1, lost=0)


def test_50_racers_making_different_moves_leave_one_winner(world, new_case):
    """Half verify, half reject the same case: exactly one move happens."""
    case = new_case()

    def verify():
        mine, clerk = Case.objects.get(pk=case.pk), person("clerk")
        return lambda: case_verify(case=mine, by=clerk)

    def reject():
        mine, leader = Case.objects.get(pk=case.pk), person("leader")
        return lambda: case_reject(case=mine, by=leader, reason="Trùng lặp")

    outcomes = Counter(race([verify, reject] * (RACERS // 2)))

    assert outcomes["ok"] == 1
    moves = CaseEvent.objects.filter(case=case).exclude(action="intake")
    assert moves.count() == 1
    assert Case.objects.get(pk=case.pk).status == moves.get().to_status
    assert audit_verify(case_ids=[case.pk]).ok


def open_person_tasks(case):
    return list(
        case_process(case).task_set.filter(flow_task__in=HUMAN_STEPS, status__in=OPEN_TASK_STATUSES)
    )


def test_racing_reassign_and_resolve_never_leave_a_case_in_two_queues(world, new_case):
    tally = Counter()
    for round_number in range(ROUNDS):
        case = new_case(f"Vụ việc {round_number}")
        case_verify(case=case, by=world.clerk)
        case_assign(case=case, by=world.leader, unit=world.hamlet_a, assignee=world.hamlet_handler)
        case_orient(case=case, by=world.hamlet_handler, response="Đã trả lời")  # both moves are legal from here

        def reassign():
            mine, supervisor, unit = Case.objects.get(pk=case.pk), person("supervisor"), Unit.objects.get(code="P-B")
            return lambda: case_reassign(case=mine, by=supervisor, unit=unit, reason="Đúng thẩm quyền phường B")

        def resolve():
            mine, handler = Case.objects.get(pk=case.pk), person("hamlet_handler")
            return lambda: case_resolve(case=mine, by=handler, outcome="Đã khắc phục")

        racers = [reassign, resolve] if round_number % 2 else [resolve, reassign]
        first = race(racers)
        assert first.count("ok") == 1, first
        # The loser tries once more on a fresh copy, as a person reloading the page would: refused for a reason.
        retry = race([racers[first.index("ok") ^ 1]])
        stored = Case.objects.get(pk=case.pk)
        tally[stored.status] += 1
        assert retry == ["PermissionDenied" if stored.status == "oriented" else "TransitionNotAllowed"]

        tasks = open_person_tasks(stored)
        in_a = unit_task_queue(unit=world.hamlet_a).filter(process__artifact_object_id=case.pk).count()
        in_b = unit_task_queue(unit=world.commune_b).filter(process__artifact_object_id=case.pk).count()
        assert len(tasks) <= 1 and in_a + in_b <= 1
        if stored.status == "resolved":
            # The handling is done: what is left is accounting for it in the next report of commune A (the
            # hamlet has no secretariat of its own).
            assert [(t.flow_task.name, t.owner_permission_obj_pk) for t in tasks] == [
                ("report_step", str(world.commune_a.pk))] and stored.owner_id == world.hamlet_a.pk
        else:
            assert stored.status == "oriented" and stored.owner_id == world.commune_b.pk
            assert [t.owner_permission_obj_pk for t in tasks] == [str(world.commune_b.pk)] and in_b == 1
        assert audit_verify(case_ids=[case.pk]).ok
    assert sum(tally.values()) == ROUNDS
    report("reassign-vs-resolve", rounds=ROUNDS, reassign_won=tally["oriented"], resolve_won=tally["resolved"],
           in_two_queues=0, lost=0)


def test_a_move_waiting_behind_a_reassign_gets_a_conflict_not_a_missing_case(world, new_case):
    """The resolve waits on the row lock while a reassign changes the owner, then gets a Conflict (409).

    Found by the race above: `_lock_case` used to read the row FOR UPDATE joined to its owner unit;
    PostgreSQL re-checked the updated row against the old unit row and returned nothing
    (Case.DoesNotExist, a 500). It now locks the row alone, then reads it.
    """
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.hamlet_a, assignee=world.hamlet_handler)
    stale = Case.objects.get(pk=case.pk)
    with holding_the_row_lock_during(lambda: case_reassign(
        case=Case.objects.get(pk=case.pk), by=person("supervisor"), unit=Unit.objects.get(code="P-B"),
        reason="Đúng thẩm quyền",
    )) as paused:
        waiter = ThreadPoolExecutor(max_workers=1)
        outcome = waiter.submit(in_own_connection(lambda: case_resolve(case=stale, by=person("hamlet_handler"), outcome="x")))
        wait_until_a_backend_waits_for_a_lock()
        paused.release()
        paused.result.result(timeout=60)
        error = outcome.exception(timeout=60)
        waiter.shutdown()
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.owner_id) == ("assigned", world.commune_b.pk)
    assert not CaseEvent.objects.filter(case=case, action="resolve").exists() and audit_verify(case_ids=[case.pk]).ok
    assert isinstance(error, Conflict)
