"""Who must log in with a second factor, and whether this session has given it."""

from django.conf import settings
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def second_factor_refusal(user, code: str) -> str | None:
    """Why `user` may not have an API token with this one-time code, or None when they may.

    The same rule as the web: a person who must give a code there must give one here, from a
    device confirmed on the web (a token cannot enrol a device).
    """
    if not two_factor_required(user):
        return None
    devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    if not devices:
        return _("Vai trò của bạn cần xác thực hai bước nhưng bạn chưa cài ứng dụng xác thực. "
                 "Hãy đăng nhập trên web (với mã đăng ký do quản trị viên cấp) để cài đặt, rồi lấy token.")
    code = (code or "").strip()
    if not code:
        return _("Vai trò của bạn cần xác thực hai bước: gửi kèm mã 6 chữ số trong trường `otp`.")
    if not any(device.verify_token(code) for device in devices):
        return _("Mã xác thực không đúng hoặc đã hết hạn. Hãy thử mã mới.")
    return None
