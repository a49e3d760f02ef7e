"""Survey screens: the list, a plan (draft, edit, approve, steps, interviewers), its questionnaire versions
(edit, import and export XLSForm, freeze, print). Thin: forms check the shape, services write, selectors
read; a plan out of reach is a 404 like a missing one."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.selectors import user_roles
from web.ui import forbidden, found_or_404, run_service_for_page

from .forms import (
    AssignmentForm,
    InvitationForm,
    PlanForm,
    QuestionnaireForm,
    XlsformUploadForm,
    plan_initial,
    unit_choices_below,
)
from .models import STEP_ORDER
from .permissions import MENU_ROLES, may_approve_plans, may_read_answers, may_write_plans
from .questionnaire import SECTION, question_count, type_labels
from .selectors import (
    interviewer_candidates,
    invitation_counts,
    plan_alerts_for_user,
    plan_get_for_user,
    plan_list_for_user,
    plan_parts,
    questionnaire_get,
    quota_progress,
    units_planning_for,
)
from .services import (
    assignment_add,
    collection_version,
    interviewer_assigned,
    may_key_paper,
    invitation_codes_issue,
    plan_close,
    plan_open_link_set,
    plan_approve,
    plan_create,
    plan_step_complete,
    plan_update,
    questionnaire_draft,
    questionnaire_freeze,
    questionnaire_import,
    questionnaire_update,
)
from .exports import questionnaire_pdf
from .views_data import bank_forms
from .xlsform import xlsform_export


_run = run_service_for_page


def _plan(request, pk):
    return found_or_404(plan_get_for_user, user=request.user, pk=pk)


def _version(plan, number):
    return found_or_404(questionnaire_get, plan=plan, number=number)


@login_required
@require_GET
def plan_list(request):
    plans = list(plan_list_for_user(user=request.user)[:200])
    units = list(units_planning_for(user=request.user))
    if not (plans or units or user_roles(request.user) & MENU_ROLES):
        return forbidden(request, _("Trang này dành cho văn phòng tổng hợp, lãnh đạo, giám sát và điều tra viên."))
    return render(request, "surveys/list.html", {
        "plans": plans, "may_plan": bool(units), "alerts": list(plan_alerts_for_user(user=request.user)[:50]),
    })


def _plan_form(request, data=None, initial=None):
    units = list(units_planning_for(user=request.user))
    return PlanForm(data, initial=initial, units=units, localities=unit_choices_below(units))


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request):
    if not units_planning_for(user=request.user).exists():  # 403 before 400
        return forbidden(request, _("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới lập kế hoạch điều tra."))
    form = _plan_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        plan = _run(request, plan_create, data=form.plan_input())
        if plan is not None:
            messages.success(request, _("Đã lập dự thảo kế hoạch điều tra; lãnh đạo đơn vị phê duyệt."))
            return redirect("surveys:plan", pk=plan.pk)
    return render(request, "surveys/plan_form.html", {"form": form, "plan": None})


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = _plan(request, pk)
    if not may_write_plans(request.user, plan.unit):
        return forbidden(request, _("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới sửa kế hoạch điều tra."))
    form = _plan_form(request, request.POST or None, initial=plan_initial(plan, plan_parts(plan=plan)))
    if request.method == "POST" and form.is_valid():
        if _run(request, plan_update, plan=plan, data=form.plan_input()) is not None:
            messages.success(request, _("Đã lưu kế hoạch."))
            return redirect("surveys:plan", pk=plan.pk)
    return render(request, "surveys/plan_form.html", {"form": form, "plan": plan})


@login_required
@require_GET
def plan_detail(request, pk):
    plan = _plan(request, pk)
    parts = plan_parts(plan=plan)
    writer = may_write_plans(request.user, plan.unit)
    return render(request, "surveys/plan_detail.html", {
        "plan": plan, **parts, "writer": writer, "approver": may_approve_plans(request.user, plan.unit),
        "total_budget": sum(line.amount for line in parts["budget_lines"]),
        "quota_total": sum(q.target for q in parts["quotas"]),
        "assignment_form": AssignmentForm(candidates=interviewer_candidates(plan=plan)) if writer else None,
        "upload_form": XlsformUploadForm() if writer else None, "now": timezone.now(),
        "invitation_form": InvitationForm() if writer else None, "collection": collection_version(plan),
        "counts": invitation_counts(plan=plan), "progress": quota_progress(plan=plan),
        "interviewing": interviewer_assigned(plan=plan, user=request.user),
        "paper_keying": collection_version(plan) is not None and may_key_paper(request.user, plan),
        "reads_answers": may_read_answers(request.user, plan),
    })


@login_required
@require_POST
def plan_approve_view(request, pk):
    plan = _plan(request, pk)
    if _run(request, plan_approve, plan=plan) is not None:
        messages.success(request, _("Đã phê duyệt kế hoạch; các bước bắt đầu được nhắc hạn."))
    return redirect("surveys:plan", pk=plan.pk)


@login_required
@require_POST
def step_done(request, pk, kind):
    plan = _plan(request, pk)
    step = plan.steps.filter(kind=kind).first() if kind in STEP_ORDER else None
    if step is None:
        raise Http404
    if _run(request, plan_step_complete, step=step) is not None:
        messages.success(request, _("Đã ghi nhận hoàn thành bước “%(step)s”.") % {"step": step.get_kind_display()})
    return redirect("surveys:plan", pk=plan.pk)


@login_required
@require_POST
def assignment_create(request, pk):
    plan = _plan(request, pk)
    if not may_write_plans(request.user, plan.unit):
        return forbidden(request)
    form = AssignmentForm(request.POST, candidates=interviewer_candidates(plan=plan))
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
    elif _run(request, assignment_add, plan=plan, user=form.cleaned_data["user"],
              target=form.cleaned_data["target"]) is not None:
        messages.success(request, _("Đã phân công điều tra viên."))
    return redirect("surveys:plan", pk=plan.pk)


@login_required
@require_POST
def invitations_issue(request, pk):
    """New invitation codes, shown this once (only their digests are kept) on a page to print and cut."""
    plan = _plan(request, pk)
    if not may_write_plans(request.user, plan.unit):  # 403 before the count is read
        return forbidden(request)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Số mã mời phải từ 1 đến 2000."))
        return redirect("surveys:plan", pk=plan.pk)
    codes = _run(request, invitation_codes_issue, plan=plan, count=form.cleaned_data["count"])
    if codes is None:
        return redirect("surveys:plan", pk=plan.pk)
    link = request.build_absolute_uri(reverse("surveys_public:form", args=[plan.pk]))
    return render(request, "surveys/invitations.html", {"plan": plan, "codes": codes, "link": link})


@login_required
@require_POST
def plan_close_view(request, pk):
    plan = _plan(request, pk)
    if _run(request, plan_close, plan=plan) is not None:
        messages.success(request, _("Đã kết thúc thu thập; không nhận phiếu trả lời mới."))
    return redirect("surveys:plan", pk=plan.pk)


@login_required
@require_POST
def open_link_set(request, pk):
    plan = _plan(request, pk)
    enabled = request.POST.get("enabled") == "1"
    if _run(request, plan_open_link_set, plan=plan, enabled=enabled) is not None:
        messages.success(request, _("Đã mở phiếu cho mọi người, không cần mã mời.") if enabled
                         else _("Đã đóng phiếu mở; chỉ người có mã mời mới trả lời được."))
    return redirect("surveys:plan", pk=plan.pk)


@login_required
@require_POST
def questionnaire_new(request, pk):
    plan = _plan(request, pk)
    version = _run(request, questionnaire_draft, plan=plan)
    if version is None:
        return redirect("surveys:plan", pk=plan.pk)
    messages.success(request, _("Đã lập phiếu hỏi phiên bản %(n)s.") % {"n": version.number})
    return redirect("surveys:questionnaire", pk=plan.pk, number=version.number)


@login_required
@require_POST
def questionnaire_upload(request, pk):
    plan = _plan(request, pk)
    if not may_write_plans(request.user, plan.unit):  # 403 before the file is read
        return forbidden(request)
    form = XlsformUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Hãy chọn một tệp XLSForm."))
        return redirect("surveys:plan", pk=plan.pk)
    upload = form.cleaned_data["file"]
    version = _run(request, questionnaire_import, plan=plan, data=upload.read(), filename=upload.name)
    if version is None:
        return redirect("surveys:plan", pk=plan.pk)
    messages.success(request, _("Đã nhập XLSForm vào phiếu hỏi phiên bản %(n)s.") % {"n": version.number})
    return redirect("surveys:questionnaire", pk=plan.pk, number=version.number)


def sections_of(content: dict) -> list[dict]:
    """The questions grouped for display: loose questions form sections of their own without a heading."""
    sections, loose = [], None
    for item in content.get("items", []):
        if item["type"] == SECTION:
            loose = None
            sections.append(item)
        else:
            if loose is None:
                loose = {"type": SECTION, "name": "", "label": "", "relevant": "", "items": []}
                sections.append(loose)
            loose["items"].append(item)
    return sections


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_detail(request, pk, number):
    plan = _plan(request, pk)
    version = _version(plan, number)
    writer = may_write_plans(request.user, plan.unit)
    form = None
    if writer and not version.is_frozen:
        form = QuestionnaireForm(request.POST or None, initial={
            "title": version.title, "content": json.dumps(version.content, ensure_ascii=False, indent=1)})
    if request.method == "POST":
        if not writer:
            return forbidden(request)
        if form is None or not form.is_valid():
            if version.is_frozen:
                messages.error(request, _("Phiếu hỏi phiên bản %(n)s đã khóa khi bắt đầu thu thập nên không sửa "
                                          "được; hãy lập phiên bản mới.") % {"n": version.number})
            return redirect("surveys:questionnaire", pk=plan.pk, number=version.number)
        try:
            content = json.loads(form.cleaned_data["content"])
        except ValueError:
            messages.error(request, _("Nội dung phiếu không phải JSON hợp lệ."))
        else:
            if _run(request, questionnaire_update, version=version, title=form.cleaned_data["title"],
                    content=content) is not None:
                messages.success(request, _("Đã lưu phiếu hỏi."))
                return redirect("surveys:questionnaire", pk=plan.pk, number=version.number)
    return render(request, "surveys/questionnaire.html", {
        "plan": plan, "version": version, "sections": sections_of(version.content), "form": form, "writer": writer,
        "types": type_labels(), "questions": question_count(version.content),
        **(bank_forms(version) if writer else {}),
    })


@login_required
@require_POST
def questionnaire_freeze_view(request, pk, number):
    plan = _plan(request, pk)
    version = _version(plan, number)
    if _run(request, questionnaire_freeze, version=version) is not None:
        messages.success(request, _("Đã khóa phiếu hỏi phiên bản %(n)s; bắt đầu thu thập.") % {"n": version.number})
    return redirect("surveys:questionnaire", pk=plan.pk, number=version.number)


@login_required
@require_GET
def questionnaire_xlsform(request, pk, number):
    plan = _plan(request, pk)
    version = _version(plan, number)
    data = xlsform_export(content=version.content, title=version.title, version=version.number)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{version.content.get("form_id", "phieu")}-v{version.number}.xlsx"'
    return response


@login_required
@require_GET
def questionnaire_print(request, pk, number):
    plan = _plan(request, pk)
    version = _version(plan, number)
    return render(request, "surveys/print.html", {
        "plan": plan, "version": version, "sections": sections_of(version.content), "types": type_labels(),
    })


@login_required
@require_GET
def questionnaire_print_pdf(request, pk, number):
    plan = _plan(request, pk)
    version = _version(plan, number)
    data = questionnaire_pdf(context={"plan": plan, "version": version, "sections": sections_of(version.content)})
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{version.content.get("form_id", "phieu")}-v{version.number}.pdf"'
    return response
