"""Checks of free text shared by every service that takes it."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def required_text(value: str, field: str, message: str) -> str:
    """The text stripped; refused (on `field`, with `message`) when empty, or when PostgreSQL could not store it."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if "\x00" in value:  # PostgreSQL cannot store it; say so instead of failing
        raise ValidationError({field: _("Nội dung có ký tự không hợp lệ.")})
    return value


def locality_out_of_reach() -> ValidationError:
    """The refusal of a locality outside the person's reach, in the intake form's words on every interface."""
    return ValidationError({"locality": _("Không tìm thấy địa bàn này trong phạm vi của bạn.")})
