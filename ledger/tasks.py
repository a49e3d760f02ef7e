"""Celery tasks of the ledger: thin, they call services."""

from celery import shared_task

from .services import ledger_checkpoint


@shared_task(name="ledger.checkpoint")
def checkpoint_make() -> int | None:
    """Hourly on beat: the new events into the tree, a signed checkpoint (None when nothing was new)."""
    row = ledger_checkpoint()
    return row.pk if row else None
