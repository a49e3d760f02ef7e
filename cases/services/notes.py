"""Internal notes (ghi chú nội bộ): staff write on a case without moving it; the note is a link in its chain.

A note is for the people who work the case. It is never shown on the public status page, in Open311 or
in the public response, and it does not touch the case's version, so nobody's open move form goes stale.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workflow.engine import case_directing_units

from ..actions import CaseAction
from ..audit import case_event_announce, case_event_append
from ..exceptions import PermissionDenied
from ..models import Case, CaseEvent, Role
from ..permissions import roles_on_unit
from ..validation import description_too_long, required_text
from .transitions import lock_case

# Roles that see cases without working them: the inspection committee audits read-only.
READ_ONLY_ROLES = frozenset({Role.INSPECTOR, Role.ADMINISTRATOR})


def case_note_refuse_unless_allowed(*, case: Case, by) -> None:
    """Someone who sees the case only to inspect it is refused before the note's text is read (403 before 400).

    The caller got `case` through the scoped selector: a case out of reach is already a 404 there.
    """
    units = [case.owner, case.assigned_by_unit, *case_directing_units(case)]
    if not any(roles_on_unit(by, unit) - READ_ONLY_ROLES for unit in units if unit is not None):
        raise PermissionDenied(_("Vai trò của bạn chỉ được xem vụ việc này, không ghi chú."))


def case_note_add(*, case: Case, by, text: str) -> CaseEvent:
    """Append an internal note to the case's history; its state, owner and deadline stay as they are."""
    case_note_refuse_unless_allowed(case=case, by=by)
    text = required_text((text or "").replace("\r\n", "\n"), "text", _("Cần nhập nội dung ghi chú."))
    if too_long := description_too_long(text):
        raise ValidationError({"text": too_long})
    with transaction.atomic():
        locked = lock_case(case)
        event = case_event_append(case=locked, action=CaseAction.INTERNAL_NOTE, actor=by,
                                  from_status=locked.status, to_status=locked.status, note=text)
        locked.save(update_fields=["event_count", "head_hash"])
        case_event_announce(case=locked, event=event)
    case.event_count, case.head_hash = locked.event_count, locked.head_hash
    return event
