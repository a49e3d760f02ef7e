"""A request id in every log line (config/request_id.py): taken from X-Request-ID or made, sent back, and carried
into the Celery tasks the request queues, so the worker's lines show the same id.

The worker here is Celery's own (celery.contrib.testing) in a thread, on an in-memory broker: the message goes
through the real publish, consume and task-run path, signals included.
"""

import io
import json
import logging
import re
import time

import celery.contrib.testing.worker as testing_worker
import pytest
from celery import Celery
from django.http import HttpResponse
from django.urls import path
from pythonjsonlogger.json import JsonFormatter

from config.observability import logging_config
from config.request_id import RequestIdLogFilter

app = Celery("dlxh-request-id-test", broker="memory://", set_as_current=False)
app.conf.task_default_queue = "request-id-test"
TASK_LOG = logging.getLogger("tests.request_id.task")
WEB_LOG = logging.getLogger("tests.request_id.web")


@app.task(name="tests.request_id.log_line", lazy=False)  # registered now, whatever finalizes the app when
def log_line(text):
    TASK_LOG.info(text)


def queue_a_task(request):
    WEB_LOG.info("queueing")
    log_line.delay("sent by the worker")
    return HttpResponse("queued")


urlpatterns = [path("queue/", queue_a_task)]


@pytest.fixture
def json_lines():
    """The console handler's JSON lines (LOG_FORMAT=json, as in production) for the two test loggers."""
    options = dict(logging_config(debug=False)["formatters"]["console"])
    options.pop("()")
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(RequestIdLogFilter())
    for logger in (TASK_LOG, WEB_LOG):
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in out.getvalue().splitlines()]
    for logger in (TASK_LOG, WEB_LOG):
        logger.removeHandler(handler)


@pytest.fixture
def worker(monkeypatch):
    # Only what the worker needs: the embedded helper would also make this app the process's default one and
    # set up logging, which the rest of the test session must not inherit.
    monkeypatch.setattr(testing_worker, "setup_app_for_worker", lambda app, loglevel, logfile: app.finalize())
    with testing_worker.start_worker(app, perform_ping_check=False, shutdown_timeout=20):
        yield


@pytest.mark.urls(__name__)
def test_a_task_queued_by_a_request_logs_with_the_requests_id(client, json_lines, worker):
    response = client.get("/queue/", HTTP_X_REQUEST_ID="req-4f2a9c")
    assert response["X-Request-ID"] == "req-4f2a9c"

    for _ in range(600):  # bounded wait for the worker thread (30 s: slow on a busy machine)
        if any(line["message"] == "sent by the worker" for line in json_lines()):
            break
        time.sleep(0.05)
    lines = {line["message"]: line for line in json_lines()}
    assert lines["queueing"]["request_id"] == "req-4f2a9c"
    assert lines["sent by the worker"]["request_id"] == "req-4f2a9c"
    assert lines["sent by the worker"]["name"] == "tests.request_id.task"


@pytest.mark.urls(__name__)
def test_without_a_sane_id_one_is_made(client, json_lines):
    made = client.get("/queue/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    not_sane = client.get("/queue/", HTTP_X_REQUEST_ID="a b<script>")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", not_sane) and not_sane != made
    assert [line["request_id"] for line in json_lines() if line["message"] == "queueing"] == [made, not_sane]


def test_outside_a_request_the_id_is_a_dash(json_lines):
    WEB_LOG.info("queueing")
    assert json_lines()[0]["request_id"] == "-"
