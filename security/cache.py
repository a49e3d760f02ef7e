"""A Redis cache that behaves as an empty cache while Redis is unreachable.

The cache holds only what can be rebuilt: throttle and rate-limit counters,
cached reference data. When Redis (also the Celery broker) is down, the web
must keep working (docs/reliability.md, broker outage): reads miss, writes
are dropped, and request throttling is off until Redis is back. Lockout
after failed logins does not depend on it (django-axes counts in the database).
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
_LOG_EVERY_SECONDS = 30


class FailOpenRedisCache(RedisCache):
    _last_warning = 0.0

    def _unreachable(self, exc):
        now = time.monotonic()
        if now - FailOpenRedisCache._last_warning > _LOG_EVERY_SECONDS:
            FailOpenRedisCache._last_warning = now
            logger.warning("Cache unreachable (%s); serving without it until it is back.", exc)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout=timeout, version=version)
        except UNREACHABLE as exc:
            self._unreachable(exc)
            return False

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default=default, version=version)
        except UNREACHABLE as exc:
            self._unreachable(exc)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout=timeout, version=version)
        except UNREACHABLE as exc:
            self._unreachable(exc)
            return None

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout=timeout, version=version)
        except UNREACHABLE as exc:
            self._unreachable(exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version=version)
        except UNREACHABLE as exc:
            self._unreachable(exc)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version=version)
        except UNREACHABLE as exc:
            self._unreachable(exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version=version)
        except UNREACHABLE as exc:
            self._unreachable(exc)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta=delta, version=version)
        except UNREACHABLE as exc:
            self._unreachable(exc)
            raise ValueError(f"Key {key!r} not found (cache unreachable).") from exc  # as for a missing key

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout=timeout, version=version)
        except UNREACHABLE as exc:
            self._unreachable(exc)
            return list(data)  # keys that were not set

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version=version)
        except UNREACHABLE as exc:
            self._unreachable(exc)
            return None

    def clear(self):
        try:
            return super().clear()
        except UNREACHABLE as exc:
            self._unreachable(exc)
            return False
