"""Configuration read on every request, cached per process until someone changes it.

The working calendar, the clock policies and the webhook endpoints are read
through `versioned`: each process keeps its copy under a version token kept
in the shared cache (Redis or the file cache), and a change anywhere
(`configuration_changed`) replaces the token, so a change made in the web
process reaches the workers within `RECHECK_SECONDS`. When the shared cache is
down nothing is reused and every read goes to the database: deadlines must
never depend on Redis being up.
"""

import logging
import uuid
from time import monotonic as time_monotonic

from django.core.cache import cache

logger = logging.getLogger(__name__)

# The key keeps its old name so running processes and a deploy agree on one token.
_VERSION_KEY = "workflow:calendar:version"
_memo: dict = {}

# How long a process trusts its copy before asking the shared cache whether
# the configuration changed: a change reaches other processes within this time.
RECHECK_SECONDS = 2.0


def _shared_cache(method: str, *args, **kwargs):
    """The shared cache, or None when it is down."""
    try:
        return getattr(cache, method)(*args, **kwargs)
    except Exception:  # noqa: BLE001 - any cache backend error
        logger.warning("shared cache unavailable for %s; reading the configuration from the database", method)
        return None


def configuration_version() -> str | None:
    """The shared token that changes whenever the configuration changes; None when the cache is unavailable."""
    checked = _memo.get("checked")
    if checked is not None and time_monotonic() - checked[0] < RECHECK_SECONDS:
        return checked[1]
    version = _shared_cache("get", _VERSION_KEY)
    if version is None:
        # A fresh token (never a constant), so no process keeps a copy made before the cache was emptied.
        _shared_cache("add", _VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = _shared_cache("get", _VERSION_KEY)
    if version is not None:
        _memo["checked"] = (time_monotonic(), version)
    return version


def versioned(name: str, load):
    """`load()` once per version of the configuration, kept in this process."""
    version = configuration_version()
    held = _memo.get(name)
    if held is not None and version is not None and held[0] == version:
        return held[1]
    value = load()
    _memo[name] = (version, value)
    return value


def configuration_changed() -> None:
    """Make every process reload what it read through `versioned`: this one now, others within seconds."""
    _memo.clear()
    _shared_cache("set", _VERSION_KEY, uuid.uuid4().hex, timeout=None)
