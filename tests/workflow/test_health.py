"""/health/: the time of the last successful sweep; red (503) when it is three intervals old."""

from datetime import timedelta

from django.core.cache import cache

from workflow.models import SweepHeartbeat
from workflow.services import SWEEP_CACHE_KEY, clocks_sweep

from .conftest import at


def test_red_before_any_sweep(client, db):
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "late" and response.json()["last_sweep_at"] is None


def test_green_after_a_sweep_and_red_when_it_is_old(client, db, time_machine, settings):
    settings.CLOCKS_SWEEP_SECONDS = 60
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    clocks_sweep()
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok", "last_sweep_at": "2026-03-02T02:00:00+00:00", "age_seconds": 0,
        "interval_seconds": 60, "demo_clock_scale": 1.0,
    }
    time_machine.move_to(at(2026, 3, 2, 9, 3), tick=False)  # three intervals: still acceptable
    assert client.get("/health/").status_code == 200
    time_machine.move_to(at(2026, 3, 2, 9, 3) + timedelta(seconds=1), tick=False)
    response = client.get("/health/")
    assert response.status_code == 503
    assert (response.json()["status"], response.json()["age_seconds"]) == ("late", 181)


def test_the_database_row_answers_when_the_cache_was_emptied(client, db, time_machine):
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    clocks_sweep()
    cache.delete(SWEEP_CACHE_KEY)
    assert SweepHeartbeat.objects.get().last_success_at == at(2026, 3, 2, 9)
    assert client.get("/health/").json()["status"] == "ok"


def test_the_beat_task_runs_the_sweep(db, time_machine, client):
    from workflow.tasks import clocks_sweep_task

    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    assert clocks_sweep_task.apply().get() == 0
    assert client.get("/health/").status_code == 200


def test_deadlines_work_while_the_shared_cache_is_down(world, new_case, client, settings, time_machine):
    """Redis (cache and broker) stopped: cases still get their clocks, the sweep fires, health answers."""
    from cases.models import Case, CaseEvent
    from cases.services import case_verify

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens there
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case = new_case()
    case_verify(case=case, by=world.clerk)
    assert Case.objects.get(pk=case.pk).deadline == at(2026, 3, 3, 9)
    time_machine.move_to(at(2026, 3, 3, 9), tick=False)
    assert clocks_sweep().escalations == 1
    assert CaseEvent.objects.filter(case=case, action="escalate").exists()
    assert client.get("/health/").json()["status"] == "ok"
