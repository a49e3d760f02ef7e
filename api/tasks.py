"""Celery tasks of the API: thin, they call services."""

from celery import shared_task

from .adapters.email import email_fetch
from .idempotency import idempotency_keys_purge
from .models import ChannelSource
from .selectors import channel_sources_active


@shared_task(name="api.idempotency_keys_purge")
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Keys older than 24 hours."""
    return idempotency_keys_purge()


@shared_task(name="api.email_fetch")
def fetch_email() -> int:
    """Read every active mailbox; returns how many new cases were opened."""
    opened = 0
    for source in channel_sources_active(kind=ChannelSource.Kind.EMAIL):
        if source.mailbox:
            opened += len(email_fetch(source=source).opened)
    return opened
