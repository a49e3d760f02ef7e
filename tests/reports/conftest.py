"""Helpers for the report tests: local moments, cases driven through their life at chosen times,
events planted the way an import or a tampering hand could write them."""

from datetime import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from cases.audit import case_event_append
from cases.models import Case
from cases.services import (
    case_assign,
    case_intake,
    case_orient,
    case_reject,
    case_reopen,
    case_resolve,
    case_verify,
)


def at(year, month, day, hour=9, minute=0) -> datetime:
    """A moment in Vietnam's local time."""
    return timezone.make_aware(datetime(year, month, day, hour, minute))


class Life:
    """Drive cases of commune A (or B) through their moves at given moments (time-machine)."""

    def __init__(self, world, time_machine):
        self.world = world
        self.tm = time_machine

    def people(self, commune):
        w = self.world
        return (w.clerk, w.leader, w.handler, w.commune_a, w.hamlet_a) if commune == "A" else (
            w.clerk2, w.leader2, w.handler2, w.commune_b, w.hamlet_b)

    def case(self, received, *steps, commune="A", topic=None, channel=None, title="Vụ việc", locality=None):
        """`steps`: (moment, move) with move in verify, assign, orient, resolve, reopen, reject."""
        clerk, leader, handler, unit, hamlet = self.people(commune)
        self.tm.move_to(received, tick=False)
        case = case_intake(by=clerk, title=title, description="Nội dung.", channel=channel or self.world.channel,
                           topic=topic or self.world.topic, locality=locality or hamlet, received_at=received)
        for moment, move in steps:
            self.tm.move_to(moment, tick=False)
            if move == "verify":
                case_verify(case=case, by=clerk)
            elif move == "assign":
                case_assign(case=case, by=leader, unit=unit, assignee=handler)
            elif move == "orient":
                case_orient(case=case, by=handler, response="Đã trả lời người dân.")
            elif move == "resolve":
                case_resolve(case=case, by=handler, outcome="Đã xử lý xong.")
            elif move == "reopen":
                case_reopen(case=case, by=leader, reason="Chưa xong.")
            elif move == "reject":
                case_reject(case=case, by=clerk, reason="Không thuộc phạm vi.")
            else:
                raise ValueError(move)
        case.refresh_from_db()
        return case

    def resolved(self, received, *, days=3, commune="A", **kwargs):
        """A case verified, assigned and oriented on the day it came, resolved `days` later."""
        from datetime import timedelta

        return self.case(
            received, (received + timedelta(hours=1), "verify"), (received + timedelta(hours=2), "assign"),
            (received + timedelta(hours=3), "orient"), (received + timedelta(days=days), "resolve"),
            commune=commune, **kwargs,
        )


@pytest.fixture
def life(world, time_machine):
    return Life(world, time_machine)


def plant_event(case: Case, action: str, *, note: str = "", data: dict | None = None, actor=None):
    """Append an event directly to the chain (as an old import would have): valid hashes, no service rules."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        event = case_event_append(case=locked, action=action, actor=actor, from_status=locked.status,
                                  to_status=locked.status, note=note, data=data or {})
        locked.save(update_fields=["event_count", "head_hash"])
    return event


@pytest.fixture(autouse=True)
def _private_cache(private_cache):
    """Rate-limit counters start empty in every test (`as_user`: tests/conftest.py)."""
