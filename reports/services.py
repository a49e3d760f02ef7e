"""Every write of the reports app: drafts, submission, corrections, due-date alerts,
inspections and their notes and access log, export jobs.

Submitting freezes the figures in a version and marks the resolved cases the
report accounts for `reported` (through cases.services, so each case gets its
own event), all in one transaction: either the report is sent and every one
of its cases is marked, or nothing happened. A resolved case whose resident
answered "not fixed" is not marked: it waits for its leader's decision, and
the report lists it as pending.
"""

import logging
import secrets
from datetime import date, datetime, timedelta

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.exceptions import Conflict, PermissionDenied, TransitionNotAllowed
from cases.models import Case, Unit
from cases.services import case_mark_reported
from cases.validation import required_text
from collaborators.models import Collaborator, CollaboratorStatus, Subject

from .diff import version_diff
from .exceptions import ReportNotFound
from .exports import write_cases_export
from .figures import report_figures
from .models import (
    CASE_LIST_FORMATS,
    ExportJob,
    Inspection,
    InspectionAccessLog,
    InspectorNote,
    Report,
    ReportAlert,
    ReportKind,
    ReportStatus,
    ReportVersion,
    UnitDocumentSettings,
)
from .official import document_settings_defaults
from .periods import REMIND_DAYS_BEFORE, due_at, last_ended_period, period_containing
from .permissions import may_inspect, may_read_report, may_write_reports
from .selectors import expected_reporting_units
from .situation import narrative_draft, opinion_figures

logger = logging.getLogger(__name__)

# The export task is looked up by its name, not imported: reports.tasks is an
# interface over this module (ReportsConfig.ready registers it in every process).
EXPORT_TASK = "reports.tasks.export_job_run"

# Kinds every committee below the top is expected to send (the seeds' monthly
# report, six-month and annual reviews); quarterly and rapid reports are sent when asked.
EXPECTED_KINDS = (ReportKind.MONTHLY, ReportKind.SIX_MONTH, ReportKind.ANNUAL, ReportKind.SITUATION)
# A missing report is escalated during this long after its due date (older gaps stay recorded, not re-raised).
ESCALATION_WINDOW = timedelta(days=31)


def report_title(*, kind: str, start: date, end: date, unit: Unit) -> str:
    if kind == ReportKind.MONTHLY:
        title = _("Báo cáo tháng %(month)s") % {"month": start.strftime("%m/%Y")}
    elif kind == ReportKind.SITUATION:
        title = _("Báo cáo tình hình dư luận xã hội tháng %(month)s") % {"month": start.strftime("%m/%Y")}
    elif kind == ReportKind.ANNUAL:
        title = _("Tổng kết năm %(year)s") % {"year": start.year}
    else:
        title = f"{ReportKind(kind).label} {start:%d/%m/%Y}–{end:%d/%m/%Y}"
    return f"{title} — {unit.name}"


# --- drafts -----------------------------------------------------------------------


