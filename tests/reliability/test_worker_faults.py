"""A Celery worker killed (SIGKILL) in the middle of delivering notifications.

Tasks are acknowledged late and deliveries are idempotent (a claim with a lease on each outbox row),
so after the kill every message still arrives: once in the bell, and on the webhook at least once,
any repeat carrying the same message id and the same bytes, so the receiver can drop it.

The kill is exact: the webhook receiver itself asks for it while it holds a request, so the worker
dies after the receiver got the message and before the worker could record it as sent.
Longer run: tests/drills/worker_kill.sh (more cases, several kills).
"""

import os
import signal
import threading
from collections import Counter
from pathlib import Path

import pytest

from cases.services import case_assign, case_verify
from notifications.models import Notification, OutboxMessage, WebhookEndpoint
from tests.workers import (
    beat_argv,
    free_port,
    need_redis_server,
    redis_answers,
    redis_argv,
    running,
    sent_emails,
    stop,
    wait_until,
    webhook_receiver,
    worker_argv,
)

from .helpers import report
from .processes import process_env

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CASES = int(os.environ.get("DLXH_DRILL_CASES", "6"))
KILLS = int(os.environ.get("DLXH_DRILL_KILLS", "1"))


def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_only_what_can_be_dropped(
    people, new_case, monkeypatch, tmp_path
):
    need_redis_server()
    import notifications.services as outbox
    from config.celery import app
    from notifications.tasks import outbox_deliver

    monkeypatch.setattr(outbox, "outbox_enqueue", lambda message_ids: 0)  # published below, to the private broker
    port = free_port()
    env = process_env(redis_port=port, tmp=tmp_path, NOTIFICATIONS_REQUEUE_SECONDS="3")
    logs = {name: tmp_path / f"{name}.log" for name in ("redis", "worker", "beat")}

    with webhook_receiver() as receiver:
        WebhookEndpoint.objects.create(name="Cổng tỉnh", url=receiver.url, secret="khoa-bi-mat")
        for number in range(CASES):
            case = new_case(f"Vụ việc {number}")
            case_verify(case=case, by=people.clerk)
            case_assign(case=case, by=people.leader, unit=people.hamlet_a, assignee=people.hamlet_handler)
        deliveries = OutboxMessage.objects.filter(channel__in=("inapp", "email", "webhook"))
        webhook_total = deliveries.filter(channel="webhook").count()
        kill_at = {webhook_total * (k + 1) // (KILLS + 1) for k in range(KILLS)}
        kill_now, killed = threading.Event(), threading.Event()
        in_flight = []

        def on_request(number):
            if number in kill_at:
                in_flight.append(receiver.received[number - 1][0])
                kill_now.set()
                killed.wait(timeout=60)  # the worker dies while waiting for this answer

        receiver.on_request = on_request

        with running(redis_argv(port, tmp_path), env=env, log=logs["redis"]):
            wait_until(lambda: redis_answers(port), what="the private Redis", logs=[logs["redis"]])
            with app.connection_for_write(env["REDIS_URL"]) as broker:
                for message_id in deliveries.order_by("pk").values_list("pk", flat=True):
                    outbox_deliver.apply_async(args=[message_id], connection=broker)
            with running(beat_argv(tmp_path), env=env, log=logs["beat"]):
                kills = 0
                while True:
                    with running(worker_argv("drill"), env=env, log=logs["worker"]) as worker:
                        if kills == len(kill_at):
                            wait_until(lambda: not deliveries.exclude(status="sent").exists(),
                                       what="every delivery to be sent", logs=list(logs.values()))
                            break
                        wait_until(kill_now.is_set, what="the receiver to ask for a kill", logs=list(logs.values()))
                        os.kill(worker.pid, signal.SIGKILL)
                        worker.wait(timeout=30)
                        stop(worker)
                        kills += 1
                        kill_now.clear()
                        killed.set()
                        killed.clear()

    assert kills == len(kill_at) and len(in_flight) == len(kill_at)
    assert OutboxMessage.objects.filter(uid__in=in_flight).count() == len(in_flight)  # they were real deliveries
    # Nothing lost: every delivery sent; every notification in the bell once.
    assert set(deliveries.values_list("status", flat=True)) == {"sent"}
    notifications = Notification.objects.all()
    assert notifications.count() == notifications.filter(delivered_at__isnull=False).count() == CASES * 3
    assert notifications.values("event", "recipient").distinct().count() == notifications.count()
    # The webhook: every message at least once; any repeat has the same id and the very same bytes.
    expected = {str(uid) for uid in deliveries.filter(channel="webhook").values_list("uid", flat=True)}
    assert set(receiver.ids()) == expected
    bodies = {}
    for message_id, body in receiver.received:
        assert bodies.setdefault(message_id, body) == body
    repeats = {message_id: n for message_id, n in Counter(receiver.ids()).items() if n > 1}
    assert set(repeats) <= set(in_flight)  # only a message the dying worker was sending comes twice
    # Email: every message at least once, each with its id.
    emails = [m["X-DLXH-Message-Id"] for m in sent_emails(Path(tmp_path / "mail"))]
    assert set(emails) == {str(uid) for uid in deliveries.filter(channel="email").values_list("uid", flat=True)}
    report("worker-kill", cases=CASES, deliveries=deliveries.count(), webhooks=webhook_total, kills=kills,
           webhook_repeats=sum(n - 1 for n in repeats.values()),
           email_repeats=len(emails) - len(set(emails)), lost=0)
