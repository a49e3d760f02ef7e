"""Middleware of our own: the second factor before anything else, no NUL in an address, JSON errors under /api/."""

from urllib.parse import urlencode

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import bad_request

from api.adapters.georeport_formats import georeport_error_response

from .two_factor import two_factor_missing

# Reachable with a password alone: the pages that give the second factor, logging out,
# static files, language switch, the public status page and the health check.
OPEN_PREFIXES = ("/security/2fa/", "/logout/", "/static/", "/i18n/", "/tra-cuu/", "/health/", "/login/")
JSON_PREFIXES = ("/api/", "/notifications/")

API_PREFIX = "/api/"
OPEN311_PREFIX = "/api/v1/open311/"  # GeoReport clients read errors in its shape
# The API's codes and messages for an error answered outside its views, by status.
API_ERRORS = {
    400: ("bad_request", gettext_lazy("Yêu cầu không hợp lệ.")),
    401: ("not_authenticated", gettext_lazy("Chưa xác thực.")),
    403: ("permission_denied", gettext_lazy("Bạn không có quyền thực hiện thao tác này.")),
    404: ("not_found", gettext_lazy("Không tìm thấy địa chỉ này.")),
    413: ("request_too_large", gettext_lazy("Dữ liệu gửi lên quá lớn.")),
}
API_SERVER_ERROR = ("server_error", gettext_lazy("Hệ thống gặp lỗi không mong muốn. Vui lòng thử lại sau."))


class RequireTwoFactorMiddleware:
    """After password login, a leader, supervisor, inspector or administrator sees only the 2FA page.

    Sits after django_otp's OTPMiddleware (which sets `user.is_verified`). API
    calls with a session get a JSON 403 instead of a redirect; token calls are
    authenticated later by DRF, and these people get a token only with their code
    (`security.two_factor.second_factor_refusal`).
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


class RefuseNulMiddleware:
    """A NUL character in the path or the query string is a 400 before any view runs.

    No address of ours has one, PostgreSQL refuses it in any text it is given (a 500 from
    whichever query met it first), and it is how a scanner probes for truncation.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            if request.path.startswith(JSON_PREFIXES):
                return api_error(request, 400)
            return bad_request(request, SuspiciousOperation("NUL in the request's address"))
        return self.get_response(request)


class ApiErrorsAsJsonMiddleware:
    """Every error under /api/ (and the bell's /notifications/) is JSON, `{"detail": ..., "code": ...}`, even with DEBUG on.

    The API's views and its catch-all answer JSON themselves; this covers what answers around
    them: Django's error pages, with DEBUG its technical ones listing the URL patterns or a stack.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if (not request.path.startswith(JSON_PREFIXES) or response.status_code < 400
                or content_type.startswith("application/json")
                or (request.path.startswith(OPEN311_PREFIX) and content_type.startswith("text/xml"))):
            return response
        answer = api_error(request, response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                answer[header] = response[header]
        return answer


def api_error(request, status: int) -> HttpResponse:
    """The API's error body for `status`; under Open311, GeoReport's own shape and format."""
    code, detail = API_ERRORS.get(status, API_SERVER_ERROR if status >= 500 else API_ERRORS[400])
    if request.path.startswith(OPEN311_PREFIX):
        return georeport_error_response(request.path, status, str(detail))
    return JsonResponse({"detail": str(detail), "code": code}, status=status)
