"""Celery tasks: thin interfaces over the services."""

from celery import shared_task

from .services import plan_alerts_sweep


@shared_task(name="surveys.tasks.plan_alerts_sweep", ignore_result=True)
def plan_alerts_sweep_task() -> dict:
    """Remind units of survey steps falling due; escalate missed ones to the tier above (Celery beat, hourly)."""
    return plan_alerts_sweep()
