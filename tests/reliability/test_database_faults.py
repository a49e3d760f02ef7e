"""PostgreSQL connection cut in the middle of a write: the request fails with a clear message and
nothing is half-written. The cut is real: another connection runs pg_terminate_backend on the
request's backend while it holds the case row lock, its event already inserted but not committed.
"""

import pytest
from django.db import connection
from django.test import Client

from cases.audit import audit_verify
from cases.models import Case, CaseCodeCounter, CaseEvent, CaseReport, Reporter
from notifications.models import Notification, OutboxMessage
from tests.api.conftest import person_token
from tests.web.conftest import visible_text

from .helpers import holding_the_row_lock_during

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def cut(backend_pid):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
        assert cursor.fetchone()[0] is True


def everything(case_id=None):
    """What a half-written change would show up in."""
    rows = {
        "cases": Case.objects.count(), "events": CaseEvent.objects.count(), "reports": CaseReport.objects.count(),
        "reporters": Reporter.objects.count(), "notifications": Notification.objects.count(),
        "outbox": OutboxMessage.objects.count(), "counter": list(CaseCodeCounter.objects.values_list("last_number")),
    }
    if case_id:
        case = Case.objects.get(pk=case_id)
        rows["case"] = (case.status, case.event_count, case.version, case.head_hash, case.owner_id)
    return rows


def api_client(user):
    return Client(HTTP_AUTHORIZATION=f"Token {person_token(user)}",
                  raise_request_exception=False)


def test_a_transition_whose_connection_is_cut_fails_clearly_and_leaves_nothing(world, new_case):
    case = new_case()
    before = everything(case.pk)
    client = api_client(world.clerk)
    url = f"/api/v1/cases/{case.code}/transitions/verify/"

    with holding_the_row_lock_during(lambda: client.post(url, {"note": "ok"}, content_type="application/json")) as paused:
        cut(paused.backend_pid)
        paused.release()
        answer = paused.result.result(timeout=60)

    assert answer.status_code in (500, 503)  # 503 once api/exceptions.py maps a lost connection (asked)
    assert answer["Content-Type"] == "application/json" and answer.json()["detail"].startswith("Hệ thống")
    assert everything(case.pk) == before
    assert audit_verify().ok

    retried = api_client(world.clerk).post(url, {"note": "ok"}, content_type="application/json")  # the next try works
    assert retried.status_code == 200 and Case.objects.get(pk=case.pk).status == "verified"


def test_an_intake_whose_connection_is_cut_leaves_no_case_no_reporter_and_no_code_used(world, new_case):
    new_case()  # the year's counter exists
    before = everything()
    client = api_client(world.clerk)
    body = {"title": "Đường ngập", "channel": "hotline", "topic": "MT", "locality": "P-A-T1",
            "reporter": {"name": "Lê Văn C", "phone": "0911111111"}}

    with holding_the_row_lock_during(lambda: client.post("/api/v1/cases/", body, content_type="application/json",
                                                         HTTP_IDEMPOTENCY_KEY="cut-1")) as paused:
        cut(paused.backend_pid)
        paused.release()
        answer = paused.result.result(timeout=60)

    assert answer.status_code in (500, 503) and "detail" in answer.json()
    assert everything() == before
    # The client retries with the same key: the key was rolled back with the work, so the case is made once.
    retried = api_client(world.clerk).post("/api/v1/cases/", body, content_type="application/json",
                                           HTTP_IDEMPOTENCY_KEY="cut-1")
    assert retried.status_code == 201 and Case.objects.count() == before["cases"] + 1
    assert audit_verify().ok


def test_a_screen_move_whose_connection_is_cut_shows_the_error_page(world, new_case):
    case = new_case()
    before = everything(case.pk)
    client = Client(raise_request_exception=False)
    client.force_login(world.clerk)
    url = f"/cases/{case.code}/move/reject/"

    with holding_the_row_lock_during(lambda: client.post(url, {"reject-reason": "Trùng", "reject-version": 0})) as paused:
        cut(paused.backend_pid)
        paused.release()
        answer = paused.result.result(timeout=60)

    assert answer.status_code == 500
    assert "thao tác của bạn có thể chưa được ghi nhận" in visible_text(answer)
    assert everything(case.pk) == before
    assert audit_verify().ok
