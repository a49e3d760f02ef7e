"""Every API error as JSON: `{"detail": ..., "code": ...}`, plus `errors` for field errors.

Never an HTML page, never a stack trace: anything unexpected is logged and
answered with a plain 500.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from cases.exceptions import CaseError, CaseNotFound, Conflict, PermissionDenied, TransitionNotAllowed

logger = logging.getLogger("api")

# Every `code` an error body of the API can carry (docs/api.md, "Errors"); the schema lists them as an enum.
ERROR_CODES = [
    ("invalid", "400: field errors, in `errors`"),
    ("parse_error", "400: the body is not JSON, or JSON nested too deep"),
    ("bad_request", "400: a request no view reads (a NUL in its address, a bad host)"),
    ("not_authenticated", "401: no credentials"),
    ("authentication_failed", "401: a wrong, expired or revoked token"),
    ("bad_signature", "401: a webhook message without a valid signature"),
    ("permission_denied", "403: your role does not allow this"),
    ("otp_required", "403: a session that still owes its second factor"),
    ("not_found", "404"),
    ("method_not_allowed", "405"),
    ("not_acceptable", "406: no JSON in Accept"),
    ("transition_not_allowed", "409: not legal from the current state"),
    ("conflict", "409: changed since you read it"),
    ("idempotency_key_in_progress", "409: the first request with this key is still running"),
    ("request_too_large", "413"),
    ("unsupported_media_type", "415: a body that is not JSON"),
    ("idempotency_key_reused", "422: this key went with another request"),
    ("case_error", "400: a refusal of the case rules without a code of its own"),
    ("throttled", "429, with Retry-After"),
    ("server_error", "500"),
    ("service_unavailable", "503: the database is out of reach"),
]

_CASE_ERROR_STATUS = [
    (CaseNotFound, status.HTTP_404_NOT_FOUND),
    (PermissionDenied, status.HTTP_403_FORBIDDEN),
    (TransitionNotAllowed, status.HTTP_409_CONFLICT),
    (Conflict, status.HTTP_409_CONFLICT),
]


def api_exception_handler(exc, context):
    """The REST_FRAMEWORK EXCEPTION_HANDLER: map domain, Django and DRF errors to JSON."""
    if isinstance(exc, CaseError):
        response = _case_error(exc)
    elif isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        response = _invalid(errors)
    elif isinstance(exc, drf_exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response = _invalid(errors)
    elif isinstance(exc, RequestDataTooBig):
        response = Response(
            {"detail": _("Dữ liệu gửi lên quá lớn."), "code": "request_too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    elif isinstance(exc, RecursionError):
        # JSON nested too deep for Python's parser (api.parsers refuses it earlier where it is used).
        response = Response({"detail": _("Dữ liệu gửi lên không hợp lệ."), "code": "parse_error"},
                            status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, SuspiciousOperation):
        response = Response({"detail": _("Yêu cầu không hợp lệ."), "code": "bad_request"}, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, (OperationalError, InterfaceError)):
        logger.warning("Database unavailable in an API request: %s", exc)
        response = Response(
            {"detail": _("Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau ít phút."),
             "code": "service_unavailable"},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    elif isinstance(exc, (drf_exceptions.APIException, Http404, DjangoPermissionDenied)):
        response = drf_exception_handler(exc, context)  # keeps WWW-Authenticate, Retry-After
        if isinstance(exc, Http404):
            response.data = {"detail": str(CaseNotFound.default_message), "code": CaseNotFound.code}
        else:
            code = exc.get_codes() if isinstance(exc, drf_exceptions.APIException) else "permission_denied"
            response.data = {"detail": str(response.data.get("detail", "")), "code": code}
    else:
        view = context.get("view")
        logger.exception("Unhandled error in API view %s", type(view).__name__ if view else "?")
        response = Response(
            {"detail": _("Hệ thống gặp lỗi không mong muốn. Vui lòng thử lại sau."), "code": "server_error"},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    set_rollback()
    return response


def _case_error(exc: CaseError) -> Response:
    http_status = next((code for cls, code in _CASE_ERROR_STATUS if isinstance(exc, cls)), status.HTTP_400_BAD_REQUEST)
    return Response({"detail": str(exc.message), "code": exc.code}, status=http_status)


def _invalid(errors: dict) -> Response:
    """400 with the field errors; `detail` repeats the first one so a client can just show it."""
    return Response(
        {"detail": _first_message(errors) or _("Dữ liệu gửi lên không hợp lệ."), "code": "invalid", "errors": errors},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for value in errors.values():
            if found := _first_message(value):
                return found
        return ""
    if isinstance(errors, (list, tuple)):
        for value in errors:
            if found := _first_message(value):
                return found
        return ""
    return str(errors)
