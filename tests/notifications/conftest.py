"""Fixtures for the notifications tests: a queue that records instead of
publishing, a helper to write clock events, and a small HTTP receiver for
webhooks (`people`, with email addresses: tests/conftest.py)."""

import pytest
from django.db import transaction

from cases import audit
from cases.models import Case
from tests import workers


@pytest.fixture
def queued(monkeypatch):
    """Message ids handed to the broker, instead of a real publish."""
    from notifications.tasks import outbox_deliver

    published = []
    monkeypatch.setattr(outbox_deliver, "apply_async", lambda args, **kwargs: published.append(args[0]))
    return published


@pytest.fixture
def record_event():
    """Write a case event as the clock sweeps do (no actor), in one transaction."""

    def record(case, action, **data):
        with transaction.atomic():
            locked = Case.objects.select_for_update(of=("self",)).select_related("owner").get(pk=case.pk)
            event = audit.case_event_append(case=locked, action=action, data=data)
            locked.save(update_fields=["event_count", "head_hash"])
            if hasattr(audit, "case_event_announce"):
                audit.case_event_announce(case=locked, event=event)
        return event

    return record


@pytest.fixture
def webhook_receiver():
    """An HTTP server on 127.0.0.1 that records each POST; set `.status` to make it fail."""
    with workers.webhook_receiver() as receiver:
        yield receiver
