"""One id per request, in every log line it causes: the web's and the Celery tasks' it queues.

The id comes from the `X-Request-ID` header when the proxy (nginx: `$request_id`) sends a sane one, else it is
made here; the response carries it back. A task published while a request is served carries it in a message
header (`dlxh_request_id`), and the worker sets it again while the task runs, so `grep <id>` over web and
worker logs follows one request to its mails and webhooks.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun

HEADER = "X-Request-ID"
TASK_HEADER = "dlxh_request_id"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")  # an id from outside is logged: no spaces, no markup, short

_current: ContextVar = ContextVar("dlxh_request_id", default=None)


def current_request_id() -> str | None:
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if _SANE.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Every record gets `request_id`: the request's or the running task's, "-" outside both."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _current.get() or "-"
        return True


@before_task_publish.connect(dispatch_uid="dlxh-request-id-publish")
def _request_id_into_task(headers=None, **kwargs):
    request_id = _current.get()
    if request_id and headers is not None and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


_task_tokens: dict = {}


@task_prerun.connect(dispatch_uid="dlxh-request-id-prerun")
def _request_id_from_task(task_id=None, task=None, **kwargs):
    # A worker lifts custom message headers onto the request; an eager call leaves them in `headers`.
    request_id = getattr(task.request, TASK_HEADER, None) or (task.request.headers or {}).get(TASK_HEADER)
    if request_id:
        _task_tokens[task_id] = _current.set(str(request_id))


@task_postrun.connect(dispatch_uid="dlxh-request-id-postrun")
def _request_id_after_task(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            _current.reset(token)
        except ValueError:  # set in another context (a thread pool): forget it there
            _current.set(None)
