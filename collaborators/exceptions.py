"""The collaborators app's refusals: the cases app's kinds (404, 403), with this app's words."""

from django.utils.translation import gettext_lazy as _

from cases.exceptions import CaseNotFound


class NoteNotFound(CaseNotFound):
    default_message = _("Không tìm thấy phiếu thông tin, hoặc bạn không được xem.")


class SubjectNotFound(CaseNotFound):
    default_message = _("Không tìm thấy chủ đề, hoặc bạn không được xem.")


class CollaboratorNotFound(CaseNotFound):
    default_message = _("Không tìm thấy cộng tác viên, hoặc bạn không được xem.")
