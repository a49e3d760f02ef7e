"""Celery beat: the daily retention run (a thin interface over cases.retention)."""

from celery import shared_task
from django.conf import settings

from cases.retention import reporters_anonymise_due


@shared_task(acks_late=True, ignore_result=True)
def reporters_anonymise():
    result = reporters_anonymise_due(retention_days=settings.DLXH_REPORTER_RETENTION_DAYS)
    return {"cases": len(result.cases), "reporters": result.reporters, "audit_ok": result.audit_ok}
