"""Errors of the reports app, mapped like the case errors (a missing or hidden report is a 404)."""

from django.utils.translation import gettext_lazy as _

from cases.exceptions import CaseNotFound


class ReportNotFound(CaseNotFound):
    code = "not_found"
    default_message = _("Không tìm thấy báo cáo.")


class InspectionNotFound(CaseNotFound):
    code = "not_found"
    default_message = _("Không tìm thấy cuộc kiểm tra.")
