"""End to end with a real Celery worker, beat and Redis (CI): transitions reach the bell and the
mailbox, and a broker that is down at the moment of the change only delays the messages.

The worker and beat run as subprocesses on the test database; email goes to
files so the test can read what was really sent. Every wait is bounded and
every process is stopped at the end.
"""

import contextlib
import email
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from cases.services import case_assign, case_verify
from notifications.channels import MESSAGE_ID_HEADER
from notifications.models import Notification, OutboxMessage

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
WAIT_SECONDS = 90


def test_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def process_env(*, redis_url: str, tmp: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "CELERY_TASK_ALWAYS_EAGER"}
    env.update(
        DATABASE_URL=test_database_url(),
        REDIS_URL=redis_url,
        EMAIL_URL=f"filemail:///{tmp / 'mail'}",  # django-environ drops one leading slash: filemail:////abs/path
        VAR_DIR=str(tmp / "var"),
        NOTIFICATIONS_REQUEUE_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


@contextlib.contextmanager
def running(argv, *, env, log: Path):
    """Run a subprocess for the duration of the block; always stop it."""
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


def celery(*args):
    return [str(BIN / "celery"), "-A", "config", *args]


def worker_argv():
    return celery(
        "worker", "-P", "solo", "-l", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-n", f"notify-test-{uuid.uuid4().hex[:8]}@%h",
    )


def wait_until(condition, *, what: str, logs=()):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    tails = "\n".join(f"--- {log}\n{log.read_text(errors='replace')[-4000:]}" for log in logs if log.exists())
    pytest.fail(f"gave up waiting ({WAIT_SECONDS} s) for {what}\n{tails}")


def sent_emails(mail_dir: Path) -> list[email.message.Message]:
    """Every email the worker wrote (the file backend separates messages with a dashed line)."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []:
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.strip() + b"\n"))
    return messages


def all_sent(case) -> bool:
    deliveries = OutboxMessage.objects.filter(notification__case=case)
    return deliveries.exists() and not deliveries.exclude(status="sent").exists()


def test_a_transition_reaches_the_bell_and_the_mailbox_through_a_real_worker(people, new_case, tmp_path):
    from config.celery import app

    app.control.purge()  # tasks left by earlier runs on this broker would only slow the worker down
    env = process_env(redis_url=settings.REDIS_URL, tmp=tmp_path)
    log = tmp_path / "worker.log"
    with running(worker_argv(), env=env, log=log):
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_argv(port: int, directory: Path):
    return [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(directory)]


def redis_answers(port: int) -> bool:
    import redis

    try:
        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping()
    except redis.RedisError:
        return False


def test_messages_of_a_change_made_while_the_broker_is_down_arrive_once_it_is_back(people, tmp_path):
    """A private Redis on its own port plays the broker (the machine's Redis is never touched)."""
    if not shutil.which("redis-server"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs redis-server to stop and start a private broker")
        pytest.skip("needs redis-server to run a private broker")
    port = free_port()
    env = process_env(redis_url=f"redis://127.0.0.1:{port}/0", tmp=tmp_path)
    logs = {name: tmp_path / f"{name}.log" for name in ("redis", "worker", "beat", "web")}
    beat_argv = celery("beat", "-l", "INFO", "-s", str(tmp_path / "beat-schedule"))

    with contextlib.ExitStack() as stack:
        broker = stack.enter_context(running(redis_argv(port, tmp_path), env=env, log=logs["redis"]))
        wait_until(lambda: redis_answers(port), what="the private Redis", logs=[logs["redis"]])
        stack.enter_context(running(worker_argv(), env=env, log=logs["worker"]))
        stack.enter_context(running(beat_argv, env=env, log=logs["beat"]))
        wait_until(lambda: "ready" in logs["worker"].read_text(errors="replace"), what="the worker", logs=[logs["worker"]])

        # The broker stops; the web side makes the change.
        broker.terminate()
        broker.wait(timeout=20)
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
        assert set(deliveries.values_list("status", "attempts")) == {("pending", 0)}
        assert not Notification.objects.filter(case=case, delivered_at__isnull=False).exists()

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
