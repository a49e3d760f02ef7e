"""With a real Celery beat, worker and Redis (CI): the sweep runs on its schedule, a demo-scaled
case left alone is escalated, and /health/ turns red once beat is stopped.

Worker and beat run as subprocesses on the test database. Every wait is
bounded (a poll, not a timing assertion) and every process is stopped.
"""

import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from cases.models import Case, CaseEvent

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
CELERY = str(Path(sys.executable).parent / "celery")
WAIT_SECONDS = 90
SCALE = 86400  # a working day lasts one second


def database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextlib.contextmanager
def running(argv, *, env, log: Path):
    with open(log, "ab") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_until(condition, *, what: str, logs=()):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    tails = "\n".join(f"--- {log}\n{log.read_text(errors='replace')[-4000:]}" for log in logs if log.exists())
    pytest.fail(f"gave up waiting ({WAIT_SECONDS} s) for {what}\n{tails}")


def test_beat_sweeps_escalates_and_health_turns_red_when_beat_stops(world, new_case, client, settings, tmp_path):
    from config.celery import app

    app.control.purge()
    settings.CLOCKS_SWEEP_SECONDS = 1
    settings.DLXH_DEMO_CLOCK_SCALE = SCALE
    env = {key: value for key, value in os.environ.items() if key != "CELERY_TASK_ALWAYS_EAGER"}
    env.update(DATABASE_URL=database_url(), REDIS_URL=settings.REDIS_URL, VAR_DIR=str(tmp_path / "var"),
               CLOCKS_SWEEP_SECONDS="1", DLXH_DEMO_CLOCK_SCALE=str(SCALE), PYTHONUNBUFFERED="1")
    logs = {name: tmp_path / f"{name}.log" for name in ("worker", "beat")}
    worker = [CELERY, "-A", "config", "worker", "-P", "solo", "-l", "INFO", "--without-gossip",
              "--without-mingle", "--without-heartbeat", "-n", f"clocks-test-{uuid.uuid4().hex[:8]}@%h"]
    beat = [CELERY, "-A", "config", "beat", "-l", "INFO", "-s", str(tmp_path / "beat-schedule")]

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
