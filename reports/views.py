"""Report screens: list and drafting, one report with its versions, the parent tier's
side-by-side and consolidated view, emerging issues, report and case-list exports.

Thin: forms check the shape, services write, selectors read; a report out of
reach is a 404 like a missing one.
"""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.exceptions import CaseError, CaseNotFound
from cases.models import Unit
from cases.selectors import top_unit, user_roles
from collaborators.models import Attitude
from web.ui import forbidden, not_found, refused, selector_filters

from . import exports
from .diff import LABELS as FIGURE_LABELS
from .diff import figure_value
from .emerging import BASELINE_WEEKS, MIN_COUNT, P_THRESHOLD, emerging_issues
from .forms import ChildrenFilterForm, CorrectionForm, ExportForm, NarrativeForm, ReportCreateForm
from .models import ExportFormat, OversightRead, ReportKind
from .oversight import oversight_read_record
from .periods import last_ended_period, period_containing
from .permissions import PANEL_ROLES, may_read_children_of, may_write_reports
from .selectors import (
    alerts_for_user,
    children_side_by_side,
    consolidate,
    export_job_get_for_user,
    export_jobs_for_user,
    report_current_figures,
    report_get_for_user,
    report_list_for_user,
    report_version,
    report_versions,
    units_overseen_by,
    units_writable_by,
)
from .services import (
    export_job_create,
    report_correct,
    report_draft_create,
    report_narrative_update,
    report_submit,
)
from .situation import attitude_totals


def _error_messages(request, error: ValidationError) -> None:
    for text in getattr(error, "messages", [str(error)]):
        messages.error(request, text)


def _report_action(request, service, **kwargs):
    """Run a report service as this person: its answer, or None once its refusal is shown as a message.

    A report gone out of reach is a 404, like a missing one.
    """
    try:
        return service(by=request.user, **kwargs)
    except CaseNotFound:
        raise Http404 from None
    except ValidationError as error:
        _error_messages(request, error)
    except CaseError as error:
        messages.error(request, refused(error.message))
    return None


@login_required
@require_GET
def report_list(request):
    reports = list(report_list_for_user(user=request.user)[:200])
    writable = list(units_writable_by(user=request.user))
    overseen = list(units_overseen_by(user=request.user))
    if not (reports or writable or overseen):
        return forbidden(request, _("Trang này dành cho văn phòng tổng hợp, lãnh đạo, giám sát và kiểm tra."))
    initial = {"kind": ReportKind.MONTHLY, "period_start": timezone.localdate().replace(day=1)}
    return render(request, "reports/list.html", {
        "reports": reports,
        "form": ReportCreateForm(initial=initial, user=request.user) if writable else None,
        "overseen": overseen,
        "alerts": list(alerts_for_user(user=request.user)[:50]),
        "now": timezone.now(),
    })


@login_required
@require_POST
def report_create(request):
    form = ReportCreateForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect("reports:list")
    try:
        report = report_draft_create(by=request.user, **form.cleaned_data)
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("reports:list")
    except CaseError as error:
        messages.error(request, refused(error.message))
        return redirect("reports:list")
    messages.success(request, _("Đã lập dự thảo báo cáo; số liệu được tính từ dữ liệu đến khi gửi."))
    return redirect("reports:detail", pk=report.pk)


def _report_or_404(request, pk):
    try:
        return report_get_for_user(user=request.user, pk=pk)
    except CaseNotFound:
        raise Http404 from None


def _version_number(request) -> int | None:
    try:
        return int(request.GET["v"]) if request.GET.get("v") else None
    except ValueError:
        return None


def _report_as_asked(request, pk):
    """(report, figures, version) for the version in `?v=` (the newest by default; a draft has none),
    or None when the report or that version is out of reach."""
    number = _version_number(request)
    try:
        report = report_get_for_user(user=request.user, pk=pk)
        figures = report_current_figures(report=report, number=number)
    except CaseNotFound:
        return None
    return report, figures, None if report.is_draft else report_version(report=report, number=number)


