"""/metrics (config/metrics.py): refused outside METRICS_ALLOWED_NETWORKS; the figures an operator alerts on."""

import ipaddress
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from cases.services import case_verify
from notifications.models import OutboxMessage, OutboxStatus
from workflow.services.sweep import SWEEP_CACHE_KEY


def _value(text: str, name: str, **labels) -> float | None:
    """The sample of `name` with exactly these labels (Prometheus' text format sorts them), or None."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    pattern = rf"^{re.escape(name)}{re.escape('{' + wanted + '}') if wanted else ''} (\S+)$"
    match = re.search(pattern, text, re.MULTILINE)
    return float(match[1]) if match else None


@pytest.mark.django_db
def test_metrics_are_refused_outside_the_allowed_networks(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200  # loopback by default
    assert client.get("/metrics", REMOTE_ADDR="10.20.0.7").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.20.0.0/24")]
    assert client.get("/metrics", REMOTE_ADDR="10.20.0.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    # Behind a proxy the forwarded address counts only as far as DLXH_PROXY_COUNT trusts it.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.20.0.7").status_code == 404
    settings.DLXH_PROXY_COUNT = 1
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.20.0.7").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_metrics_count_moves_requests_and_read_the_outbox_and_the_clocks(client, world, new_case, time_machine):
    cache.delete(SWEEP_CACHE_KEY)  # another test's sweep, kept in the shared cache
    before = client.get("/metrics").content.decode()
    moves_before = _value(before, "dlxh_case_moves_total", action="verify") or 0
    case = new_case()
    case_verify(case=case, by=world.clerk)
    time_machine.move_to(timezone.now() + timezone.timedelta(days=30))  # every clock now overdue
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(created_at=timezone.now())

    text = client.get("/metrics").content.decode()
    assert _value(text, "dlxh_case_moves_total", action="verify") == moves_before + 1
    assert _value(text, "dlxh_http_requests_total", view="metrics", method="GET", status="2xx") >= 1
    assert _value(text, "dlxh_http_request_duration_seconds_count", view="metrics", method="GET") >= 1
    backlog = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
    assert _value(text, "dlxh_outbox_backlog") == backlog
    assert _value(text, "dlxh_clocks_overdue") >= 1
    assert _value(text, "dlxh_sweep_lag_seconds") == -1  # never swept in this test
    assert "dlxh_replica_lag_seconds" not in text  # no replica configured


@pytest.mark.redis
@pytest.mark.django_db
def test_metrics_read_the_celery_queue_length_from_redis(client, settings):
    import redis

    queue = "dlxh-metrics-test-queue"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete(queue)
    broker.rpush(queue, "a", "b", "c")
    try:
        text = client.get("/metrics").content.decode()
    finally:
        broker.delete(queue)
    assert _value(text, "dlxh_celery_queue_length", queue=queue) == 3


@pytest.mark.django_db
def test_with_a_multiprocess_directory_metrics_sum_every_process(client, monkeypatch, tmp_path):
    """gunicorn's workers each count their own; with PROMETHEUS_MULTIPROC_DIR /metrics answers with the sum."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count_one_move = "from config.counters import case_move_counted; case_move_counted('reopen')"
    for _ in range(2):  # two worker processes, one move each
        subprocess.run([sys.executable, "-c", count_one_move], env=env, check=True, timeout=60,
                       cwd=settings.BASE_DIR)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    text = client.get("/metrics").content.decode()
    assert _value(text, "dlxh_case_moves_total", action="reopen") == 2
    assert _value(text, "dlxh_outbox_backlog") == 0  # the database's figures are still read, once
