"""Helpers for the time tests: local moments, a clean calendar cache, events by action."""

from datetime import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from cases.models import CaseEvent
from config.shared_configuration import configuration_changed
from workflow.services import SWEEP_CACHE_KEY


def at(year, month, day, hour=9, minute=0) -> datetime:
    """A moment in Vietnam's local time (Asia/Ho_Chi_Minh)."""
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(tzinfo=None)


def events(case, *actions):
    """(action, data) of the case's events with these actions, oldest first."""
    rows = CaseEvent.objects.filter(case=case).order_by("seq")
    if actions:
        rows = rows.filter(action__in=actions)
    return [(row.action, row.data) for row in rows]


def _forget_shared_state():
    configuration_changed()
    try:
        cache.delete(SWEEP_CACHE_KEY)
    except Exception:  # noqa: BLE001 - a test that stops the cache tears down before settings come back
        pass


@pytest.fixture(autouse=True)
def _fresh_time_state():
    """The calendar copy and the sweep heartbeat live in the shared cache, which no test rollback undoes."""
    _forget_shared_state()
    yield
    _forget_shared_state()
