"""Send people who need a second factor to give it before anything else."""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .two_factor import two_factor_missing

# Reachable with a password alone: the pages that give the second factor, logging out,
# static files, language switch, the public status page and the health check.
OPEN_PREFIXES = ("/security/2fa/", "/logout/", "/static/", "/i18n/", "/tra-cuu/", "/health/", "/login/")
JSON_PREFIXES = ("/api/", "/notifications/")


class RequireTwoFactorMiddleware:
    """After password login, a leader, supervisor, inspector or administrator sees only the 2FA page.

    Sits after django_otp's OTPMiddleware (which sets `user.is_verified`). API
    calls with a session get a JSON 403 instead of a redirect; token calls are
    authenticated later by DRF and are not affected (tokens are for integrations).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or request.path.startswith(OPEN_PREFIXES) or not two_factor_missing(user):
            return self.get_response(request)
        if request.path.startswith(JSON_PREFIXES):
            return JsonResponse(
                {"detail": _("Cần xác thực hai bước trước khi dùng chức năng này."), "code": "otp_required"},
                status=403,
            )
        return redirect(f"{reverse('security:two_factor')}?{urlencode({'next': request.get_full_path()})}")
