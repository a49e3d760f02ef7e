"""Celery tasks of the API: thin, they call services."""

from celery import shared_task

from .idempotency import idempotency_keys_purge


@shared_task(name="api.idempotency_keys_purge")
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Keys older than 24 hours."""
    return idempotency_keys_purge()
