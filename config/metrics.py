"""Prometheus metrics at /metrics (prometheus_client), for the monitoring network only (docs/operations.md).

Counted where they happen, in every process: request latency and outcomes by view (the URL's name, never its
path: a path holds case codes), case moves by action. Read from the database and Redis when Prometheus
scrapes, once, whichever web process answers: the outbox's backlog and its oldest message's age, the
deadline sweep's lag, the clocks running overdue, the Celery queues' lengths and the replica's lag.

Under gunicorn's several worker processes, set PROMETHEUS_MULTIPROC_DIR to an empty directory writable by them
(emptied at each start): the counters of every process are then summed into one answer (prometheus_client's
multiprocess mode).
"""

import ipaddress
import os
import time

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from config.counters import REQUEST_LATENCY, REQUESTS
from config.db_routing import replica_lag_seconds
from notifications.models import OutboxMessage, OutboxStatus
from security.client_ip import client_ip
from workflow.models import CaseClock, ClockKind
from workflow.selectors import sweep_health


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or "-") if match is not None else "unresolved"
        REQUEST_LATENCY.labels(view=view, method=request.method).observe(time.perf_counter() - started)
        REQUESTS.labels(view=view, method=request.method, status=f"{response.status_code // 100}xx").inc()
        return response


class StateCollector:
    """Gauges read at scrape time: the shared state every node sees alike (so one process answers for all)."""

    def collect(self):
        now = timezone.now()
        pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
        yield _gauge("dlxh_outbox_backlog", "Outbox messages not delivered yet.", pending.count())
        yield _gauge("dlxh_outbox_oldest_age_seconds", "Age of the oldest undelivered outbox message (0: none).",
                     (now - oldest).total_seconds() if oldest else 0)
        sweep = sweep_health(now=now)
        yield _gauge("dlxh_sweep_lag_seconds", "Seconds since the deadline sweep last succeeded (-1: never).",
                     sweep.age_seconds if sweep.age_seconds is not None else -1)
        yield _gauge("dlxh_sweep_interval_seconds", "The deadline sweep's interval.", sweep.interval_seconds)
        overdue = CaseClock.objects.filter(kind=ClockKind.STEP, stopped_at__isnull=True, paused_at__isnull=True,
                                           due_at__lt=now).count()
        yield _gauge("dlxh_clocks_overdue", "Running step clocks past their deadline.", overdue)
        queues = GaugeMetricFamily("dlxh_celery_queue_length", "Messages waiting in a Celery queue (Redis).",
                                   labels=["queue"])
        for name, length in _queue_lengths().items():
            queues.add_metric([name], length)
        yield queues
        lag = replica_lag_seconds()
        if lag is not None:
            yield _gauge("dlxh_replica_lag_seconds", "Seconds the read replica is behind the primary.", lag)


def _gauge(name, documentation, value):
    return GaugeMetricFamily(name, documentation, value=value)


def _queue_lengths() -> dict:
    if not settings.REDIS_URL:
        return {}
    import redis

    names = {getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")}
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        return {name: client.llen(name) for name in sorted(names)}
    except redis.RedisError:
        return {}
    finally:
        client.close()


_STATE = CollectorRegistry(auto_describe=False)
_STATE.register(StateCollector())


def _counted() -> CollectorRegistry:
    """Every process's counters summed (multiprocess mode), or this process's own."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


def metrics_allowed(request) -> bool:
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in settings.METRICS_ALLOWED_NETWORKS)


def metrics_view(request):
    """The metrics in Prometheus' text format; 404 to anyone outside METRICS_ALLOWED_NETWORKS."""
    if not metrics_allowed(request):
        raise Http404
    return HttpResponse(generate_latest(_counted()) + generate_latest(_STATE), content_type=CONTENT_TYPE_LATEST)
