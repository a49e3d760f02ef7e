"""The Celery app: Redis in production, a file-system broker in the embedded default."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("dlxh")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def redbeat_settings_by_bare_name(sender, **kwargs):
    """celery-redbeat asks whether `redbeat_redis_url` is set by its bare name, which the CELERY_ prefix hides (it
    then warns that it falls back to the broker's settings): give it the names it looks for."""
    conf = sender.conf
    sender.conf.update({key.removeprefix("CELERY_").lower(): conf[key] for key in list(conf.keys())
                        if key.startswith("CELERY_REDBEAT_")})
    if "redbeat_redis_url" in conf and "redbeat_redis_options" not in conf:
        conf.redbeat_redis_options = {}

from config import request_id  # noqa: E402,F401  (connects the signals that carry the request id into tasks)


@setup_logging.connect
def _logging_from_django_settings(loglevel=None, logfile=None, **kwargs):
    """Workers and beat log through settings.LOGGING (JSON lines with the request id), not Celery's own setup;
    `-l` still sets the level and `--logfile` adds the file, written the same way."""
    import logging.config
    import logging.handlers

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    root = logging.getLogger()
    if loglevel:
        root.setLevel(loglevel)
    if logfile:
        console = next(handler for handler in root.handlers if handler.get_name() == "console")
        to_file = logging.handlers.WatchedFileHandler(logfile)
        to_file.setFormatter(console.formatter)
        for log_filter in console.filters:
            to_file.addFilter(log_filter)
        root.addHandler(to_file)
