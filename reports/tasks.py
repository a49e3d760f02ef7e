"""Celery tasks: thin interfaces over the services."""

from celery import shared_task

from .services import EXPORT_TASK, export_job_run, report_alerts_sweep


@shared_task(name="reports.tasks.report_alerts_sweep", ignore_result=True)
def report_alerts_sweep_task() -> dict:
    """Remind units of reports falling due; escalate missing ones to the parent unit (Celery beat, daily)."""
    return report_alerts_sweep()


@shared_task(name=EXPORT_TASK, ignore_result=True)
def export_job_run_task(job_id: int) -> None:
    """Write one export file; running it twice writes it once."""
    export_job_run(job_id=job_id)
