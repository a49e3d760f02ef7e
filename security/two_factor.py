"""Who must log in with a second factor, and whether this session has given it."""

from django.conf import settings

from cases.models import Role
from cases.permissions import user_grants

# Roles whose holders decide, assign or audit: a stolen password alone must not be enough.
TWO_FACTOR_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR, Role.INSPECTOR, Role.ADMINISTRATOR})


def two_factor_required(user) -> bool:
    """True when this signed-in person must give a one-time code (DLXH_REQUIRE_2FA turns the rule on)."""
    if not settings.DLXH_REQUIRE_2FA or not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return any(grant.role in TWO_FACTOR_ROLES for grant in user_grants(user))


def two_factor_missing(user) -> bool:
    """Required and not given in this session (django_otp's middleware sets `is_verified`)."""
    return two_factor_required(user) and not user.is_verified()
