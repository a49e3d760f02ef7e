"""Errors of the surveys app, mapped like the case errors (a missing or hidden survey is a 404)."""

from django.utils.translation import gettext_lazy as _

from cases.exceptions import CaseNotFound


class SurveyNotFound(CaseNotFound):
    code = "not_found"
    default_message = _("Không tìm thấy cuộc điều tra.")
