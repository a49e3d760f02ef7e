"""Follow-up contacts (liên hệ lại): kept only with the respondent's consent, apart from the answer, encrypted,
read only by the unit's secretariat or leaders with a reason, and every read recorded.

`contact_clean` checks what the form sent beside the answers (fields `contact_consent`, `contact_name`,
`contact_phone`, `contact_address`) before the answer is stored; `contact_store` keeps it in the same
transaction as the answer, with nothing tying the two together (surveys.models.FollowUpContact).
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import PermissionDenied
from cases.validation import required_text

from ..models import FollowUpContact, FollowUpContactRead, SurveyPlan
from ..permissions import may_write_plans

CONTACT_FIELDS = ("contact_consent", "contact_name", "contact_phone", "contact_address")
MAX_CONTACT = 300


def contact_clean(raw: dict) -> dict | None:
    """The contact to keep, None when none was given; ValidationError when given without consent or empty."""
    def text(name):
        value = raw.get(name) or ""
        return (value[0] if isinstance(value, list) and value else str(value)).strip()[:MAX_CONTACT]

    consent = text("contact_consent") in ("1", "yes", "on", "true")
    given = {"full_name": text("contact_name"), "phone": text("contact_phone"), "address": text("contact_address")}
    if not consent:
        if any(given.values()):
            raise ValidationError({"contact_consent": _(
                "Chỉ ghi thông tin liên hệ khi người trả lời đồng ý được liên hệ lại.")})
        return None
    if not (given["phone"] or given["address"]):
        raise ValidationError({"contact_phone": _("Người trả lời đồng ý liên hệ lại: ghi số điện thoại hoặc địa chỉ.")})
    return given


def answer_raw_without_contact(raw: dict) -> dict:
    return {k: v for k, v in raw.items() if k not in CONTACT_FIELDS}


def contact_store(*, plan: SurveyPlan, contact: dict | None) -> None:
    """Keep a cleaned contact (call inside the answer's transaction); returns nothing, so the caller has no id
    to put beside the answer."""
    if contact:
        FollowUpContact.objects.create(plan=plan, consent=True, received_on=timezone.localdate(), **contact)


def may_read_contacts(user, plan: SurveyPlan) -> bool:
    return may_write_plans(user, plan.unit)


def contact_read(*, plan: SurveyPlan, by, contact_id, reason: str) -> FollowUpContact:
    """One contact, decrypted, for the unit's secretariat or a leader; the read (who, when, why) recorded."""
    if not may_read_contacts(by, plan):
        raise PermissionDenied(_("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới xem liên hệ người trả lời."))
    reason = required_text(reason, "reason", _("Cần nêu lý do xem liên hệ người trả lời."))
    contact = FollowUpContact.objects.filter(plan=plan, pk=contact_id).first() if _is_uuid(contact_id) else None
    if contact is None:
        raise ValidationError({"contact": _("Không tìm thấy liên hệ này.")})
    with transaction.atomic():
        FollowUpContactRead.objects.create(contact=contact, read_by=by, reason=reason)
    return contact


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
