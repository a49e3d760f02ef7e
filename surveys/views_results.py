"""Result screens of a survey: the weights, the analysis (live, internal), the results reports and their
publication, and the report as DOCX and PDF. Thin: services write, selectors and surveys.results_tables read;
a plan or a report out of reach is a 404 like a missing one, a reader who may not act gets a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from web.ui import forbidden, found_or_404, run_service_for_page

from .forms_results import ResultsForm, results_initial
from .models import ResultsStatus
from .permissions import may_approve_plans, may_read_answers, may_write_plans
from .results_docs import results_docx, results_pdf
from .results_tables import (
    analysis_data,
    crosstab_table,
    earlier_bank_figures,
    frequency_table,
    newest_run,
    published_table,
    weighting_margins,
)
from .selectors import plan_get_for_user, results_get_for_user, results_list_for_user
from .services import results_approve, results_create, results_return, results_submit, results_update, weighting_run
from .services.results import specs_clean

_run = run_service_for_page


def _plan(request, pk):
    return found_or_404(plan_get_for_user, user=request.user, pk=pk)


def _results(request, rid):
    return found_or_404(results_get_for_user, user=request.user, pk=rid)


NOT_ANSWER_READER = gettext_lazy("Chỉ văn phòng tổng hợp, lãnh đạo đơn vị chủ trì và giám sát, kiểm tra cấp trên mới xem "
                      "số liệu phân tích.")


@login_required
@require_http_methods(["GET", "POST"])
def weighting(request, pk):
    plan = _plan(request, pk)
    if not may_read_answers(request.user, plan):
        return forbidden(request, str(NOT_ANSWER_READER))
    writer = may_write_plans(request.user, plan.unit)
    if request.method == "POST":
        if not writer:
            return forbidden(request)
        if _run(request, weighting_run, plan=plan) is not None:
            messages.success(request, _("Đã tính trọng số gia quyền."))
        return redirect("surveys:weighting", pk=plan.pk)
    run = newest_run(plan)
    return render(request, "surveys/weighting.html", {
        "plan": plan, "run": run, "margins": weighting_margins(run) if run else [], "writer": writer,
        "plan_margins": plan.margins(),
    })


@login_required
@require_GET
def analysis(request, pk):
    plan = _plan(request, pk)
    if not may_read_answers(request.user, plan):
        return forbidden(request, str(NOT_ANSWER_READER))
    data = analysis_data(plan=plan)
    frequencies = [frequency_table(data, v.name) for v in data.categorical] if data.respondents else []
    earlier = earlier_bank_figures(user=request.user, plan=plan, codes={t["bank"] for t in frequencies if t["bank"]})
    for table in frequencies:
        table["earlier"] = earlier.get(table["bank"], []) if table["bank"] else []
    single = {v.name for v in data.single}
    row, column = request.GET.get("row", ""), request.GET.get("column", "")
    crosstab = None
    if row or column:
        if row in single and column in single and row != column and data.respondents:
            crosstab = crosstab_table(data, row, column)
        else:
            messages.error(request, _("Bảng chéo cần hai câu hỏi khác nhau, mỗi câu chọn một phương án."))
    return render(request, "surveys/analysis.html", {
        "plan": plan, "data": data, "frequencies": frequencies, "crosstab": crosstab, "row": row, "column": column,
        "single": data.single, "results": results_list_for_user(user=request.user).filter(plan=plan),
        "writer": may_write_plans(request.user, plan.unit),
    })


# --- results reports ---------------------------------------------------------------------------------


@login_required
@require_GET
def results_list(request):
    found = results_list_for_user(user=request.user)
    plan_id = request.GET.get("plan", "")
    if plan_id.isascii() and plan_id.isdigit() and len(plan_id) <= 9:  # "²" is a digit to isdigit, not to int
        found = found.filter(plan_id=int(plan_id))
    return render(request, "surveys/results_list.html", {"found": list(found[:200])})


def _form(request, plan, data=None, initial=None):
    variables = analysis_data(plan=plan)
    return ResultsForm(data, initial=initial, variables=variables.categorical, single=variables.single)


def _save(request, form, service, **kwargs):
    return _run(request, service, title=form.cleaned_data["title"], summary=form.cleaned_data["summary"],
                scope=form.cleaned_data["scope"], table_specs=form.table_specs(), **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def results_new(request, pk):
    plan = _plan(request, pk)
    if not may_write_plans(request.user, plan.unit):  # 403 before the form is read
        return forbidden(request, _("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới lập báo cáo kết quả."))
    form = _form(request, plan, request.POST or None, initial={"title": _("Kết quả điều tra: %(topic)s")
                                                              % {"topic": plan.topic}})
    if request.method == "POST" and form.is_valid():
        results = _save(request, form, results_create, plan=plan)
        if results is not None:
            messages.success(request, _("Đã lập dự thảo báo cáo kết quả."))
            return redirect("surveys:results", rid=results.pk)
    return render(request, "surveys/results_form.html", {"form": form, "plan": plan, "results": None})


@login_required
@require_http_methods(["GET", "POST"])
def results_edit(request, rid):
    results = _results(request, rid)
    plan = results.plan
    if not may_write_plans(request.user, plan.unit):
        return forbidden(request)
    form = _form(request, plan, request.POST or None, initial=results_initial(results))
    if request.method == "POST" and form.is_valid():
        if _save(request, form, results_update, results=results) is not None:
            messages.success(request, _("Đã lưu báo cáo kết quả."))
            return redirect("surveys:results", rid=results.pk)
    return render(request, "surveys/results_form.html", {"form": form, "plan": plan, "results": results})


def _shown_tables(request, results) -> tuple[list[dict], bool]:
    """Published: the frozen tables. Before: the tables as they would be published today (computed, suppressed)."""
    if results.is_published:
        return results.tables, False
    try:
        data = analysis_data(plan=results.plan)
        specs = specs_clean(plan=results.plan, specs=results.table_specs)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return [], True
    return ([published_table(data, spec) for spec in specs] if data.respondents else []), True


@login_required
@require_GET
def results_detail(request, rid):
    results = _results(request, rid)
    tables, preview = _shown_tables(request, results)
    unit = results.plan.unit
    return render(request, "surveys/results_detail.html", {
        "results": results, "plan": results.plan, "tables": tables, "preview": preview,
        "writer": may_write_plans(request.user, unit) and results.status == ResultsStatus.DRAFT,
        "approver": may_approve_plans(request.user, unit) and results.status == ResultsStatus.SUBMITTED,
    })


def _act(request, rid, service, done, *, approver=False, **kwargs):
    results = _results(request, rid)
    allowed = (may_approve_plans if approver else may_write_plans)(request.user, results.plan.unit)
    if not allowed:  # 403 before anything is read from the form
        return forbidden(request, _("Chỉ lãnh đạo của đơn vị chủ trì mới duyệt công bố kết quả điều tra.") if approver
                         else _("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới gửi báo cáo kết quả."))
    if _run(request, service, results=results, **{k: v(request) for k, v in kwargs.items()}) is not None:
        messages.success(request, done)
    return redirect("surveys:results", rid=results.pk)


@login_required
@require_POST
def results_submit_view(request, rid):
    return _act(request, rid, results_submit, _("Đã gửi báo cáo kết quả để lãnh đạo duyệt."))


@login_required
@require_POST
def results_approve_view(request, rid):
    return _act(request, rid, results_approve, _("Đã duyệt và công bố kết quả điều tra."), approver=True)


@login_required
@require_POST
def results_return_view(request, rid):
    return _act(request, rid, results_return, _("Đã trả lại báo cáo kết quả để sửa."), approver=True,
                reason=lambda r: r.POST.get("reason", ""))


def _document(request, rid):
    results = _results(request, rid)
    tables, _preview = _shown_tables(request, results)
    return results, tables


@login_required
@require_GET
def results_docx_view(request, rid):
    results, tables = _document(request, rid)
    response = HttpResponse(results_docx(results=results, tables=tables),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f'attachment; filename="ket-qua-dieu-tra-{results.pk}.docx"'
    return response


@login_required
@require_GET
def results_pdf_view(request, rid):
    results, tables = _document(request, rid)
    response = HttpResponse(results_pdf(results=results, tables=tables), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ket-qua-dieu-tra-{results.pk}.pdf"'
    return response
