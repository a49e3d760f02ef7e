"""Errors the services raise; each carries a translatable message and a stable code.

Interfaces map them: CaseNotFound → 404, PermissionDenied → 403,
TransitionNotAllowed and Conflict → 409, django ValidationError → 400.
"""

from django.utils.translation import gettext_lazy as _


class CaseError(Exception):
    code = "case_error"
    default_message = _("Không thực hiện được thao tác.")

    def __init__(self, message=None):
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class CaseNotFound(CaseError):
    code = "not_found"
    default_message = _("Không tìm thấy vụ việc.")


class PermissionDenied(CaseError):
    code = "permission_denied"
    default_message = _("Bạn không có quyền thực hiện thao tác này.")


class TransitionNotAllowed(CaseError):
    code = "transition_not_allowed"
    default_message = _("Thao tác này không hợp lệ ở trạng thái hiện tại của vụ việc.")


class Conflict(CaseError):
    code = "conflict"
    default_message = _("Vụ việc vừa được người khác thay đổi. Hãy tải lại và thử lại.")
