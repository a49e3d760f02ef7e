"""Celery tasks of the case domain: thin, they call services."""

from celery import shared_task

from .services import attachment_thumbnail_make, unit_changes_apply_due
from .services.files import THUMBNAIL_TASK


@shared_task(name="cases.apply_due_unit_changes")
def apply_due_unit_changes() -> int:
    """Renames and merges whose effective date has come."""
    return unit_changes_apply_due()


@shared_task(name=THUMBNAIL_TASK, ignore_result=True)
def attachment_thumbnail(attachment_id: int) -> bool:
    """The thumbnail of one attached image or PDF, stored beside the file; running it twice is the same as once."""
    return attachment_thumbnail_make(attachment_id=attachment_id)