@login_required
@require_GET
def report_detail(request, pk):
    asked = _report_as_asked(request, pk)
    if asked is None:
        return not_found(request, _("Không tìm thấy báo cáo."))
    report, figures, version = asked
    versions = list(report_versions(report=report))
    writer = may_write_reports(request.user, report.unit)
    narrative = version.narrative if version else report.narrative
    return render(request, "reports/detail.html", {
        "report": report,
        "figures": figures,
        "version": version,
        "versions": versions,
        "narrative": narrative,
        "narrative_form": NarrativeForm(initial={"narrative": report.narrative}) if writer and report.is_draft else None,
        "correction_form": CorrectionForm(initial={"narrative": report.narrative}) if writer and not report.is_draft else None,
        "labels": {key: str(label) for key, label in FIGURE_LABELS.items()},
        "now": timezone.now(),
    })


@login_required
@require_POST
def report_save(request, pk):
    report = _report_or_404(request, pk)
    form = NarrativeForm(request.POST)
    if form.is_valid() and _report_action(request, report_narrative_update, report=report,
                                          narrative=form.cleaned_data["narrative"]) is not None:
        messages.success(request, _("Đã lưu dự thảo."))
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_POST
def report_submit_view(request, pk):
    report = _report_or_404(request, pk)
    if report.is_draft and request.POST.get("confirm") != "1":  # submitting freezes it: asked once more
        messages.error(request, _("Hãy đánh dấu ô xác nhận trước khi gửi: báo cáo đã gửi chỉ sửa được bằng bản đính chính."))
        return redirect("reports:detail", pk=report.pk)
    form = NarrativeForm(request.POST)
    narrative = form.cleaned_data["narrative"] if form.is_valid() and "narrative" in request.POST else None
    submitted = _report_action(request, report_submit, report=report, narrative=narrative)
    if submitted is None:
        return redirect("reports:detail", pk=report.pk)
    marked = len(report_version(report=submitted).marked_cases)
    messages.success(request, _("Đã gửi báo cáo lên cấp trên; %(n)s vụ việc được chuyển sang “Đã báo cáo”.") % {"n": marked})
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_POST
def report_correct_view(request, pk):
    report = _report_or_404(request, pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect("reports:detail", pk=report.pk)
    version = _report_action(request, report_correct, report=report, **form.cleaned_data)
    if version is None:
        return redirect("reports:detail", pk=report.pk)
    messages.success(request, _("Đã lập bản đính chính (phiên bản %(n)s).") % {"n": version.number})
    return redirect(f"{reverse('reports:detail', args=[report.pk])}?v={version.number}")


@login_required
@require_GET
def report_export(request, pk, fmt):
    if fmt not in ExportFormat.values:
        return not_found(request)
    asked = _report_as_asked(request, pk)
    if asked is None:
        return not_found(request, _("Không tìm thấy báo cáo."))
    report, figures, version = asked
    narrative = version.narrative if version else report.narrative
    name = f"bao-cao-{report.pk}" + (f"-v{version.number}" if version else "-du-thao")
    args = {"report": report, "figures": figures, "narrative": narrative, "version": version}
    if fmt == ExportFormat.PDF:
        response = HttpResponse(exports.report_pdf(**args), content_type="application/pdf")
    elif fmt == ExportFormat.DOCX:
        response = HttpResponse(
            exports.report_docx(**args),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    elif fmt == ExportFormat.XLSX:
        response = HttpResponse(
            exports.report_xlsx(**args),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse("\ufeff" + exports.report_csv(**args), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- the parent tier ------------------------------------------------------------------


@login_required
@require_GET
def unit_children(request, code):
    unit = Unit.objects.filter(code=code).first()
    if unit is None or not may_read_children_of(request.user, unit):
        return not_found(request, _("Không tìm thấy đơn vị."))
    form = ChildrenFilterForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
    kind = cleaned.get("kind") or ReportKind.MONTHLY
    day = cleaned.get("day") or _default_day(kind)
    start, end = period_containing(kind, day)
    rows = children_side_by_side(unit=unit, kind=kind, period_start=start)
    sent = [row.figures for row in rows if row.figures]
    consolidated = consolidate(sent) if sent else None
    return render(request, "reports/children.html", {
        "unit": unit, "form": form, "kind": kind, "kind_label": ReportKind(kind).label, "start": start, "end": end,
        "rows": rows, "consolidated": consolidated,
        "metric_rows": _side_by_side_rows(rows, consolidated) + _opinion_rows(rows),
        "topic_counts": _topic_rows(rows, consolidated),
        "missing": [row for row in rows if not row.submitted],
    })


SIDE_BY_SIDE = ["received", "resolved_in_period", "on_time.rate", "overdue.count", "escalations.count", "reopened"]


def _shown(key, value) -> str:
    if value is None:
        return "—"
    if key == "on_time.rate":
        return f"{round(100 * value)}%"
    return str(value)


def _side_by_side_rows(rows, consolidated) -> list[tuple[str, list[str], str]]:
    """(label, one value per child unit, consolidated value): "—" where a unit has not sent its report."""
    return [
        (str(FIGURE_LABELS[key]),
         [_shown(key, figure_value(row.figures, key)) if row.figures else "—" for row in rows],
         _shown(key, figure_value(consolidated, key)) if consolidated else "—")
        for key in SIDE_BY_SIDE
    ]


def _opinion_rows(rows) -> list[tuple[str, list[str], str]]:
    """The situation reports' notes by attitude, side by side, with their sum; "—" where none was sent."""
    totals = [attitude_totals(row.figures["opinion"]) if row.figures and "opinion" in row.figures else None
              for row in rows]
    if not any(totals):
        return []
    keys = [("notes", _("Phiếu thông tin dư luận"))] + [
        (code, _("Thái độ: %(attitude)s") % {"attitude": label}) for code, label in Attitude.choices]
    return [(str(label), [str(t.get(key, 0)) if t else "—" for t in totals],
             str(sum(t.get(key, 0) for t in totals if t))) for key, label in keys]


def _topic_rows(rows, consolidated) -> list[tuple[str, list[str], str]]:
    topics = sorted({(t["code"], t["name"]) for row in rows if row.figures for t in row.figures["by_topic"]},
                    key=lambda t: t[1])

    def count(figures, code):
        return str(next((t["n"] for t in figures["by_topic"] if t["code"] == code), 0))

    return [
        (name, [count(row.figures, code) if row.figures else "—" for row in rows],
         count(consolidated, code) if consolidated else "—")
        for code, name in topics
    ]


def _default_day(kind):
    """The period being reported on now: the last one that has ended."""
    return last_ended_period(kind, timezone.localdate())[0]


# --- emerging issues ---------------------------------------------------------------------


@login_required
@require_GET
def emerging(request):
    unit = top_unit(user=request.user)
    if unit is None or not user_roles(request.user) & PANEL_ROLES:
        return forbidden(request, _("Trang này dành cho lãnh đạo, văn phòng tổng hợp, giám sát và kiểm tra."))
    return render(request, "reports/emerging.html", {
        "unit": unit, "signals": emerging_issues(unit=unit, user=request.user),
        "weeks": BASELINE_WEEKS, "min_count": MIN_COUNT, "p_threshold": P_THRESHOLD,
    })


# --- exports of case lists ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def export_list(request):
    if request.method == "POST":
        form = ExportForm(request.POST, user=request.user)
        if form.is_valid():
            filters = selector_filters(form.cleaned_data)
            if form.cleaned_data.get("overdue"):
                filters["overdue"] = True
            filters["_language"] = translation.get_language()
            job = export_job_create(by=request.user, fmt=form.cleaned_data["fmt"], filters=filters)
            return redirect("reports:export_job", uid=job.uid)
    else:
        form = ExportForm(request.GET or None, user=request.user, initial={"fmt": ExportFormat.XLSX})
        if form.is_bound:
            form.is_valid()  # show the filters the queue link carried; errors only after a POST
    return render(request, "reports/exports.html", {
        "form": form, "jobs": list(export_jobs_for_user(user=request.user)[:30]),
    })


@login_required
@require_GET
def export_job(request, uid):
    job = export_job_get_for_user(user=request.user, uid=uid)
    if job is None:
        return not_found(request, _("Không tìm thấy tệp xuất."))
    template = "reports/_export_status.html" if request.headers.get("HX-Request") else "reports/export_job.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
def export_download(request, uid):
    job = export_job_get_for_user(user=request.user, uid=uid)
    if job is None or job.status != job.Status.DONE or not job.file:
        return not_found(request, _("Không tìm thấy tệp xuất."))
    path = Path(settings.MEDIA_ROOT) / job.file
    if not path.is_file():
        return not_found(request, _("Tệp xuất không còn trên máy chủ; hãy xuất lại."))
    oversight_read_record(user=request.user, kind=OversightRead.EXPORT, filters=exports.filters_from_params(job.params),
                          rows=job.total_rows)
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"vu-viec-{stamp}.{job.fmt}")
