"""Two beats may run (celery-redbeat, config/observability.py): over five minutes of moved time every scheduled
task is sent once per interval, including after the beat holding the lock stops and the other takes over.

Each beat is a real scheduler (config/beat.py, celery-redbeat's) in its own thread, started as `celery beat` starts one (the `beat_init`
lock, then ticks); the clock is moved in one-second steps and every beat that got past its lock ticks at each
step, far more often than a real beat wakes up. What they send is recorded instead of reaching a broker.
"""

import threading
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
import time_machine
from celery import Celery
from django.conf import settings
from celery.signals import beat_init
from redbeat.schedulers import acquire_distributed_beat_lock, get_redis

from config.beat import ResilientRedBeatScheduler

from config.celery import redbeat_settings_by_bare_name

pytestmark = pytest.mark.redis

LOCAL = ZoneInfo(settings.TIME_ZONE)
START = datetime(2026, 3, 9, 7, 27, 30, tzinfo=LOCAL)  # a Monday; the 07:30 digest falls inside the five minutes
MINUTES = 5
HANDOVER_AT = 130  # seconds: the first beat stops (SIGTERM: it releases its lock), the second takes over
WAIT = 30  # real seconds at most for the second beat to get the lock (it tries every CELERY_BEAT_MAX_LOOP_INTERVAL)


@pytest.fixture
def beat_app():
    """The project's Celery settings, on keys of this test's own."""
    app = Celery("dlxh-two-beats", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    redbeat_settings_by_bare_name(app)
    prefix = f"dlxh:beat-test:{uuid.uuid4().hex}"
    app.conf.redbeat_key_prefix = prefix
    assert app.conf.beat_scheduler == "config.beat.ResilientRedBeatScheduler"
    yield app
    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


class BeatService:
    """What `beat_init` is sent with (celery.beat.Service): redbeat's start-up takes the lock through it."""

    def __init__(self, scheduler):
        self.scheduler = scheduler


class Beat(threading.Thread):
    """One `celery beat` process: takes the lock (blocking, as beat_init does), then ticks when told to."""

    def __init__(self, name, app, sent):
        super().__init__(name=name, daemon=True)
        self.scheduler = ResilientRedBeatScheduler(app=app)
        self.scheduler.__dict__["_maybe_due_kwargs"] = {}  # no producer: nothing reaches a broker
        self.sent = sent
        self.go, self.done, self.stopping = threading.Event(), threading.Event(), False

    @property
    def holding(self):
        return self.scheduler.lock is not None

    def run(self):
        acquire_distributed_beat_lock(sender=SimpleNamespace(scheduler=self.scheduler))
        while True:
            self.go.wait()
            self.go.clear()
            if self.stopping:
                self.scheduler.close()  # releases the lock, as a stopped beat does
                self.done.set()
                return
            self.scheduler.tick()
            self.done.set()

    def step(self):
        self.done.clear()
        self.go.set()
        assert self.done.wait(WAIT), f"{self.name} did not tick"

    def stop(self):
        self.stopping = True
        self.step()


def test_two_beats_send_each_scheduled_task_once_per_interval(beat_app):
    sent = []

    with time_machine.travel(START, tick=False) as clock:
        def record(name, *args, **kwargs):
            sent.append((name, datetime.now(LOCAL)))
        beat_app.send_task = record
        first, second = Beat("beat-1", beat_app, sent), Beat("beat-2", beat_app, sent)
        first.start()
        for _ in range(WAIT * 10):
            if first.holding:
                break
            threading.Event().wait(0.1)
        assert first.holding
        second.start()
        beats = [first, second]
        for second_of_run in range(MINUTES * 60 + 1):
            if second_of_run == HANDOVER_AT:
                first.stop()
                beats.remove(first)
                for _ in range(WAIT * 10):  # bounded wait, real time: the second beat's next try for the lock
                    if second.holding:
                        break
                    threading.Event().wait(0.1)
                assert second.holding, "the second beat never took over"
            for beat in beats:
                if beat.holding:
                    beat.step()
            clock.shift(timedelta(seconds=1))
        second.stop()

    by_task = defaultdict(list)
    for name, moment in sent:
        by_task[name].append(moment)
    schedule = settings.CELERY_BEAT_SCHEDULE
    for entry in schedule.values():
        if isinstance(entry["schedule"], int):  # every N seconds from the beats' start: once per interval, on time
            interval = entry["schedule"]
            expected = [START + timedelta(seconds=interval * k) for k in range(1, MINUTES * 60 // interval + 1)]
            assert by_task[entry["task"]] == expected, entry["task"]
    # Crontab entries: the 07:30 digest once, at 07:30 (the second beat's); the others are not due in these minutes.
    assert by_task["notifications.tasks.digest_send"] == [START.replace(minute=30, second=0)]
    others = {entry["task"] for entry in schedule.values() if not isinstance(entry["schedule"], int)}
    assert not (others - {"notifications.tasks.digest_send"}) & set(by_task)


def test_a_beat_outlives_redis_going_away_and_coming_back_empty(beat_app, settings):
    """A beat started while Redis is away waits for it; a tick without Redis is skipped, not fatal; Redis back
    without its data (lock and schedule gone): the beat takes the lock again, installs the schedule again and goes
    on sending."""
    sent = []
    beat_app.send_task = lambda name, *args, **kwargs: sent.append((name, datetime.now(LOCAL)))
    reachable = get_redis(beat_app)
    with time_machine.travel(START, tick=False) as clock:
        beat_app.redbeat_redis = redis.Redis(host="127.0.0.1", port=1, retry=Retry(NoBackoff(), 0))  # nobody there
        beat = ResilientRedBeatScheduler(app=beat_app)
        beat.__dict__["_maybe_due_kwargs"] = {}
        beat_init.send(sender=BeatService(beat))  # as `celery beat` starts: the lock, not to be had
        assert beat.lock is None
        assert beat.tick() == beat.max_interval  # skipped, no exception

        beat_app.redbeat_redis = reachable
        beat.tick()  # Redis is back: the lock and the schedule
        assert beat.lock is not None
        clock.shift(timedelta(seconds=61))
        beat.tick()
        assert {name for name, _ in sent} >= {"workflow.tasks.clocks_sweep", "notifications.tasks.outbox_requeue"}

        sent.clear()
        client = redis.Redis.from_url(settings.REDIS_URL)
        client.delete(*client.scan_iter(f"{beat_app.conf.redbeat_key_prefix}*"))  # Redis restarted, empty
        beat.tick()  # the lock is gone: stands by
        assert beat.lock is None
        beat.tick()  # takes it again and installs the schedule
        assert beat.lock is not None
        clock.shift(timedelta(seconds=61))
        beat.tick()
        beat.close()
    assert {name for name, _ in sent} >= {"workflow.tasks.clocks_sweep", "notifications.tasks.outbox_requeue"}
