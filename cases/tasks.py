"""Celery tasks of the case domain: thin, they call services."""

from celery import shared_task

from .services import unit_changes_apply_due


@shared_task(name="cases.apply_due_unit_changes")
def apply_due_unit_changes() -> int:
    """Renames and merges whose effective date has come."""
    return unit_changes_apply_due()
