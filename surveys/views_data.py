"""The cleaned data's exports, a published report's tables, the data system's search and the question bank.
Thin: selectors scope what is read, services write; a plan or report out of reach is a 404 like a missing one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.selectors import user_roles
from web.ui import forbidden, found_or_404, run_service_for_page

from . import exports_data
from .forms_data import BankAddForm, BankSearchForm, BankUseForm, SurveySearchForm
from .permissions import MENU_ROLES, may_read_answers, may_write_plans
from .questionnaire import SECTION, all_items
from .selectors import bank_list, plan_get_for_user, questionnaire_get, results_get_for_user, survey_search_for_user
from .services.bank import BANK_TYPES, bank_question_add, bank_question_use

DATA_FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": exports_data.XLSX, "sav": "application/x-spss-sav"}


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _data(request, pk):
    plan = found_or_404(plan_get_for_user, user=request.user, pk=pk)
    if not may_read_answers(request.user, plan):
        raise Http404
    return plan, exports_data.microdata(plan=plan)


@login_required
@require_GET
def data_export(request, pk, fmt):
    """The cleaned answers as CSV, XLSX or SPSS .sav: for those who read the answers."""
    if fmt not in DATA_FORMATS:
        raise Http404
    plan, data = _data(request, pk)
    if fmt == "sav":
        body = exports_data.data_sav(data, title=plan.topic)
    else:
        body = exports_data.data_csv(data) if fmt == "csv" else exports_data.data_xlsx(data)
    return _download(body, DATA_FORMATS[fmt], f"dieu-tra-{plan.pk}.{fmt}")


@login_required
@require_GET
def codebook_export(request, pk):
    """The codebook (từ điển biến) as CSV; the XLSX and the .sav carry it too."""
    plan, data = _data(request, pk)
    return _download(exports_data.codebook_csv(data), DATA_FORMATS["csv"], f"dieu-tra-{plan.pk}-tu-dien-bien.csv")


@login_required
@require_GET
def results_tables_export(request, pk, fmt):
    """A results report's frozen tables (suppressed cells hidden), for whoever reads the report."""
    results = found_or_404(results_get_for_user, user=request.user, pk=pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    body = exports_data.results_csv(results) if fmt == "csv" else exports_data.results_xlsx(results)
    return _download(body, DATA_FORMATS[fmt], f"ket-qua-{results.pk}-{slugify(results.title)[:40] or 'bang'}.{fmt}")


def _may_use_data_system(request) -> bool:
    return bool(user_roles(request.user) & MENU_ROLES)


@login_required
@require_GET
def data_system(request):
    """Kho dữ liệu điều tra: every survey of the person's reach and every result published to them."""
    form = SurveySearchForm(request.GET or None)
    hits = []
    if form.is_bound and form.is_valid():
        hits = survey_search_for_user(user=request.user, filters=form.cleaned_data)
    elif not form.is_bound:
        hits = survey_search_for_user(user=request.user)
    if not (hits or _may_use_data_system(request)):
        return forbidden(request, _("Trang này dành cho văn phòng tổng hợp, lãnh đạo, giám sát và thanh tra."))
    return render(request, "surveys/data_system.html", {"form": form, "hits": hits, "searched": form.is_bound})


@login_required
@require_GET
def bank(request):
    if not _may_use_data_system(request):
        return forbidden(request, _("Trang này dành cho văn phòng tổng hợp, lãnh đạo, giám sát và thanh tra."))
    form = BankSearchForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    return render(request, "surveys/bank.html", {"form": form, "questions": bank_list(q=q)})


def bank_forms(version, data=None) -> dict:
    """The questionnaire page's two bank forms (its writers only)."""
    questions = [(item["name"], f"{item['name']}: {item['label'][:80]}") for item in all_items(version.content)
                 if item.get("type") != SECTION and item.get("type") in BANK_TYPES and not item.get("bank")]
    return {"bank_add_form": BankAddForm(data, questions=questions), "bank_use_form": BankUseForm(data)}


@login_required
@require_POST
def bank_add(request, pk, number):
    plan = found_or_404(plan_get_for_user, user=request.user, pk=pk)
    version = found_or_404(questionnaire_get, plan=plan, number=number)
    if not may_write_plans(request.user, plan.unit):  # 403 before the form is read
        return forbidden(request)
    form = bank_forms(version, request.POST)["bank_add_form"]
    if not form.is_valid():
        messages.error(request, _("Hãy chọn câu hỏi và nhập mã trong ngân hàng."))
    elif (added := run_service_for_page(request, bank_question_add, version=version, **form.cleaned_data)) is not None:
        messages.success(request, _("Đã đưa câu “%(name)s” vào ngân hàng, mã %(code)s.")
                         % {"name": form.cleaned_data["question"], "code": added.code})
    return redirect("surveys:questionnaire", pk=plan.pk, number=version.number)


@login_required
@require_POST
def bank_use(request, pk, number):
    plan = found_or_404(plan_get_for_user, user=request.user, pk=pk)
    version = found_or_404(questionnaire_get, plan=plan, number=number)
    if not may_write_plans(request.user, plan.unit):  # 403 before the form is read
        return forbidden(request)
    form = BankUseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy nhập mã câu hỏi trong ngân hàng."))
    elif run_service_for_page(request, bank_question_use, version=version, **form.cleaned_data) is not None:
        messages.success(request, _("Đã thêm câu %(code)s của ngân hàng vào cuối phiếu.") % form.cleaned_data)
    return redirect("surveys:questionnaire", pk=plan.pk, number=version.number)
