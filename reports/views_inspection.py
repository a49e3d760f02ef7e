"""The inspection committee's screens: read-only over cases, and every page view logged.

An inspection names a unit and a period. Its pages show the performance
with drill-down, time per step, red flags, a seeded sample of closed cases,
each case's history and its state "as it stood" on a chosen date, the
hash-chain check, and notes that only inspectors and supervisors read.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cases.audit import audit_verify
from cases.exceptions import CaseError, CaseNotFound
from cases.models import Unit
from cases.selectors import case_events, case_get_for_user
from web.ui import CappedPaginator, forbidden, not_found, refused

from .forms import AsOfForm, InspectionOpenForm, NoteForm
from .inspection import (
    FLAG_LABELS,
    METRICS,
    SAMPLE_SIZE,
    access_log_for_user,
    as_of_rows,
    case_as_of,
    case_sample,
    inspection_get_for_user,
    inspection_list_for_user,
    inspection_notes,
    metric_case_ids,
    red_flags,
    step_times,
    unit_scope,
)
from .oversight import admin_change_fields, admin_changes_for_user, describe_access
from .periods import bounds
from .permissions import inspector_units_paths
from .services import inspection_access_record, inspection_open, inspector_note_add

PER_PAGE = 50
CHECK_LIMIT = 5000


def _scope_units(user):
    paths = inspector_units_paths(user)
    units = Unit.objects.none()
    for path in paths:
        units = units | Unit.objects.filter(path__startswith=path, is_active=True)
    return units.order_by("path")


def inspector_page_logged(what):
    """A page of the inspection area as a whole: inspectors and supervisors only (a 403 for anyone else),
    and every opening written to the inspection access log as `what`."""
    def decorate(view):
        @wraps(view)
        def page(request, *args, **kwargs):
            if not inspector_units_paths(request.user):
                return forbidden(request, _("Trang này dành cho cán bộ kiểm tra, giám sát."))
            inspection_access_record(user=request.user, what=what)
            return view(request, *args, **kwargs)
        return page
    return decorate


def inspection_page_logged(what, detail=None):
    """A page of one inspection: the view gets the inspection in place of its `pk` (one out of reach is a 404,
    like a missing one), and every opening is written to the access log as "Cuộc kiểm tra #pk: `what`".

    `what` is the page's lazy name; `detail`, a function of the request and the other URL arguments, gives
    the case code (`case_code`) or the list's metric (`scope`) it showed.
    """
    def decorate(view):
        @wraps(view)
        def page(request, pk, **kwargs):
            try:
                inspection = inspection_get_for_user(user=request.user, pk=pk)
            except CaseNotFound:
                return not_found(request, _("Không tìm thấy cuộc kiểm tra."))
            shown = detail(request, **kwargs) if detail else {}
            inspection_access_record(user=request.user, what=what, inspection=inspection, **shown)
            return view(request, inspection, **kwargs)
        return page
    return decorate


def _metric(request) -> str:
    metric = request.GET.get("metric") or "all"
    return metric if metric in METRICS else "all"


@login_required
@require_GET
@inspector_page_logged(gettext_lazy("Danh sách cuộc kiểm tra"))
def inspection_home(request):
    today = timezone.localdate()
    form = InspectionOpenForm(units=_scope_units(request.user),
                              initial={"period_start": today.replace(day=1), "period_end": today})
    return render(request, "reports/inspection/home.html", {
        "form": form, "inspections": list(inspection_list_for_user(user=request.user)[:100]),
    })


@login_required
@require_POST
def inspection_create(request):
    form = InspectionOpenForm(request.POST, units=_scope_units(request.user))
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect("reports:inspection_home")
    try:
        inspection = inspection_open(by=request.user, **form.cleaned_data)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("reports:inspection_home")
    except CaseError as error:
        messages.error(request, refused(error.message))
        return redirect("reports:inspection_home")
    return redirect("reports:inspection", pk=inspection.pk)


@login_required
@require_GET
@inspection_page_logged(gettext_lazy("hiệu quả xử lý"))
def inspection_detail(request, inspection):
    ids = metric_case_ids(user=request.user, inspection=inspection)
    since, until = bounds(inspection.period_start, inspection.period_end)
    result, limited = None, False
    if request.GET.get("check"):
        checked = sorted(ids["all"])[:CHECK_LIMIT]
        limited = len(ids["all"]) > CHECK_LIMIT
        result = audit_verify(case_ids=checked)
    flags = red_flags(case_ids=ids["all"])
    flag_counts = {}
    for found in flags.values():
        for flag in found:
            flag_counts[flag.code] = flag_counts.get(flag.code, 0) + 1
    return render(request, "reports/inspection/detail.html", {
        "inspection": inspection,
        "metrics": [(key, str(label), len(ids[key])) for key, label in METRICS.items()],
        "steps": step_times(case_ids=ids["all"], since=since, until=until),
        "flag_counts": [(str(FLAG_LABELS[code]), n) for code, n in sorted(flag_counts.items())],
        "notes": list(inspection_notes(inspection=inspection)),
        "note_form": NoteForm(),
        "result": result,
        "check_limited": limited,
    })


@login_required
@require_GET
@inspection_page_logged(gettext_lazy("danh sách vụ việc"), lambda request: {"scope": _metric(request)})
def inspection_cases_view(request, inspection):
    metric = _metric(request)
    ids = metric_case_ids(user=request.user, inspection=inspection)[metric]
    cases = unit_scope(user=request.user, inspection=inspection).filter(pk__in=ids)
    paginator = CappedPaginator(cases, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    flags = red_flags(case_ids=[case.pk for case in page.object_list])
    return render(request, "reports/inspection/cases.html", {
        "inspection": inspection, "metric": metric, "metric_label": METRICS[metric], "page": page,
        "paginator": paginator, "elided": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "rows": [(case, flags.get(case.pk, [])) for case in page.object_list],
        "metrics": [(key, str(label)) for key, label in METRICS.items()],
    })


@login_required
@require_GET
@inspection_page_logged(gettext_lazy("mẫu vụ việc đã đóng"))
def inspection_sample(request, inspection):
    sample = case_sample(user=request.user, inspection=inspection, size=SAMPLE_SIZE)
    flags = red_flags(case_ids=[case.pk for case in sample])
    return render(request, "reports/inspection/sample.html", {
        "inspection": inspection, "rows": [(case, flags.get(case.pk, [])) for case in sample], "size": SAMPLE_SIZE,
    })


@login_required
@require_GET
@inspection_page_logged(gettext_lazy("vụ việc"), lambda request, code: {"case_code": code[:40]})
def inspection_case(request, inspection, code):
    try:
        case = case_get_for_user(user=request.user, code=code)
    except CaseNotFound:
        return not_found(request)
    if not case.owner.path.startswith(inspection.unit.path):
        return not_found(request)
    form = AsOfForm(request.GET or None)
    state = rows = None
    if form.is_bound and form.is_valid():
        state = case_as_of(case=case, moment=form.cleaned_data["at"])
        rows = as_of_rows(state)
    return render(request, "reports/inspection/case.html", {
        "inspection": inspection, "case": case, "events": list(case_events(case=case)),
        "flags": red_flags(case_ids=[case.pk]).get(case.pk, []),
        "form": form, "state": state, "rows": rows,
        "notes": list(inspection_notes(inspection=inspection, case=case)),
        "note_form": NoteForm(initial={"case": case.code}),
        "result": audit_verify(case_ids=[case.pk]),
    })


@login_required
@require_POST
@inspection_page_logged(gettext_lazy("ghi chú"))
def inspection_note(request, inspection):
    form = NoteForm(request.POST)
    back = reverse("reports:inspection", args=[inspection.pk])
    case = None
    if form.is_valid() and form.cleaned_data.get("case"):
        try:
            case = case_get_for_user(user=request.user, code=form.cleaned_data["case"])
        except CaseNotFound:
            return not_found(request)
        back = reverse("reports:inspection_case", args=[inspection.pk, case.code])
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect(back)
    try:
        inspector_note_add(inspection=inspection, by=request.user, text=form.cleaned_data["text"], case=case)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    except CaseError as error:
        messages.error(request, refused(error.message))
    else:
        messages.success(request, _("Đã ghi chú."))
    return redirect(back)


@login_required
@require_GET
@inspector_page_logged(gettext_lazy("Nhật ký truy cập kiểm tra"))
def inspection_log(request):
    paginator = CappedPaginator(access_log_for_user(user=request.user), 100)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "reports/inspection/log.html", {
        "page": page, "paginator": paginator,
        "entries": [(entry, describe_access(entry)) for entry in page.object_list],
        "elided": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    })


@login_required
@require_GET
@inspector_page_logged(gettext_lazy("Nhật ký thay đổi cấu hình"))
def admin_change_log(request):
    """What administrators changed in roles, routing, calendars, clock policies and the rest, before and after."""
    paginator = CappedPaginator(admin_changes_for_user(user=request.user), 50)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "reports/inspection/admin_changes.html", {
        "page": page, "paginator": paginator,
        "entries": [(change, admin_change_fields(change)) for change in page.object_list],
        "elided": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    })
