"""Settings for logs, metrics and the scheduler of a cluster (issue 18; docs/operations.md). Read by settings.py.

Logs: every record carries the request id (config.request_id); LOG_FORMAT=json (the default with DEBUG off)
writes one JSON object a line (python-json-logger), `text` a readable line. Every handler redacts keys in
query strings (`api_key=…` → `api_key=[redacted]`); Django's own loggers ("django", and "django.server",
runserver's request lines) are named here so that theirs do too.
"""

import ipaddress

import environ

env = environ.Env()

_FILTERS = ["redact_secrets", "request_id"]


def logging_config(*, debug: bool) -> dict:
    json_lines = env.str("LOG_FORMAT", default="text" if debug else "json") == "json"
    console = {"()": "pythonjsonlogger.json.JsonFormatter", "timestamp": True, "json_ensure_ascii": False,
               "fmt": "%(levelname)s %(name)s %(request_id)s %(message)s"} if json_lines else {
        "format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact_secrets": {"()": "security.redaction.RedactSecretsFilter"},
                    "request_id": {"()": "config.request_id.RequestIdLogFilter"}},
        "formatters": {
            "console": console,
            "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}",
                              "style": "{"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "console", "filters": _FILTERS},
            "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": _FILTERS},
        },
        "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
        "loggers": {
            "django": {"handlers": [], "level": "INFO"},  # to the root's console (Django's default mails ADMINS)
            "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
            # Its start-up banner, once per process (bin/run starts five); lockouts are still logged by axes.
            "axes.apps": {"level": "WARNING"},
            "svy": {"level": "WARNING"},  # svy logs an INFO line for each estimate at 0 % or 100 %
        },
    }


# /metrics answers only to these networks (the monitoring server's); anyone else gets 404. Loopback by default.
METRICS_ALLOWED_NETWORKS = [
    ipaddress.ip_network(network, strict=False)
    for network in env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
]


def beat_settings(redis_url: str) -> dict:
    """With Redis, beat keeps its schedule and a lock there (celery-redbeat, config/beat.py): any number of beats
    may run, the one holding the lock sends, the others wait and take over within the lock's timeout when it
    stops, from the last run times it left in Redis. Without Redis (the embedded default, one machine): beat's
    own file."""
    if not redis_url:
        return {}
    return {
        "CELERY_BEAT_SCHEDULER": "config.beat.ResilientRedBeatScheduler",
        "CELERY_REDBEAT_REDIS_URL": redis_url,
        "CELERY_REDBEAT_KEY_PREFIX": env.str("CELERY_REDBEAT_KEY_PREFIX", default="dlxh:beat"),
        # A waiting beat tries for the lock every 5 s; a beat that died unheard loses it after 30 s.
        "CELERY_BEAT_MAX_LOOP_INTERVAL": 5,
        "CELERY_REDBEAT_LOCK_TIMEOUT": env.int("CELERY_REDBEAT_LOCK_TIMEOUT", default=30),
    }
