"""Redis (broker and cache) stopped while people keep working through the web server.

A private Redis on its own port serves as broker and cache for a real web server (gunicorn),
worker and beat. It is stopped for a while during intakes and moves made over HTTP, then started
again, empty. The web keeps answering, every change is kept, and every delivery goes out once the
broker is back (the outbox waits in PostgreSQL; beat's sweep queues it again).
Longer run: tests/drills/broker_outage.sh (a one-minute outage).
"""

import http.cookiejar
import json
import os
import re
import shutil
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest

from cases.audit import audit_verify
from cases.models import Case
from notifications.models import Notification, OutboxMessage
from tests.api.conftest import person_token

from tests.workers import (
    BIN,
    beat_argv,
    free_port,
    need_redis_server,
    redis_answers,
    redis_argv,
    running,
    stop,
    wait_until,
    worker_argv,
)

from .helpers import report
from .processes import process_env

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OUTAGE_SECONDS = float(os.environ.get("DLXH_DRILL_OUTAGE_SECONDS", "8"))


class Web:
    """HTTP to the web server: API calls with a token, screens with a session."""

    def __init__(self, base):
        self.base = base
        self.statuses = Counter()
        self.failures = []
        self.cookies = http.cookiejar.CookieJar()
        self.browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def call(self, method, path, *, token=None, body=None, opener=None, form=None, expect=(200, 201)):
        headers = {"Accept": "application/json"}
        data = None
        if token:
            headers["Authorization"] = f"Token {token}"
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.base + path}
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with (opener or urllib.request.build_opener()).open(request, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        self.statuses[status] += 1
        if status not in expect:
            self.failures.append((method, path, status, text[:300]))
        return status, text

    def log_in(self, username, password):
        _status, page = self.call("GET", "/login/", opener=self.browser)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        self.call("POST", "/login/", opener=self.browser, form={
            "csrfmiddlewaretoken": token, "username": username, "password": password})


def test_web_keeps_working_while_redis_is_down_and_deliveries_resume(people, tmp_path):
    need_redis_server()
    if not shutil.which("gunicorn", path=str(BIN)):
        pytest.skip("needs gunicorn (the dev extra)")
    for user in people.users.values():
        user.set_password("Mat-khau-thu-2026")
        user.save()
    tokens = {name: person_token(people.users[name]) for name in ("clerk", "leader", "hamlet_handler")}
    redis_port, web_port = free_port(), free_port()
    env = process_env(redis_port=redis_port, tmp=tmp_path, NOTIFICATIONS_REQUEUE_SECONDS="2")
    logs = {name: tmp_path / f"{name}.log" for name in ("redis", "worker", "beat", "web")}
    web = Web(f"http://127.0.0.1:{web_port}")
    made = []

    def one_round(number):
        """An intake and its first three moves, a list and two screens: what a commune does all day."""
        body = {"title": f"Phản ánh số {number}", "channel": "hotline", "topic": "MT", "locality": "P-A-T1",
                "reporter": {"name": "Ngô Văn E", "phone": "0909000000"}}
        status, text = web.call("POST", "/api/v1/cases/", token=tokens["clerk"], body=body)
        if status != 201:
            return
        code = json.loads(text)["code"]
        made.append(code)
        web.call("POST", f"/api/v1/cases/{code}/transitions/verify/", token=tokens["clerk"], body={})
        web.call("POST", f"/api/v1/cases/{code}/transitions/assign/", token=tokens["leader"],
                 body={"unit": "P-A-T1"})
        web.call("POST", f"/api/v1/cases/{code}/transitions/orient/", token=tokens["hamlet_handler"],
                 body={"response": "Đã trả lời tại họp thôn"})
        web.call("GET", "/api/v1/cases/?status=oriented", token=tokens["leader"])
        web.call("GET", "/cases/?tab=all", opener=web.browser)
        web.call("GET", f"/cases/{code}/", opener=web.browser)

    with running(redis_argv(redis_port, tmp_path), env=env, log=logs["redis"]) as broker:
        wait_until(lambda: redis_answers(redis_port), what="the private Redis", logs=[logs["redis"]])
        gunicorn = [str(BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{web_port}", "-w", "2", "--timeout", "60"]
        with running(gunicorn, env=env, log=logs["web"]), \
                running(worker_argv("drill"), env=env, log=logs["worker"]), \
                running(beat_argv(tmp_path), env=env, log=logs["beat"]):
            wait_until(lambda: _answers(web), what="the web server", logs=[logs["web"]])
            web.log_in("leader", "Mat-khau-thu-2026")
            for number in range(3):
                one_round(number)

            stop(broker)  # Redis goes away: broker and cache
            assert not redis_answers(redis_port)
            down_from, rounds_down = time.monotonic(), 0
            while time.monotonic() - down_from < OUTAGE_SECONDS or rounds_down < 3:
                one_round(100 + rounds_down)
                rounds_down += 1
            down_for = time.monotonic() - down_from
            cases_down = made[3:]
            stuck = OutboxMessage.objects.filter(event__case__code__in=cases_down, status="pending").count()

            with running(redis_argv(redis_port, tmp_path), env=env, log=logs["redis"]):  # back, and empty
                wait_until(lambda: redis_answers(redis_port), what="Redis to come back", logs=[logs["redis"]])
                for number in range(3):
                    one_round(200 + number)
                deliveries = OutboxMessage.objects.filter(channel__in=("inapp", "email"))
                wait_until(lambda: not deliveries.exclude(status="sent").exists(), what="the delayed deliveries",
                           logs=list(logs.values()))

    assert web.failures == [], web.failures[:5]
    assert rounds_down >= 3 and stuck > 0  # work was done during the outage, and its messages had to wait
    assert Case.objects.filter(code__in=made).count() == len(made) == 6 + rounds_down
    assert set(Case.objects.filter(code__in=made).values_list("status", flat=True)) == {"oriented"}
    assert audit_verify().ok
    assert set(deliveries.values_list("status", flat=True)) == {"sent"}
    shown = Notification.objects.filter(case__code__in=made)
    assert shown.count() == shown.filter(delivered_at__isnull=False).count() > 0
    report("broker-outage", outage_seconds=round(down_for, 1), requests=sum(web.statuses.values()),
           requests_during_outage=rounds_down * 7, errors=len(web.failures), cases=len(made),
           deliveries_waiting=stuck, deliveries_sent=deliveries.count(), lost=0)


def _answers(web) -> bool:
    try:
        with urllib.request.urlopen(web.base + "/login/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
