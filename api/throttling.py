"""Per-user (so per-token) and per-address rates, read from settings on each request.

DRF's own classes copy the rates once at import; reading them live lets
tests and operators change `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class _LiveRate:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserThrottle(_LiveRate, UserRateThrottle):
    """Authenticated callers, keyed by user: every token of a person shares one budget."""


class AnonThrottle(_LiveRate, AnonRateThrottle):
    """Unauthenticated callers (the token endpoint), keyed by address."""


class Open311KeyThrottle(_LiveRate, SimpleRateThrottle):
    """Open311 callers with a valid integration key: one budget per key's source, wherever they call from."""

    scope = "open311_key"

    def get_cache_key(self, request, view):
        source = view.key_source(request)
        return None if source is None else self.cache_format % {"scope": self.scope, "ident": f"source-{source.pk}"}


class Open311AddressThrottle(_LiveRate, AnonRateThrottle):
    """Open311 callers without a (valid) key: keyless reads, by address."""

    scope = "open311_anon"

    def get_cache_key(self, request, view):
        return None if view.key_source(request) is not None else super().get_cache_key(request, view)
