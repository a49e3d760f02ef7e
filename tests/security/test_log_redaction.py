"""Keys in query strings never reach a log line (issue 15, item 4): the request line a real server logs,
and our own log lines, say `api_key=[redacted]`."""

import logging
import threading
import urllib.error
import urllib.request

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

from security.redaction import redact

SECRET = "dlxh_0123456789abcdef0123456789abcdef"  # e.g. a person's token pasted where a key goes


@pytest.fixture
def server_log(caplog):
    """Records of runserver's request logger ("django.server", which does not propagate), after its handlers."""
    logger = logging.getLogger("django.server")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def test_the_request_line_a_server_logs_has_the_api_key_redacted(server_log):
    # runserver's own server and request handler, in a thread: the request line is logged as it is in `bin/run`.
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/api/v1/open311/v2/requests.json?api_key={SECRET}&status=open"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=10)
        assert refused.value.code == 403
    finally:
        server.shutdown()
        server.server_close()
    lines = [record.getMessage() for record in server_log.records if record.name == "django.server"]
    assert any("/api/v1/open311/v2/requests.json?api_key=[redacted]&status=open" in line for line in lines), lines
    assert SECRET not in server_log.text


def test_our_own_log_lines_are_redacted_too(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("api").warning("Refused %s", f"/api/v1/open311/v2/requests.json?jurisdiction_id=a&api_key={SECRET}")
    assert caplog.records[-1].getMessage() == "Refused /api/v1/open311/v2/requests.json?jurisdiction_id=a&api_key=[redacted]"
    assert SECRET not in caplog.text


def test_what_is_redacted():
    assert redact("/x?token=abc&key=def&page=2&monkey=3") == "/x?token=[redacted]&key=[redacted]&page=2&monkey=3"
    assert redact("GET /x?API_KEY=abc HTTP/1.1") == "GET /x?API_KEY=[redacted] HTTP/1.1"
    assert redact("/tra-cuu/?code=DL-2026-000001") == "/tra-cuu/?code=DL-2026-000001"  # a case code is no secret
