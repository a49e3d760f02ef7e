"""Text that may not hold a resident's identity: phone numbers, e-mail addresses, identity-card numbers.

One shared check for every form that collects what people think and never who they are (opinion notes here;
the surveys reuse it). `pii_found(text)` lists what it found; `pii_refuse(**fields)` raises a ValidationError
naming, per field, what was found (the kind and a masked excerpt, so the writer can find and delete it).

What counts (Vietnamese formats):
- a phone number: a mobile number 0[3|5|7|8|9] + 8 digits, a landline 02 + 9 digits, or either written with
  +84 / 84 instead of the 0; digits may be grouped with spaces, dots, dashes or brackets ("0912 345 678",
  "091.234.5678", "+84 912-345-678", "(028) 3822 1234");
- an e-mail address;
- an identity-card number: 9 digits (CMND) or 12 digits (CCCD) written as one unbroken run.
What does not: amounts grouped by dots ("120.000.000 đồng"), dates, years, decision numbers ("123/QĐ-UBND"),
counts ("500 hộ"), numbers of other lengths.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A run of digits, optionally led by + and grouped by single spaces, dots, dashes or brackets.
NUMBER_RUN = re.compile(r"(?<![\w+])\+?\(?\d(?:[\d]|[ .\-()](?=\(?\d)|\)(?=[ .\-]?\d))*\d(?!\w)")
ID_RUN = re.compile(r"(?<![\d\w])(\d{12}|\d{9})(?![\d\w])")

KIND_PHONE = "phone"
KIND_EMAIL = "email"
KIND_ID = "id_card"
KIND_LABELS = {
    KIND_PHONE: gettext_lazy("số điện thoại"),
    KIND_EMAIL: gettext_lazy("địa chỉ thư điện tử"),
    KIND_ID: gettext_lazy("số CMND/CCCD"),
}


@dataclass(frozen=True)
class Found:
    kind: str
    text: str

    @property
    def masked(self) -> str:
        """Enough to find it in the text, not enough to keep it: the first and last few characters."""
        value = self.text
        if self.kind == KIND_EMAIL:
            name, _at, domain = value.partition("@")
            return f"{name[:2]}…@{domain}"
        return f"{value[:4]}…{value[-2:]}" if len(value) > 6 else value


def _is_phone(digits: str, plus: bool) -> bool:
    if digits.startswith("84") and (plus or len(digits) in (11, 12)):
        digits = "0" + digits[2:]
    elif plus:
        return False
    if len(digits) == 10 and digits[0] == "0" and digits[1] in "35789":
        return True
    return len(digits) == 11 and digits.startswith("02")


def pii_found(text: str) -> list[Found]:
    """Every phone number, e-mail address and identity-card number in `text`, in order of kind."""
    if not text:
        return []
    found = [Found(KIND_EMAIL, match.group()) for match in EMAIL.finditer(text)]
    rest = EMAIL.sub(" ", text)
    phones_at = []
    for match in NUMBER_RUN.finditer(rest):
        raw = match.group()
        digits = re.sub(r"\D", "", raw)
        grouped_by_dots_only = "." in raw and not re.search(r"[ \-()+]", raw)
        if grouped_by_dots_only and not (len(digits) in (10, 11) and digits[0] == "0"):
            continue  # 120.000.000: an amount
        if _is_phone(digits, raw.startswith("+")):
            found.append(Found(KIND_PHONE, raw.strip()))
            phones_at.append(match.span())
    for match in ID_RUN.finditer(rest):
        if any(start <= match.start() < end for start, end in phones_at):
            continue
        found.append(Found(KIND_ID, match.group()))
    return found


def pii_message(found: list[Found]) -> str:
    kinds = []
    for item in found:
        label = f"{KIND_LABELS[item.kind]} ({item.masked})"
        if label not in kinds:
            kinds.append(label)
    return _("Không được ghi thông tin cá nhân của người dân. Nội dung có %(what)s: hãy xóa rồi gửi lại.") % {
        "what": ", ".join(kinds)
    }


def pii_refuse(**fields: str) -> None:
    """Raise a ValidationError naming, field by field, the personal data found; nothing when there is none."""
    errors = {}
    for name, value in fields.items():
        found = pii_found(value or "")
        if found:
            errors[name] = pii_message(found)
    if errors:
        raise ValidationError(errors)