def report_draft_create(*, by, unit: Unit, kind: str, period_start: date, period_end: date | None = None,
                        narrative: str = "", title: str = "", subject: Subject | None = None) -> Report:
    """Open a draft for a unit and period; its figures are read from the data until it is sent.

    For a periodic kind any day of the period names it; a rapid report
    names its own dates (at most up to today), and may be on one subject the board follows.
    A situation report starts with a narrative drafted from the period's notes, to edit.
    """
    if kind not in ReportKind.values:
        raise ValidationError({"kind": _("Loại báo cáo không hợp lệ.")})
    if not may_write_reports(by, unit):
        raise PermissionDenied(_("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới lập báo cáo của đơn vị."))
    today = timezone.localdate()
    if kind == ReportKind.AD_HOC:
        period_end = period_end or today
        if period_end < period_start:
            raise ValidationError({"period_end": _("Ngày kết thúc phải sau ngày bắt đầu.")})
        if period_end > today:
            raise ValidationError({"period_end": _("Kỳ báo cáo không được ở tương lai.")})
        start, end = period_start, period_end
        if subject is not None and not (unit.path.startswith(subject.unit.path) or subject.unit.path.startswith(unit.path)):
            raise ValidationError({"subject": _("Chủ đề này không thuộc phạm vi của đơn vị.")})
        if subject is not None and not title:
            title = _("Báo cáo nhanh về “%(subject)s” — %(unit)s") % {"subject": subject.title, "unit": unit.name}
    elif subject is not None:
        raise ValidationError({"subject": _("Chỉ báo cáo nhanh mới lập riêng cho một chủ đề.")})
    else:
        start, end = period_containing(kind, period_start)
        if period_end is not None and period_end != end:
            raise ValidationError({"period_end": _("Kỳ báo cáo định kỳ phải trọn tháng, quý, 6 tháng hoặc năm.")})
        if start > today:
            raise ValidationError({"period_start": _("Kỳ báo cáo chưa bắt đầu.")})
    now = timezone.now()
    if kind == ReportKind.SITUATION and not narrative:
        narrative = narrative_draft(opinion_figures(unit=unit, start=start, end=end))
    try:
        with transaction.atomic():
            return Report.objects.create(
                unit=unit, kind=kind, period_start=start, period_end=end, subject=subject,
                title=(title or "").strip()[:300] or report_title(kind=kind, start=start, end=end, unit=unit),
                narrative=narrative or "", due_at=due_at(kind, end, opened_at=now), created_by=by,
            )
    except IntegrityError:
        raise Conflict(_("Đơn vị đã có báo cáo cho kỳ này.")) from None


def _lock(report: Report) -> Report:
    return Report.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)


def report_check_writer(by, report: Report) -> None:
    """Refuse anyone who may not write this report: 403 to a reader, "not found" to everyone else."""
    if not may_write_reports(by, report.unit):
        # Someone who may read it but not write it is refused; others do not even see it.
        if may_read_report(by, report):
            raise PermissionDenied(_("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới sửa, gửi báo cáo."))
        raise ReportNotFound()


def report_narrative_update(*, report: Report, by, narrative: str, title: str | None = None) -> Report:
    """Edit a draft's narrative (and title); a sent report changes only by a correction."""
    with transaction.atomic():
        locked = _lock(report)
        report_check_writer(by, locked)
        if not locked.is_draft:
            raise TransitionNotAllowed(_("Báo cáo đã gửi; muốn sửa phải lập bản đính chính."))
        locked.narrative = narrative or ""
        if title is not None and title.strip():
            locked.title = title.strip()[:300]
        locked.save(update_fields=["narrative", "title", "updated_at"])
    return locked


# --- submission and corrections ------------------------------------------------------


def _mark_reported(*, report: Report, codes: list[str], by) -> list[str]:
    """Move each case to `reported` through the state machine; any refusal undoes the whole submission."""
    marked = []
    for case in Case.objects.filter(code__in=codes).order_by("pk"):
        try:
            case_mark_reported(case=case, by=by, report_ref=report.reference)
        except (TransitionNotAllowed, Conflict) as exc:
            raise Conflict(
                _("Vụ việc %(code)s vừa thay đổi trạng thái; hãy tải lại báo cáo và gửi lại.") % {"code": case.code}
            ) from exc
        marked.append(case.code)
    return marked


def report_submit(*, report: Report, by, narrative: str | None = None) -> Report:
    """Send the report to the tier above: freeze its figures (version 1) and mark its resolved cases reported.

    Cases waiting for a reopen decision stay resolved; the figures list them under `pending_decision`.
    """
    with transaction.atomic():
        locked = _lock(report)
        report_check_writer(by, locked)
        if not locked.is_draft:
            raise TransitionNotAllowed(_("Báo cáo này đã được gửi."))
        if narrative is not None:
            locked.narrative = narrative
        now = timezone.now()
        figures = report_figures(unit=locked.unit, kind=locked.kind, start=locked.period_start,
                                 end=locked.period_end, now=now, subject_id=locked.subject_id)
        included = figures["reported_cases"]
        marked = _mark_reported(report=locked, codes=included["in_period"] + included["carried_over"], by=by)
        ReportVersion.objects.create(
            report=locked, number=1, figures=figures, narrative=locked.narrative, marked_cases=marked,
            submitted_by=by, submitted_at=now,
        )
        locked.status = ReportStatus.SUBMITTED
        locked.version = 1
        locked.document_number = _document_number_take(unit=locked.unit)
        locked.submitted_by = by
        locked.submitted_at = now
        locked.save()
        ReportAlert.objects.filter(
            unit=locked.unit, kind=locked.kind, period_start=locked.period_start, resolved_at__isnull=True
        ).update(resolved_at=now)
    report.refresh_from_db()
    return report


