"""Per-user (so per-token) and per-address rates, read from settings on each request.

DRF's own classes copy the rates once at import; reading them live lets
tests and operators change `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _LiveRate:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserThrottle(_LiveRate, UserRateThrottle):
    """Authenticated callers, keyed by user: every token of a person shares one budget."""


class AnonThrottle(_LiveRate, AnonRateThrottle):
    """Unauthenticated callers (the token endpoint), keyed by address."""
