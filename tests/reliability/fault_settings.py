"""Settings for the fault drills' worker and web processes: production settings, with the times
a drill cannot wait for made short (how long a dead worker's claim on a delivery lasts, and how
long Redis keeps an unacknowledged task before handing it out again)."""

from config.settings import *  # noqa: F401,F403
from config.settings import CELERY_BROKER_TRANSPORT_OPTIONS, env

NOTIFICATIONS_LEASE_SECONDS = env.int("NOTIFICATIONS_LEASE_SECONDS", default=120)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": env.int("BROKER_VISIBILITY_TIMEOUT", default=3600),
}
