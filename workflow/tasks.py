"""Celery tasks: thin interfaces over the services."""

from celery import shared_task

from .services import clocks_sweep


@shared_task(name="workflow.tasks.clocks_sweep", ignore_result=True)
def clocks_sweep_task() -> int:
    """Fire due reminders and escalations (Celery beat, every minute); returns how many fired."""
    return clocks_sweep().fired
