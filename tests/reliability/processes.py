"""Real processes for the fault drills: a private Redis on its own port (the machine's Redis is never
touched), Celery worker and beat, the web server; all on the test database, all stopped at the end."""

import contextlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
WAIT_SECONDS = int(os.environ.get("DLXH_DRILL_WAIT_SECONDS", "180"))


def need_redis_server():
    if not shutil.which("redis-server"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs redis-server to run a private broker")
        pytest.skip("needs redis-server to run a private broker")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(*, redis_port: int, tmp: Path, **extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "CELERY_TASK_ALWAYS_EAGER"}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.reliability.fault_settings",
        DATABASE_URL=database_url(),
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        EMAIL_URL=f"filemail:///{tmp / 'mail'}",
        VAR_DIR=str(tmp / "var"),
        MEDIA_ROOT=str(tmp / "media"),
        SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEY=settings.FIELD_ENCRYPTION_KEY,
        NOTIFICATIONS_REQUEUE_SECONDS="1",
        NOTIFICATIONS_LEASE_SECONDS="4",
        BROKER_VISIBILITY_TIMEOUT="8",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def running(argv, *, env, log: Path):
    """A subprocess for the duration of the block; always stopped (killed if it will not stop)."""
    with open(log, "ab") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        stop(process)


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def redis_argv(port: int, directory: Path):
    return [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(directory)]


def redis_answers(port: int) -> bool:
    import redis

    try:
        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping()
    except redis.RedisError:
        return False


def celery(*args):
    return [str(BIN / "celery"), "-A", "config", *args]


def worker_argv():
    return celery("worker", "-P", "solo", "-l", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
                  "-n", f"drill-{uuid.uuid4().hex[:8]}@%h")


def beat_argv(tmp: Path):
    return celery("beat", "-l", "INFO", "-s", str(tmp / f"beat-{uuid.uuid4().hex[:6]}"))


def wait_until(condition, *, what: str, logs=(), seconds=WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tails = "\n".join(f"--- {log}\n{log.read_text(errors='replace')[-3000:]}" for log in logs if Path(log).exists())
    pytest.fail(f"gave up waiting ({seconds} s) for {what}\n{tails}")


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: records (message id, body) of every POST."""

    url: str = ""
    received: list = field(default_factory=list)
    on_request: object = None  # called with the request number, before answering

    def ids(self):
        return [message_id for message_id, _body in self.received]


@contextlib.contextmanager
def webhook_receiver():
    receiver = Receiver()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                receiver.received.append((self.headers.get("X-DLXH-Message-Id"), body))
                number = len(receiver.received)
            if receiver.on_request:
                receiver.on_request(number)
            try:
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the sender died meanwhile

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