def _document_number_take(*, unit) -> str:
    """The next number of the unit's document counter, locked; writes the default settings first when the
    unit has none, so every later number comes from the same row."""
    settings, _created = UnitDocumentSettings.objects.select_for_update().get_or_create(
        unit=unit, defaults=document_settings_defaults(unit))
    number = settings.format_number(settings.next_number)
    settings.next_number += 1
    settings.save(update_fields=["next_number"])
    return number


def report_correct(*, report: Report, by, narrative: str, reason: str) -> ReportVersion:
    """A correction after submission: a new version with the figures recomputed and its differences kept.

    Cases resolved since (or reclassified into the period) are marked
    reported by this version; the earlier versions stay as they were.
    """
    reason = required_text(reason, "reason", _("Cần nêu lý do đính chính."))
    with transaction.atomic():
        locked = _lock(report)
        report_check_writer(by, locked)
        if locked.is_draft:
            raise TransitionNotAllowed(_("Báo cáo chưa gửi; hãy sửa trực tiếp dự thảo."))
        previous = locked.versions.order_by("-number").first()
        now = timezone.now()
        figures = report_figures(unit=locked.unit, kind=locked.kind, start=locked.period_start,
                                 end=locked.period_end, now=now, subject_id=locked.subject_id)
        included = figures["reported_cases"]
        earlier = previous.figures.get("reported_cases", {})
        diff = version_diff(previous.figures, figures, previous.narrative, narrative)
        pending_changed = (figures["pending_decision"]["cases"]
                           != previous.figures.get("pending_decision", {}).get("cases", []))
        if not (diff["figures"] or diff["narrative_changed"] or pending_changed
                or included["in_period"] or included["carried_over"]):
            raise ValidationError({"narrative": _("Không có thay đổi nào so với phiên bản đang có.")})
        marked = _mark_reported(report=locked, codes=included["in_period"] + included["carried_over"], by=by)
        # What the report accounts for, over all its versions.
        figures["reported_cases"] = {
            key: sorted(set(earlier.get(key, [])) | set(included[key])) for key in ("in_period", "carried_over")
        }
        version = ReportVersion.objects.create(
            report=locked, number=previous.number + 1, figures=figures, narrative=narrative or "", reason=reason,
            diff=diff, marked_cases=marked, submitted_by=by, submitted_at=now,
        )
        locked.version = version.number
        locked.narrative = narrative or ""
        locked.save(update_fields=["version", "narrative", "updated_at"])
    report.refresh_from_db()
    return version


# --- due dates: reminders and escalation of missing reports ------------------------------


def _parent_of(unit: Unit) -> Unit | None:
    return Unit.objects.filter(path=unit.path[: (unit.depth - 1) * Unit.steplen]).first() if unit.depth > 1 else None


