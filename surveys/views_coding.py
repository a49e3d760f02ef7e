"""The coding screen (mã hóa câu trả lời mở): the plan's open questions with their progress, then one question at a
time: its tags and keywords, and its answers, each with the tags its keywords suggest ticked and marked as
suggestions until a reviewer saves the answer's codes.

Readers of the answers see it; the unit's secretariat and leaders write (403 for the others, before their input
is read); a plan out of reach, or a question that is not one of its open questions, is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.exceptions import PermissionDenied
from web.ui import forbidden, run_service_for_page

from .models import CodeTag
from .permissions import may_write_plans
from .selectors_cleaning import code_tags, open_answers_for_user, open_question_get, open_questions
from .services.coding import answer_code_set, code_tag_create, code_tag_delete, code_tag_update
from .views_cleaning import _plan

PER_PAGE = 20


def _writers_only() -> str:
    return _("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới làm sạch, mã hóa phiếu trả lời.")


def _question(plan, name):
    question = open_question_get(plan=plan, name=name)
    if question is None:
        raise Http404
    return question


@login_required
@require_GET
def coding_index(request, pk):
    plan = _plan(request, pk)
    rows = []
    try:
        for question in open_questions(plan=plan):
            tags = code_tags(plan=plan, question=question.name)
            answers = open_answers_for_user(user=request.user, plan=plan, question=question.name, tags=tags)
            rows.append({"question": question, "tags": len(tags), "total": len(answers),
                         "coded": sum(1 for a in answers if a.codes)})
    except PermissionDenied as error:
        return forbidden(request, error.message)
    return render(request, "surveys/coding_index.html", {"plan": plan, "rows": rows})


@login_required
@require_GET
def coding_question(request, pk, question):
    plan = _plan(request, pk)
    variable = _question(plan, question)
    tags = code_tags(plan=plan, question=question)
    try:
        answers = open_answers_for_user(user=request.user, plan=plan, question=question, tags=tags)
    except PermissionDenied as error:
        return forbidden(request, error.message)
    uncoded_only = request.GET.get("uncoded") == "1"
    shown = [a for a in answers if not a.codes] if uncoded_only else answers
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    # An answer not yet coded shows its suggestions ticked; a coded one shows its codes.
    rows = [{"item": item, "tags": [{"tag": tag, "checked": tag.pk in (item.codes or item.suggested),
                                     "suggested": tag.pk in item.suggested, "given": tag.pk in item.codes}
                                    for tag in tags]} for item in page]
    return render(request, "surveys/coding.html", {
        "plan": plan, "question": variable, "tags": tags, "rows": rows, "page": page, "uncoded_only": uncoded_only,
        "total": len(answers), "coded": sum(1 for a in answers if a.codes),
        "writer": may_write_plans(request.user, plan.unit),
    })


def _back(plan, question, source, anchor=""):
    url = reverse("surveys:coding_question", args=[plan.pk, question])
    query = "&".join(part for part in (
        "uncoded=1" if source.get("uncoded") == "1" else "",
        f"page={source['page']}" if str(source.get("page", "")).isdigit() else "") if part)
    return url + (f"?{query}" if query else "") + anchor


@login_required
@require_POST
def tag_create(request, pk, question):
    plan = _plan(request, pk)
    _question(plan, question)
    if not may_write_plans(request.user, plan.unit):
        return forbidden(request, _writers_only())
    tag = run_service_for_page(request, code_tag_create, plan=plan, question=question,
                               name=request.POST.get("name", ""), label=request.POST.get("label", ""),
                               keywords=request.POST.get("keywords", ""))
    if tag is not None:
        messages.success(request, _("Đã thêm mã “%(label)s”.") % {"label": tag.label})
    return redirect(_back(plan, question, request.POST, "#tags"))


def _tag(plan, question, tag_id) -> CodeTag:
    tag = CodeTag.objects.filter(plan=plan, question=question, pk=tag_id).select_related("plan__unit").first()
    if tag is None:
        raise Http404
    return tag


@login_required
@require_POST
def tag_update(request, pk, question, tag_id):
    plan = _plan(request, pk)
    tag = _tag(plan, question, tag_id)
    if not may_write_plans(request.user, plan.unit):
        return forbidden(request, _writers_only())
    if request.POST.get("delete") == "1":
        if run_service_for_page(request, code_tag_delete, tag=tag) is not None:
            messages.success(request, _("Đã xóa mã “%(label)s”.") % {"label": tag.label})
        return redirect(_back(plan, question, request.POST, "#tags"))
    if run_service_for_page(request, code_tag_update, tag=tag, name=request.POST.get("name", ""),
                            label=request.POST.get("label", ""), keywords=request.POST.get("keywords", "")):
        messages.success(request, _("Đã lưu mã “%(label)s”.") % {"label": tag.label})
    return redirect(_back(plan, question, request.POST, "#tags"))


@login_required
@require_POST
def answer_codes_save(request, pk, question, answer_id):
    plan = _plan(request, pk)
    _question(plan, question)
    answer = plan.answers.filter(pk=answer_id).first()
    if answer is None:
        raise Http404
    if not may_write_plans(request.user, plan.unit):
        return forbidden(request, _writers_only())
    given = request.POST.getlist("tags")
    # An id that is not a plain number of at most 9 digits ("²", or beyond the column) is no tag of this question.
    ids = {int(value) for value in given if value.isascii() and value.isdigit() and len(value) <= 9}
    tags = list(CodeTag.objects.filter(pk__in=ids))
    if len(tags) != len(set(given)):
        messages.error(request, _("Mã không thuộc câu hỏi này."))
    elif run_service_for_page(request, answer_code_set, answer=answer, question=question, tags=tags) is not None:
        messages.success(request, _("Đã lưu mã của phiếu #%(n)s.") % {"n": answer.pk})
    return redirect(_back(plan, question, request.POST, f"#a{answer.pk}"))
