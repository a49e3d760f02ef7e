"""Reporter privacy over time: anonymise reporters of long-closed cases, and export what is held about one.

Reporter rows live outside the hash chain (events name reporters only by
pseudonym), so erasing their contact data leaves every chain valid; the
erasure itself is appended to each case's history as a
`reporter_anonymised` event, and the chains of the cases touched are
verified before the run reports success.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .actions import CaseAction
from .audit import audit_verify, case_event_announce, case_event_append
from .exceptions import CaseNotFound
from .models import FINAL_STATUSES, Case, CaseReport, Reporter
from .services import reporter_pseudonym, reporter_reveal

CONTACT_FIELDS = ("full_name", "phone", "email", "address")
_HOLDS_CONTACT = ~Q(full_name="") | ~Q(phone="") | ~Q(email="") | ~Q(address="")  # "" is stored as is


@dataclass
class RetentionResult:
    cases: list[str] = field(default_factory=list)  # codes of cases whose reporters were anonymised
    reporters: int = 0
    audit_ok: bool = True


def cases_closed_before(moment) -> "QuerySet[Case]":
    """Final cases (reported, rejected, merged) whose closing move happened before `moment`."""
    closing = Q(events__to_status__in=FINAL_STATUSES) & ~Q(events__from_status=F("events__to_status"))
    return (
        Case.objects.filter(status__in=FINAL_STATUSES)
        .annotate(closed_at=Max("events__created_at", filter=closing))
        .filter(closed_at__lt=moment)
    )


def reporters_anonymise_due(*, retention_days: int, by=None, dry_run: bool = False, now=None) -> RetentionResult:
    """Erase the contact data of reporters whose every case closed more than `retention_days` ago.

    A reporter who also reported a case still open (or closed more recently,
    e.g. through a merge) is kept until that one is due too. One transaction
    per case; safe to run again (what is already erased is skipped).
    """
    if retention_days < 1:
        raise ValidationError({"retention_days": _("Thời hạn lưu phải từ 1 ngày trở lên.")})
    now = now or timezone.now()
    due = cases_closed_before(now - timedelta(days=retention_days)).values("pk")
    # Reporters with a report on any case that is not due yet are kept.
    kept = CaseReport.objects.filter(reporter__isnull=False).exclude(case_id__in=due).values("reporter_id")
    erasable = Reporter.objects.filter(_HOLDS_CONTACT).exclude(pk__in=kept)
    # Only what is left to erase: a daily run does not revisit cases already done.
    targets = set(erasable.filter(case_reports__case_id__in=due).values_list("pk", flat=True))
    case_ids = sorted(set(
        CaseReport.objects.filter(case_id__in=due, reporter_id__in=targets).values_list("case_id", flat=True)
    ))
    result = RetentionResult(reporters=len(targets))
    for case_id in case_ids:
        with transaction.atomic():
            locked = Case.objects.select_for_update().get(pk=case_id)
            reports = list(CaseReport.objects.filter(case=locked).order_by("received_at", "pk"))
            # Every case that named an erased reporter records it (a merged duplicate and its survivor both).
            holding = {r.reporter_id for r in reports if r.reporter_id in targets}
            result.cases.append(locked.code)
            if dry_run:
                continue
            Reporter.objects.filter(pk__in=holding).update(**{name: "" for name in CONTACT_FIELDS})
            event = case_event_append(
                case=locked, action=CaseAction.REPORTER_ANONYMISED, actor=by, from_status=locked.status,
                to_status=locked.status,
                note=_("Xóa thông tin liên hệ của người phản ánh sau %(days)s ngày kể từ khi kết thúc vụ việc.")
                % {"days": retention_days},
                data={
                    # Their numbers (Người phản ánh #N), shown in the reader's language.
                    "reporters": [number for number, report in enumerate(reports, start=1)
                                  if report.reporter_id in holding],
                    "retention_days": retention_days,
                },
            )
            locked.save(update_fields=["event_count", "head_hash"])
            case_event_announce(case=locked, event=event)
    if result.cases and not dry_run:
        touched = Case.objects.filter(code__in=result.cases).values_list("pk", flat=True)
        result.audit_ok = audit_verify(case_ids=list(touched)).ok
    return result


def reporter_data_export(*, case_code: str, number: int, by, reason: str) -> dict:
    """Everything held about one reporter ("Người phản ánh #N" of a case), as a dict ready for JSON.

    The look itself goes through `reporter_reveal`, so it is checked against
    the person's right to see reporters and recorded in the case history
    with the reason.
    """
    case = Case.objects.filter(code=case_code).first()
    if case is None:
        raise CaseNotFound()
    reports = list(CaseReport.objects.filter(case=case).select_related("reporter", "channel").order_by("received_at", "pk"))
    if not 1 <= number <= len(reports):
        raise ValidationError({"number": _("Vụ việc không có người phản ánh số %(number)s.") % {"number": number}})
    chosen = reports[number - 1]
    reason = (reason or "").strip()
    if reason:
        reason = _("Xuất dữ liệu của %(who)s: %(reason)s") % {"who": reporter_pseudonym(number), "reason": reason}
    reporter_reveal(case=case, by=by, reason=reason)  # checks the right to see, records the look; no reason: refused
    exported = {
        "case": case.code,
        "pseudonym": str(reporter_pseudonym(number)),
        "exported_at": timezone.now().isoformat(),
        "anonymous": chosen.reporter_id is None,
        "contact": {},
        "reports": [],
    }
    if chosen.reporter is None:
        exported["reports"] = [_report_row(chosen)]
        return exported
    reporter = chosen.reporter
    exported["contact"] = {name: getattr(reporter, name) for name in CONTACT_FIELDS}
    exported["contact"]["recorded_at"] = reporter.created_at.isoformat()
    for report in CaseReport.objects.filter(reporter=reporter).select_related("case", "channel", "via_case").order_by(
        "received_at", "pk"
    ):
        exported["reports"].append(_report_row(report))
    return exported


def _report_row(report: CaseReport) -> dict:
    return {
        "case": report.case.code,
        "case_title": report.case.title,
        "case_status": report.case.status,
        "channel": report.channel.code,
        "received_at": report.received_at.isoformat(),
        "via_case": report.via_case.code if report.via_case_id else None,
    }
