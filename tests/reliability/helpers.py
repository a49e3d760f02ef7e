"""Helpers for the PostgreSQL fault tests: pause a move inside its transaction, watch for lock waits."""

import contextlib
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from django.db import connection


def in_own_connection(func):
    def run():
        try:
            return func()
        finally:
            connection.close()

    return run


def wait_until_a_backend_waits_for_a_lock():
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    pytest.fail("the second move never waited for the row lock")


@dataclass
class Paused:
    release: "callable"
    backend_pid: int | None = None  # the paused move's PostgreSQL backend


@contextlib.contextmanager
def holding_the_row_lock_during(move):
    """Run `move()` in a thread and stop it inside its transaction, right after its case event is
    written (row lock held, nothing committed), until `paused.release()`; yields `paused`."""
    from cases.signals import case_event_recorded

    inside, go_on = threading.Event(), threading.Event()
    mover = {}
    paused = Paused(release=go_on.set)

    def pause(sender, case, event, **kwargs):
        if threading.current_thread() is mover.get("thread") and not inside.is_set():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                paused.backend_pid = cursor.fetchone()[0]
            inside.set()
            go_on.wait(timeout=60)

    def run():
        mover["thread"] = threading.current_thread()
        try:
            return move()
        finally:
            connection.close()

    case_event_recorded.connect(pause, dispatch_uid="reliability-pause")
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        done = pool.submit(run)
        assert inside.wait(timeout=60), "the move never reached its event"
        paused.result = done
        yield paused
    finally:
        go_on.set()
        pool.shutdown()
        case_event_recorded.disconnect(dispatch_uid="reliability-pause")


def report(name: str, **facts):
    """One line for the log; a JSON file too when DLXH_DRILL_REPORT names one (the drill scripts)."""
    print(f"DRILL {name}: " + ", ".join(f"{k}={v}" for k, v in facts.items()))
    if path := os.environ.get("DLXH_DRILL_REPORT"):
        with open(path, "a") as out:
            out.write(json.dumps({"drill": name, **facts}) + "\n")
