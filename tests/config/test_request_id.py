"""A request id in every log line (config/request_id.py): taken from X-Request-ID or made, sent back, and carried
into the Celery tasks the request queues, so the worker's lines show the same id.

The message goes through the real publish (an in-memory broker) and the worker's own task-run path
(celery.worker.request.Request), signals included.
"""

import io
import json
import logging
import re

import pytest
from celery import Celery
from celery.worker.request import Request
from django.http import HttpResponse
from django.urls import path
from pythonjsonlogger.json import JsonFormatter

from config.observability import logging_config
from config.request_id import RequestIdLogFilter

app = Celery("dlxh-request-id-test", broker="memory://", set_as_current=False)
app.conf.task_default_queue = "request-id-test"
TASK_LOG = logging.getLogger("tests.request_id.task")
WEB_LOG = logging.getLogger("tests.request_id.web")


@app.task(name="tests.request_id.log_line")
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


def run_queued_like_a_worker() -> int:
    """Take the queued messages off the broker and run each the way a worker does (celery.worker.request.Request:
    the message's headers lifted onto the task's request, task_prerun and task_postrun sent), in this thread.

    An in-thread worker (celery.contrib.testing) started in the middle of the whole suite without the task
    registered: the same path, without the thread and its start-up, says the same thing every time.
    """
    ran = 0
    with app.connection() as connection:
        queue = connection.SimpleQueue(app.conf.task_default_queue)
        try:
            while True:
                try:
                    message = queue.get(block=False)
                except queue.Empty:
                    return ran
                assert message.headers["task"] == log_line.name
                Request(message, app=app, task=log_line).execute()
                message.ack()
                ran += 1
        finally:
            queue.close()


@pytest.mark.urls(__name__)
def test_a_task_queued_by_a_request_logs_with_the_requests_id(client, json_lines):
    with app.connection() as connection:  # the broker is the process's: nothing left by another test
        connection.SimpleQueue(app.conf.task_default_queue).clear()
    response = client.get("/queue/", HTTP_X_REQUEST_ID="req-4f2a9c")
    assert response["X-Request-ID"] == "req-4f2a9c"
    assert run_queued_like_a_worker() == 1

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
