"""The outbox batches per transaction by itself: writers just record events (issue 14)."""

import pytest
from django.db import transaction

from notifications.models import OutboxMessage
from notifications.services import QUEUED_CHANNELS


class Undone(Exception):
    pass


@pytest.fixture
def batches(monkeypatch):
    from notifications.tasks import outbox_deliver_batch

    published = []
    monkeypatch.setattr(outbox_deliver_batch, "apply_async", lambda args, **kwargs: published.append(args[0]))
    return published


def queued_messages_of(event):
    # Those a task sends: the in-app deliveries were written done with the event.
    return sorted(OutboxMessage.objects.filter(event=event, channel__in=QUEUED_CHANNELS, status="pending")
                  .values_list("pk", flat=True))


def test_events_recorded_in_one_transaction_are_queued_together_once_it_commits(
        people, new_case, record_event, queued, batches, django_capture_on_commit_callbacks):
    case = new_case()
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            first = record_event(case, "remind", level=1)
            second = record_event(case, "remind", level=2)
            assert queued == [] and batches == []  # nothing before the commit

    assert queued == []
    assert [sorted(batch) for batch in batches] == [sorted(queued_messages_of(first) + queued_messages_of(second))]


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_rolled_back_does_not_hold_back_the_next_ones_deliveries(
        people, new_case, record_event, queued, batches):
    """Real commits and rollbacks here (no test transaction around them), as in production."""
    case = new_case()
    queued.clear()

    @transaction.atomic  # one block object, entered twice: the second time is another transaction
    def remind(level, *, undo=False):
        event = record_event(case, "remind", level=level)
        if undo:
            raise Undone
        return event

    with pytest.raises(Undone):
        remind(1, undo=True)
    assert queued == [] and batches == []

    event = remind(2)

    assert sorted(queued) == queued_messages_of(event) != []  # one event: its messages one by one
    assert batches == []
