"""The environment of the fault drills' worker, beat and web processes (the processes themselves:
tests/workers.py): production settings, a private Redis on its own port, short leases."""

from pathlib import Path

from tests.workers import worker_env


def process_env(*, redis_port: int, tmp: Path, **extra) -> dict:
    return worker_env(redis_url=f"redis://127.0.0.1:{redis_port}/0", tmp=tmp, **{
        "DJANGO_SETTINGS_MODULE": "tests.reliability.fault_settings",
        "NOTIFICATIONS_REQUEUE_SECONDS": "1",
        "NOTIFICATIONS_LEASE_SECONDS": "4",
        "BROKER_VISIBILITY_TIMEOUT": "8",
        **extra,
    })
