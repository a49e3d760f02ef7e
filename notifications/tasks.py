"""Celery tasks: thin interfaces over the services.

Tasks acknowledge late (a worker that dies mid-task leaves the message to be
redelivered) and may run more than once; the services make that harmless.
"""

import logging

from celery import shared_task

from .services import digest_send_all, message_deliver, outbox_requeue_due

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None)
def outbox_deliver(self, message_id: int):
    """Deliver one outbox message; on failure retry after the backoff the row records."""
    outcome = message_deliver(message_id=message_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        # The row is the source of truth (attempts, next try); if this retry is lost, the sweep catches it.
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def outbox_deliver_batch(message_ids: list[int]):
    """Deliver messages queued together (a clock sweep's); each that fails is retried on its own."""
    for message_id in message_ids:
        outcome = message_deliver(message_id=message_id)
        if outcome.retry_in is not None:
            try:
                outbox_deliver.apply_async(args=[message_id], countdown=outcome.retry_in)
            except Exception:  # noqa: BLE001 - the row keeps its next try; the requeue sweep finds it
                logger.warning("could not queue the retry of outbox message %s", message_id)


@shared_task(acks_late=True, ignore_result=True)
def outbox_requeue():
    """Beat: queue pending deliveries that are overdue (broker outage, lost retry, dead worker)."""
    return outbox_requeue_due()


@shared_task(acks_late=True, ignore_result=True)
def digest_send():
    """Beat, once a day: one digest email per person who chose the daily digest."""
    return digest_send_all()