def report_alerts_sweep(*, now: datetime | None = None) -> dict:
    """Remind units whose report falls due soon; escalate to the parent unit once it is missed.

    Runs on Celery beat; each alert is one row (unique), so running it again does nothing more.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    created = {"remind": 0, "escalate": 0}
    units = list(expected_reporting_units())
    # A situation report is expected from the units that run a collaborator network.
    networked = set(Collaborator.objects.filter(status=CollaboratorStatus.ACTIVE).values_list("unit_id", flat=True))
    for kind in EXPECTED_KINDS:
        start, end = last_ended_period(kind, today)
        due = due_at(kind, end)
        if now < due - timedelta(days=REMIND_DAYS_BEFORE) or now > due + ESCALATION_WINDOW:
            continue
        sent = set(
            Report.objects.filter(kind=kind, period_start=start, status=ReportStatus.SUBMITTED)
            .values_list("unit_id", flat=True)
        )
        action = ReportAlert.Action.REMIND if now < due else ReportAlert.Action.ESCALATE
        for unit in units:
            if unit.pk in sent or (kind == ReportKind.SITUATION and unit.pk not in networked):
                continue
            to_unit = unit if action == ReportAlert.Action.REMIND else _parent_of(unit)
            if to_unit is None:
                continue
            _alert, made = ReportAlert.objects.get_or_create(
                unit=unit, kind=kind, period_start=start, action=action,
                defaults={"to_unit": to_unit, "period_end": end, "due_at": due, "created_at": now},
            )
            created[action] += made
    return created


# --- inspection ------------------------------------------------------------------------


def inspection_open(*, by, unit: Unit, period_start: date, period_end: date, title: str = "") -> Inspection:
    """Start an inspection of a unit's subtree over a period; a fresh seed fixes its sample."""
    if not may_inspect(by, unit):
        raise PermissionDenied(_("Chỉ cán bộ kiểm tra, giám sát của đơn vị hoặc cấp trên mới mở cuộc kiểm tra."))
    if period_end < period_start:
        raise ValidationError({"period_end": _("Ngày kết thúc phải sau ngày bắt đầu.")})
    return Inspection.objects.create(
        unit=unit, period_start=period_start, period_end=period_end, title=(title or "").strip()[:300],
        seed=secrets.randbelow(2**31), created_by=by,
    )


def inspector_note_add(*, inspection: Inspection, by, text: str, case: Case | None = None) -> InspectorNote:
    """An inspector's note; the caller has already found `case` through the inspector's own scope."""
    text = required_text(text, "text", _("Cần nhập nội dung ghi chú."))
    if not may_inspect(by, inspection.unit):
        raise PermissionDenied()
    return InspectorNote.objects.create(inspection=inspection, case=case, author=by, text=text)


def inspection_access_record(*, user, what, inspection: Inspection | None = None, case_code: str = "",
                             scope: str = "") -> InspectionAccessLog:
    """An opening of an inspection page. `what` is the page's (lazy) name, kept as its Vietnamese source text,
    which is its msgid: the log shows it in each reader's language, whoever opened the page in which."""
    with translation.override("vi"):
        page = str(what)
    return InspectionAccessLog.objects.create(user=user, what=page[:300], inspection=inspection,
                                              case_code=case_code[:40], scope=scope[:300])


# --- exports ---------------------------------------------------------------------------


def export_job_create(*, by, fmt: str, filters: dict) -> ExportJob:
    """Queue an export of the person's cases (their own scope, these filters); a worker writes the file."""
    if fmt not in CASE_LIST_FORMATS:
        raise ValidationError({"fmt": _("Định dạng không hợp lệ.")})
    params = {key: (value.isoformat() if isinstance(value, (date, datetime)) else value)
              for key, value in filters.items()}
    with transaction.atomic():
        job = ExportJob.objects.create(user=by, fmt=fmt, params=params)
        transaction.on_commit(lambda: _enqueue_export(job.pk), robust=True)
    return job


def _enqueue_export(job_id: int) -> None:
    try:
        current_app.tasks[EXPORT_TASK].apply_async(
            args=[job_id], retry=True, retry_policy={"max_retries": 1, "interval_start": 0, "interval_max": 0.2})
    except Exception as exc:  # a dead broker must not break the request; the job shows as waiting
        logger.warning("Could not queue export %s: %s", job_id, exc)


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write the export file, updating the progress as it goes; a second run of a claimed job does nothing."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(status=ExportJob.Status.RUNNING)
    if not claimed:
        return None
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        relative, rows = write_cases_export(
            job, progress=lambda done, total: export_job_progress(job_id=job_id, done=done, total=total))
    except Exception as exc:
        logger.exception("export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED, error=str(exc)[:2000],
                                                   finished_at=timezone.now())
        job.refresh_from_db()
        return job
    ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.DONE, file=relative, finished_at=timezone.now(),
                                               done_rows=rows, total_rows=rows)
    job.refresh_from_db()
    return job


def export_job_progress(*, job_id: int, done: int, total: int) -> None:
    ExportJob.objects.filter(pk=job_id).update(done_rows=done, total_rows=total)
