"""End to end with a real Celery worker, beat and Redis (CI): transitions reach the bell and the
mailbox, and a broker that is down at the moment of the change only delays the messages.

The worker and beat run as subprocesses on the test database; email goes to
files so the test can read what was really sent. Every wait is bounded and
every process is stopped at the end.
"""

import contextlib
import subprocess
import sys

import pytest
from django.conf import settings

from cases.services import case_assign, case_verify
from notifications.channels import MESSAGE_ID_HEADER
from notifications.models import Notification, OutboxMessage
from tests.workers import (
    ROOT,
    beat_argv,
    free_port,
    need_redis_server,
    redis_answers,
    redis_argv,
    running,
    sent_emails,
    stop,
    wait_until,
    worker_argv,
    worker_env,
)

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def all_sent(case) -> bool:
    deliveries = OutboxMessage.objects.filter(notification__case=case)
    return deliveries.exists() and not deliveries.exclude(status="sent").exists()


def test_a_transition_reaches_the_bell_and_the_mailbox_through_a_real_worker(people, new_case, tmp_path):
    from config.celery import app

    app.control.purge()  # tasks left by earlier runs on this broker would only slow the worker down
    env = worker_env(redis_url=settings.REDIS_URL, tmp=tmp_path, NOTIFICATIONS_REQUEUE_SECONDS="1")
    log = tmp_path / "worker.log"
    with running(worker_argv("notify-test"), env=env, log=log):
        case = new_case()
        case_verify(case=case, by=people.clerk)
        case_assign(case=case, by=people.leader, unit=people.hamlet_a, assignee=people.hamlet_handler)
        wait_until(lambda: all_sent(case), what="every delivery to be sent", logs=[log])

    shown = Notification.objects.filter(case=case, delivered_at__isnull=False)
    assert set(shown.values_list("kind", "recipient__username")) == {
        ("intake", "leader"), ("assign", "hamlet_handler"), ("assign", "hamlet_leader"),
    }
    emails = sent_emails(tmp_path / "mail")
    expected_ids = {str(uid) for uid in OutboxMessage.objects.filter(notification__case=case, channel="email").values_list("uid", flat=True)}
    assert sorted(m[MESSAGE_ID_HEADER] for m in emails) == sorted(expected_ids)  # each exactly once
    assert {m["To"] for m in emails} == {"leader@example.vn", "hamlet_handler@example.vn", "hamlet_leader@example.vn"}


WEB_SIDE = """
from django.contrib.auth import get_user_model
from cases.models import Channel, Topic, Unit
from cases.services import ReporterInput, case_assign, case_intake, case_verify
User = get_user_model()
people = {u.username: u for u in User.objects.all()}
case = case_intake(
    by=people["clerk"], title="Cống thoát nước bị tắc", description="Nội dung.",
    channel=Channel.objects.get(code="hotline"), topic=Topic.objects.get(code="MT"),
    locality=Unit.objects.get(code="P-A-T1"), reporter=ReporterInput(full_name="Trần Thị B"),
)
case_verify(case=case, by=people["clerk"])
case_assign(case=case, by=people["leader"], unit=Unit.objects.get(code="P-A-T1"), assignee=people["hamlet_handler"])
print("CASE", case.code)
"""


def test_messages_of_a_change_made_while_the_broker_is_down_arrive_once_it_is_back(people, tmp_path):
    """A private Redis on its own port plays the broker (the machine's Redis is never touched)."""
    need_redis_server()
    port = free_port()
    env = worker_env(redis_url=f"redis://127.0.0.1:{port}/0", tmp=tmp_path, NOTIFICATIONS_REQUEUE_SECONDS="1")
    logs = {name: tmp_path / f"{name}.log" for name in ("redis", "worker", "beat", "web")}

    with contextlib.ExitStack() as stack:
        broker = stack.enter_context(running(redis_argv(port, tmp_path), env=env, log=logs["redis"]))
        wait_until(lambda: redis_answers(port), what="the private Redis", logs=[logs["redis"]])
        stack.enter_context(running(worker_argv("notify-test"), env=env, log=logs["worker"]))
        stack.enter_context(running(beat_argv(tmp_path), env=env, log=logs["beat"]))
        wait_until(lambda: "ready" in logs["worker"].read_text(errors="replace"), what="the worker", logs=[logs["worker"]])

        # The broker stops; the web side makes the change.
        stop(broker)
        assert not redis_answers(port)
        with open(logs["web"], "wb") as out:
            web = subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", WEB_SIDE], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                stderr=out, timeout=120,
            )
        assert web.returncode == 0, logs["web"].read_text(errors="replace")
        code = web.stdout.decode().split("CASE ")[-1].strip()
        from cases.models import Case

        case = Case.objects.get(code=code)
        assert case.status == "assigned"  # the change committed although nothing could be queued
        deliveries = OutboxMessage.objects.filter(notification__case=case)
        assert deliveries.count() == 6  # intake → leader; assign → hamlet handler and leader; in-app + email each
        # The bell needs no broker (its deliveries were written with the changes); the emails wait.
        assert set(deliveries.filter(channel="inapp").values_list("status", "attempts")) == {("sent", 1)}
        assert set(deliveries.filter(channel="email").values_list("status", "attempts")) == {("pending", 0)}
        assert Notification.objects.filter(case=case, delivered_at__isnull=False).count() == 3

        # The broker comes back (empty: whatever it held is gone); beat's sweep and the worker catch up.
        stack.enter_context(running(redis_argv(port, tmp_path), env=env, log=logs["redis"]))
        wait_until(lambda: all_sent(case), what="the delayed deliveries", logs=list(logs.values()))

    assert set(deliveries.values_list("status", "attempts")) == {("sent", 1)}  # one send each, no duplicates
    assert Notification.objects.filter(case=case, delivered_at__isnull=False).count() == 3
    emails = sent_emails(tmp_path / "mail")
    assert sorted(m[MESSAGE_ID_HEADER] for m in emails) == sorted(
        str(uid) for uid in deliveries.filter(channel="email").values_list("uid", flat=True)
    )
    bodies = [m.get_payload(decode=True).decode() for m in emails]
    assert all(code in body and "Trần Thị B" not in body for body in bodies)
