"""Celery tasks of the API: thin, they call services."""

import logging

from celery import shared_task

from .adapters.email import email_fetch
from .idempotency import idempotency_keys_purge
from .models import ChannelSource
from .selectors import channel_sources_active

logger = logging.getLogger("api.email")


@shared_task(name="api.idempotency_keys_purge")
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Keys older than 24 hours."""
    return idempotency_keys_purge()


@shared_task(name="api.email_fetch")
def fetch_email() -> int:
    """Read every active mailbox; returns how many new cases were opened."""
    opened = 0
    for source in channel_sources_active(kind=ChannelSource.Kind.EMAIL):
        if not source.mailbox:
            continue
        try:
            opened += len(email_fetch(source=source).opened)
        except Exception:
            # One mailbox out of reach (down, a certificate refused, a wrong password) must not stop the others.
            logger.exception("Mailbox of source %s could not be read", source.code)
    return opened
