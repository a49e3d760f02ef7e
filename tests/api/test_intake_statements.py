"""What one intake through the API costs in SQL statements: an upper bound that fails when someone adds one.

docs/benchmarks.md (issue 18, item 6) lists the statements one by one; the intake burst of the benchmark
is bounded by them. If a change needs another statement, raise the bound here and say why there.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseEvent
from notifications.models import Notification, OutboxMessage
from workflow.models import CaseClock

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# Token, grants, locality by code, the receiving unit (channel and topic come from the process's copy,
# cases.selectors.reference_by_code); then (inside a savepoint here, BEGIN/COMMIT in production) the case
# number, the case, its report, its clocks (one INSERT), its event, the chain head, the process, its two tasks
# and their link, the people to tell, their notifications (shown) and the outbox rows (in-app ones sent).
ANONYMOUS_INTAKE_STATEMENTS = 19


def test_one_anonymous_intake_sends_at_most_its_statements_and_writes_everything(api, intake_body, world):
    clerk = api("clerk")
    clerk.post("/api/v1/cases/", intake_body(reporter=None), format="json")  # per-process caches filled

    with CaptureQueriesContext(connection) as captured:
        response = clerk.post("/api/v1/cases/", intake_body(reporter=None), format="json")

    assert response.status_code == 201
    statements = [q["sql"] for q in captured.captured_queries]
    assert len(statements) <= ANONYMOUS_INTAKE_STATEMENTS, "\n".join(statements)
    # Nothing was saved by leaving it out: the case, its event, both clocks, its notifications and outbox rows;
    # the channel and topic named are the case's.
    case = Case.objects.get(code=response.json()["code"])
    assert case.events.count() == case.event_count == 1
    assert case.head_hash == CaseEvent.objects.get(case=case).hash
    assert case.public_secret_hash
    assert (case.channel.code, case.topic.code) == (intake_body()["channel"], intake_body()["topic"])
    assert set(CaseClock.objects.filter(case=case).values_list("clock", flat=True)) == {"verify", "reply_reporter"}
    assert Notification.objects.filter(case=case).exists()
    assert OutboxMessage.objects.filter(event__case=case).count() >= Notification.objects.filter(case=case).count()


def test_an_expired_token_is_refused_and_forgotten_while_the_persons_other_token_works(api, world):
    from datetime import timedelta

    from django.utils import timezone
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    expired_row, expired = AuthToken.objects.create(user=world.clerk, expiry=timedelta(hours=1))
    AuthToken.objects.filter(pk=expired_row.pk).update(expiry=timezone.now() - timedelta(minutes=1))
    old = APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Token {expired}")

    assert api("clerk").get("/api/v1/cases/").status_code == 200
    assert old.get("/api/v1/cases/").status_code == 401
    assert not AuthToken.objects.filter(pk=expired_row.pk).exists()
