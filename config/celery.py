"""The Celery app: Redis in production, a file-system broker in the embedded default."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("dlxh")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from config import request_id  # noqa: E402,F401  (connects the signals that carry the request id into tasks)


@setup_logging.connect
def _logging_from_django_settings(**kwargs):
    """Workers and beat log through settings.LOGGING (JSON lines with the request id), not Celery's own setup."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
