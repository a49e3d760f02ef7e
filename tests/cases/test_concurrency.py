"""Races on real PostgreSQL: row locks and the code counter hold under threads."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from cases.exceptions import Conflict, TransitionNotAllowed
from cases.models import Case, CaseEvent, CaseStatus, Channel, Topic, Unit
from cases.services import case_intake, case_verify

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_own_connection(func):
    def run(*args):
        try:
            return func(*args)
        finally:
            connection.close()

    return run


def test_two_concurrent_transitions_one_wins_one_conflicts(world, new_case):
    case = new_case()
    barrier = threading.Barrier(2)

    @in_own_connection
    def verify_when_both_ready(_):
        mine = Case.objects.get(pk=case.pk)  # each caller read the case before either wrote
        clerk = get_user_model().objects.get(username="clerk")
        barrier.wait()
        try:
            case_verify(case=mine, by=clerk)
            return "ok"
        except (Conflict, TransitionNotAllowed) as exc:
            return type(exc).__name__

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(verify_when_both_ready, range(2)))

    assert outcomes == ["Conflict", "ok"]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.VERIFIED
    assert CaseEvent.objects.filter(case=case, action="verify").count() == 1
    assert Case.objects.get(pk=case.pk).event_count == 2


def test_200_concurrent_intakes_get_200_distinct_codes(world):
    clerk_id, channel_id, topic_id, locality_id = world.clerk.pk, world.channel.pk, world.topic.pk, world.hamlet_a.pk

    @in_own_connection
    def intake(number):
        return case_intake(
            by=get_user_model().objects.get(pk=clerk_id),
            title=f"Phản ánh số {number}",
            channel=Channel.objects.get(pk=channel_id),
            topic=Topic.objects.get(pk=topic_id),
            locality=Unit.objects.get(pk=locality_id),
        ).code

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(intake, range(200)))

    assert len(set(codes)) == 200
    assert Case.objects.count() == 200
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    # No gaps, no repeats (a year's PostgreSQL sequence outlives the flush between tests: the first is not always 1).
    assert numbers == list(range(numbers[0], numbers[0] + 200))


def test_the_first_intakes_of_a_new_year_create_its_sequence_once_and_share_nothing(database_owner):
    """Sixteen intakes ask for the first numbers of a year at the same moment: one creates the sequence."""
    from django.db import transaction

    from cases.models import CaseCodeCounter
    from cases.services import case_code_allocate

    with database_owner(), connection.cursor() as cursor:  # the owner's function made it, and keeps it
        cursor.execute("DROP SEQUENCE IF EXISTS cases_case_code_2091")
    CaseCodeCounter.objects.create(year=2091, last_number=7)  # issued before the sequence existed
    barrier = threading.Barrier(16)

    @in_own_connection
    def allocate(_):
        with transaction.atomic():
            barrier.wait()
            return case_code_allocate(year=2091)

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(allocate, range(16)))
    assert sorted(codes) == [f"DL-2091-{n:06d}" for n in range(8, 24)]
