"""Real processes for the end-to-end tests: Celery worker and beat, a private Redis on its own port
(the machine's Redis is never touched), and what they talk to (a webhook receiver, the mail files).

All of them run on the test database; every wait is bounded (a poll, not a timing assertion) and
every process is stopped at the end, killed if it will not stop.
"""

import contextlib
import email
import http.server
import json
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

from cases.db_roles import database_login

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
WAIT_SECONDS = int(os.environ.get("DLXH_DRILL_WAIT_SECONDS", "180"))


def database_url(name: str | None = None, *, owner: bool = False) -> str:
    """The test database (or another on the same server) as a DATABASE_URL for a subprocess; `owner`: logged in
    as the owner role, for what only it may do (create and restore databases; cases.db_roles)."""
    db = {**connection.settings_dict, **(database_login("owner") if owner else {})}
    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name or db['NAME']}"


def worker_env(*, redis_url: str, tmp: Path, **extra) -> dict:
    """The environment of a worker, beat or web process: this test's database, keys and media; mail to files."""
    env = {key: value for key, value in os.environ.items() if key != "CELERY_TASK_ALWAYS_EAGER"}
    env.update(
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        EMAIL_URL=f"filemail:///{tmp / 'mail'}",  # django-environ drops one leading slash: filemail:////abs/path
        VAR_DIR=str(tmp / "var"),
        MEDIA_ROOT=str(tmp / "media"),
        SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEY=settings.FIELD_ENCRYPTION_KEY,
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


def wait_until(condition, *, what: str, logs=(), seconds=WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    tails = "\n".join(f"--- {log}\n{Path(log).read_text(errors='replace')[-4000:]}" for log in logs if Path(log).exists())
    pytest.fail(f"gave up waiting ({seconds} s) for {what}\n{tails}")


def celery(*args):
    return [str(BIN / "celery"), "-A", "config", *args]


def worker_argv(name: str = "test"):
    return celery("worker", "-P", "solo", "-l", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
                  "-n", f"{name}-{uuid.uuid4().hex[:8]}@%h")


def beat_argv(tmp: Path):
    return celery("beat", "-l", "INFO", "-s", str(tmp / f"beat-{uuid.uuid4().hex[:6]}"))


# --- a private Redis --------------------------------------------------------------------------------


def need_redis_server():
    if not shutil.which("redis-server"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs redis-server to run a private broker")
        pytest.skip("needs redis-server to run a private broker")


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


# --- what the worker sends ----------------------------------------------------------------------


def sent_emails(mail_dir: Path) -> list[email.message.Message]:
    """Every email the worker wrote (the file backend separates messages with a dashed line)."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []:
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.strip() + b"\n"))
    return messages


@dataclass
class Receiver:
    """What the webhook receiver got: (headers, body) of every POST, in order."""

    url: str = ""
    status: int = 200  # the answer; set it to make the receiver fail
    requests: list = field(default_factory=list)
    on_request: object = None  # called with the request number, before answering

    @property
    def received(self):
        """(message id, body) of every POST."""
        return [(headers.get("X-DLXH-Message-Id"), body) for headers, body in self.requests]

    def ids(self):
        return [message_id for message_id, _body in self.received]

    def bodies(self):
        return [json.loads(body) for _headers, body in self.requests]


@contextlib.contextmanager
def webhook_receiver(*, host: str = "127.0.0.1", port: int = 0):
    """An HTTP server (on 127.0.0.1, or an address of a namespace the cluster drill made) that records each
    POST, for the duration of the block."""
    receiver = Receiver()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                receiver.requests.append((self.headers, body))  # case-insensitive lookup
                number = len(receiver.requests)
            if receiver.on_request:
                receiver.on_request(number)
            try:
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the sender died meanwhile

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((host, port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://{host}:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
