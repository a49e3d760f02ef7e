"""With a real Celery beat, worker and Redis (CI): the sweep runs on its schedule, a demo-scaled
case left alone is escalated, and /health/ turns red once beat is stopped.

Worker and beat run as subprocesses on the test database. Every wait is
bounded (a poll, not a timing assertion) and every process is stopped.
"""

import pytest

from cases.models import Case, CaseEvent
from tests.workers import beat_argv, running, wait_until, worker_argv, worker_env

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SCALE = 86400  # a working day lasts one second


def test_beat_sweeps_escalates_and_health_turns_red_when_beat_stops(world, new_case, client, settings, tmp_path):
    from config.celery import app

    app.control.purge()
    settings.CLOCKS_SWEEP_SECONDS = 1
    settings.DLXH_DEMO_CLOCK_SCALE = SCALE
    env = worker_env(redis_url=settings.REDIS_URL, tmp=tmp_path, CLOCKS_SWEEP_SECONDS="1",
                     DLXH_DEMO_CLOCK_SCALE=str(SCALE))
    logs = {name: tmp_path / f"{name}.log" for name in ("worker", "beat")}
    worker = worker_argv("clocks-test")
    beat = beat_argv(tmp_path)

    assert client.get("/health/").status_code == 503  # nothing has swept yet
    with running(worker, env=env, log=logs["worker"]):
        with running(beat, env=env, log=logs["beat"]):
            wait_until(lambda: client.get("/health/").status_code == 200, what="a first sweep", logs=logs.values())
            # Logged now, verify due one (scaled) working day later: the beat-driven sweep escalates it to P.
            case = new_case()
            wait_until(lambda: CaseEvent.objects.filter(case=case, action="escalate").exists(),
                       what="the escalation", logs=logs.values())
        # Beat stopped: no more sweeps, and after three intervals the check is red.
        wait_until(lambda: client.get("/health/").status_code == 503, what="a red health check",
                   logs=logs.values())
    body = client.get("/health/").json()
    assert body["status"] == "late" and body["age_seconds"] > 3
    escalation = CaseEvent.objects.get(case=case, action="escalate")
    assert (escalation.data["clock"], escalation.data["to_units"]) == ("verify", ["P"])
    assert Case.objects.get(pk=case.pk).escalation_level == 1
