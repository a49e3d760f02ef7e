"""Paper data entry: a keyboard-first screen to key paper forms by their number (Tab from field to field,
Ctrl+Enter to save, the number field focused again), the double-entry sample, and one form's discrepancies
settled field by field. Thin: services check and write, selectors read; a plan out of reach is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.exceptions import CaseError, PermissionDenied
from web.ui import forbidden, found_or_404, refused

from .permissions import may_write_plans
from .questionnaire import type_labels
from .selectors import paper_discrepancies, paper_entry_count, paper_sample_forms, plan_get_for_user
from .services import (
    collection_version,
    may_key_paper,
    paper_decide,
    paper_entry_save,
    paper_in_sample,
    plan_double_entry_set,
)
from .views import sections_of

SKIP_FIELDS = ("csrfmiddlewaretoken", "form_number")


def _plan(request, pk):
    return found_or_404(plan_get_for_user, user=request.user, pk=pk)


def _raw_answers(request) -> dict:
    return {key: (values if len(values) > 1 else values[0])
            for key, values in request.POST.lists() if key not in SKIP_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def paper_entry(request, pk):
    plan = _plan(request, pk)
    if not may_key_paper(request.user, plan):
        return forbidden(request, _("Chỉ văn phòng tổng hợp, lãnh đạo đơn vị hoặc điều tra viên được phân công mới nhập phiếu."))
    version = collection_version(plan)
    context = {"plan": plan, "version": version, "types": type_labels(), "given": {}, "errors": {},
               "sections": sections_of(version.content) if version else [],
               "writer": may_write_plans(request.user, plan.unit)}
    status = 200
    if request.method == "POST":
        raw = _raw_answers(request)
        try:
            entry = paper_entry_save(plan=plan, by=request.user, form_number=request.POST.get("form_number"), raw=raw)
        except ValidationError as error:
            context.update(given=raw, errors=error.message_dict, form_number=request.POST.get("form_number", ""),
                           error=_("Phiếu chưa lưu; xem các ô được đánh dấu."))
            status = 400
        except CaseError as error:
            messages.error(request, refused(error.message))
            return redirect("surveys:paper", pk=plan.pk)
        else:
            if entry.round == 2:
                messages.success(request, _("Đã nhập lần hai phiếu số %(n)s (nhập lại kiểm tra).") % {"n": entry.form_number})
            elif paper_in_sample(plan, entry.form_number):
                messages.success(request, _("Đã nhập phiếu số %(n)s. Phiếu này thuộc mẫu nhập lại kiểm tra: "
                                            "một người khác sẽ nhập lần hai.") % {"n": entry.form_number})
            else:
                messages.success(request, _("Đã nhập phiếu số %(n)s.") % {"n": entry.form_number})
            return redirect("surveys:paper", pk=plan.pk)
    context.update(sample=paper_sample_forms(plan=plan), keyed=paper_entry_count(plan=plan))
    return render(request, "surveys/paper_entry.html", context, status=status)


@login_required
@require_POST
def paper_sample_set(request, pk):
    plan = _plan(request, pk)
    try:
        plan_double_entry_set(plan=plan, by=request.user, every=request.POST.get("double_entry_every"))
    except PermissionDenied as error:
        return forbidden(request, error.message)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Đã lưu mẫu nhập lại kiểm tra."))
    return redirect("surveys:paper", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def paper_form(request, pk, number):
    """One paper form's two keyings compared field by field; POST settles one field."""
    plan = _plan(request, pk)
    if not may_key_paper(request.user, plan):
        return forbidden(request, _("Chỉ văn phòng tổng hợp, lãnh đạo đơn vị hoặc điều tra viên được phân công mới nhập phiếu."))
    if request.method == "POST":
        try:
            paper_decide(plan=plan, by=request.user, form_number=number, field=request.POST.get("field", ""),
                         choice=request.POST.get("choice", ""))
        except PermissionDenied as error:
            return forbidden(request, error.message)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Đã ghi quyết định."))
        return redirect("surveys:paper_form", pk=plan.pk, number=number)
    fields = paper_discrepancies(plan=plan, form_number=int(number))
    return render(request, "surveys/paper_form.html", {"plan": plan, "number": number, "fields": fields})
