"""The cleaning screen (làm sạch dữ liệu): the flags the checks found, each flagged answer's corrected values, a
keep/exclude decision with its reason and the decisions before it; the checks run again from here.

Who reads the answers (the unit's secretariat and leaders, supervisors and inspectors on or above it) sees the
screen; only the unit's secretariat and leaders run the checks and decide (403 for the others, before their input
is read). A plan out of reach is a 404.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.exceptions import PermissionDenied
from web.ui import forbidden, found_or_404, run_service_for_page

from .dataset import dataset_variables, excluded_answer_ids
from .models import CleaningDecision, FlagKind
from .permissions import may_write_plans
from .selectors import plan_get_for_user
from .selectors_cleaning import answer_values_shown, flag_counts, flag_detail_text, flagged_answers_for_user
from .services.cleaning import answer_review, answers_check

PER_PAGE = 20


def _plan(request, pk):
    return found_or_404(plan_get_for_user, user=request.user, pk=pk)


def _filters(source) -> dict:
    kind = source.get("kind", "")
    return {"kind": kind if kind in FlagKind.values else "", "open": "1" if source.get("open") == "1" else ""}


@login_required
@require_GET
def cleaning(request, pk):
    plan = _plan(request, pk)
    filters = _filters(request.GET)
    try:
        answers = flagged_answers_for_user(user=request.user, plan=plan, kind=filters["kind"] or None,
                                           undecided=bool(filters["open"]))
    except PermissionDenied as error:
        return forbidden(request, error.message)
    page = Paginator(answers, PER_PAGE).get_page(request.GET.get("page"))
    variables = dataset_variables(plan=plan)
    rows = []
    for answer in page:
        decisions = list(answer.cleaning_decisions.all())
        flags = [{"flag": flag, "text": flag_detail_text(flag)} for flag in answer.flags.all()]
        rows.append({"answer": answer, "flags": flags, "decision": decisions[0] if decisions else None,
                     "history": decisions, "values": answer_values_shown(answer=answer, variables=variables)})
    return render(request, "surveys/cleaning.html", {
        "plan": plan, "counts": flag_counts(plan=plan), "rows": rows, "page": page, "filters": filters,
        "answers": plan.answers.count(), "excluded": len(excluded_answer_ids(plan=plan)),
        "query": urlencode({k: v for k, v in filters.items() if v}), "kinds": FlagKind.choices,
        "writer": may_write_plans(request.user, plan.unit), "choices": CleaningDecision.Choice.choices,
    })


def _back(plan, source, anchor: str = "") -> str:
    query = {k: v for k, v in _filters(source).items() if v}
    if str(source.get("page", "")).isdigit():
        query["page"] = source["page"]
    url = reverse("surveys:cleaning", args=[plan.pk])
    return url + (f"?{urlencode(query)}" if query else "") + anchor


@login_required
@require_POST
def cleaning_check(request, pk):
    plan = _plan(request, pk)
    if not may_write_plans(request.user, plan.unit):
        return forbidden(request, _("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới làm sạch, mã hóa phiếu "
                                    "trả lời."))
    counts = run_service_for_page(request, answers_check, plan=plan)
    if counts is not None:
        labels = dict(FlagKind.choices)
        found = ", ".join(f"{labels[kind]}: {n}" for kind, n in counts.items())
        messages.success(request, _("Đã chạy kiểm tra. Phiếu bị cảnh báo theo loại — %(found)s.") % {"found": found})
    return redirect(_back(plan, request.POST))


@login_required
@require_POST
def cleaning_review(request, pk, answer_id):
    plan = _plan(request, pk)
    answer = plan.answers.filter(pk=answer_id).first()
    if answer is None:
        raise Http404
    if not may_write_plans(request.user, plan.unit):  # 403 before the decision is read
        return forbidden(request, _("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới làm sạch, mã hóa phiếu "
                                    "trả lời."))
    decision = run_service_for_page(request, answer_review, answer=answer, decision=request.POST.get("decision", ""),
                                    reason=request.POST.get("reason", ""))
    if decision is not None:
        messages.success(request, _("Phiếu #%(n)s: %(decision)s.") % {"n": answer.pk,
                                                                     "decision": decision.get_decision_display()})
    return redirect(_back(plan, request.POST, f"#a{answer.pk}"))
