"""Checks of free text shared by every service that takes it."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A case's description on every interface (web, API, email, webhook, Open311): a longer email is
# cut with a note and kept whole as an attachment; anywhere else it is refused.
DESCRIPTION_MAX_CHARS = 10_000
# `{max_length}` is filled by DRF's max_length check as well as here: one message on every interface.
DESCRIPTION_TOO_LONG = gettext_lazy("Nội dung quá dài (tối đa {max_length} ký tự).")


def required_text(value: str, field: str, message: str) -> str:
    """The text stripped; refused (on `field`, with `message`) when empty, or when PostgreSQL could not store it."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if "\x00" in value:  # PostgreSQL cannot store it; say so instead of failing
        raise ValidationError({field: _("Nội dung có ký tự không hợp lệ.")})
    return value


def description_too_long(value: str) -> str | None:
    """The refusal of a description over the limit, or None when it fits."""
    if len(value or "") <= DESCRIPTION_MAX_CHARS:
        return None
    return str(DESCRIPTION_TOO_LONG).format(max_length=DESCRIPTION_MAX_CHARS)


def locality_out_of_reach() -> ValidationError:
    """The refusal of a locality outside the person's reach, in the intake form's words on every interface."""
    return ValidationError({"locality": _("Không tìm thấy địa bàn này trong phạm vi của bạn.")})
