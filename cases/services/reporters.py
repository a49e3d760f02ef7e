"""The reporter identity vault: who may see who reported, and every look recorded."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..actions import CaseAction
from ..audit import case_event_announce, case_event_append
from ..exceptions import PermissionDenied
from ..models import Case
from ..permissions import reporter_may_reveal
from ..validation import required_text
from .transitions import lock_case


def reporter_reveal(*, case: Case, by, reason: str) -> list[dict]:
    """Show who reported the matter, and record who looked, when and why, in the case history."""
    reason = required_text(reason, "reason", _("Cần nêu lý do xem danh tính người phản ánh."))
    if not reporter_may_reveal(user=by, case=case):
        raise PermissionDenied(_("Bạn không có quyền xem danh tính người phản ánh."))
    with transaction.atomic():
        locked = lock_case(case)
        revealed = _contacts(locked)
        event = case_event_append(
            case=locked, action=CaseAction.REVEAL_REPORTER, actor=by, from_status=locked.status, to_status=locked.status,
            note=reason, data={"reporters": [r["number"] for r in revealed if not r["anonymous"]]},  # numbers: read in any language
        )
        locked.save(update_fields=["event_count", "head_hash"])
        case_event_announce(case=locked, event=event)
    return revealed


def _contacts(case: Case) -> list[dict]:
    reports = case.reports.select_related("reporter").order_by("received_at", "pk")
    return [
        {
            "number": number,
            "pseudonym": reporter_pseudonym(number),
            "anonymous": report.reporter is None,
            "full_name": report.reporter.full_name if report.reporter else "",
            "phone": report.reporter.phone if report.reporter else "",
            "email": report.reporter.email if report.reporter else "",
            "address": report.reporter.address if report.reporter else "",
        }
        for number, report in enumerate(reports, start=1)
    ]


# How long the page a reveal redirects to may show what that reveal recorded (a reload included).
REVEAL_SHOWN_FOR = timedelta(minutes=5)


def reporter_reveal_shown(*, case: Case, by, seq) -> list[dict] | None:
    """The contact a reveal just recorded, for the page the reveal's form redirects to: only for the person
    who made that reveal (event `seq` of this case), within REVEAL_SHOWN_FOR; None otherwise. Not a new look,
    so no new event: it is the one the reveal recorded."""
    try:
        seq = int(seq)
    except (TypeError, ValueError):
        return None
    recorded = case.events.filter(
        seq=seq, action=CaseAction.REVEAL_REPORTER, actor=by, created_at__gte=timezone.now() - REVEAL_SHOWN_FOR,
    ).exists()
    if not recorded or not reporter_may_reveal(user=by, case=case):
        return None
    return _contacts(case)


def reporter_pseudonym(number: int) -> str:
    return _("Người phản ánh #%(number)s") % {"number": number}
