"""Queues: my tasks, my unit's tasks, overdue, everything I may see; filters, search, export."""

from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cases.exports import case_export_csv
from cases.models import OPEN_STATUSES
from cases.selectors import case_list_for_user
from workflow.queues import my_tasks, task_queue_for_user

from ..forms import CaseFilterForm
from .common import CappedPaginator, capped_count, selector_filters

PER_PAGE = 50

TABS = [
    ("mine", _("Việc của tôi")),
    ("unit", _("Việc của đơn vị")),
    ("overdue", _("Quá hạn")),
    ("all", _("Tất cả")),
]


def _overdue_rank(now):
    # 0 for open cases past their step deadline, so they come first.
    return models.Case(
        models.When(status__in=OPEN_STATUSES, deadline__lt=now, then=models.Value(0)),
        default=models.Value(1), output_field=models.IntegerField(),
    )


def tab_cases(*, user, tab: str, filters: dict):
    """The cases of one tab, through the scoped selector; task tabs keep only cases with an open task."""
    cases = case_list_for_user(user=user, filters={**filters, "overdue": tab == "overdue"})
    if tab == "mine":
        cases = cases.filter(pk__in=my_tasks(user=user).values("process__artifact_object_id"))
    elif tab == "unit":
        cases = cases.filter(pk__in=task_queue_for_user(user=user).values("process__artifact_object_id"))
    return cases


def _ordered(cases, tab):
    now = timezone.now()
    if tab == "overdue":
        # Every row is overdue: the most overdue first, along the (owner, status, deadline) index.
        return cases.order_by("deadline", "pk")
    if tab == "all":
        return cases.annotate(overdue_rank=_overdue_rank(now)).order_by("overdue_rank", "-received_at", "-pk")
    # Work queues: overdue first, then what falls due soonest.
    return cases.annotate(overdue_rank=_overdue_rank(now)).order_by(
        "overdue_rank", models.F("deadline").asc(nulls_last=True), "pk"
    )


def _tasks_by_case(user, tab, case_ids):
    """The open tasks shown next to each row of a task tab (one query for the page)."""
    if tab not in ("mine", "unit") or not case_ids:
        return {}
    source = my_tasks(user=user) if tab == "mine" else task_queue_for_user(user=user)
    tasks = {}
    for task in source.filter(process__artifact_object_id__in=case_ids):
        tasks.setdefault(task.process.artifact_object_id, []).append(task)
    return tasks


@login_required
@require_GET
def queue(request):
    form = CaseFilterForm(request.GET or None, user=request.user)
    filters = selector_filters(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    tab = request.GET.get("tab")
    if tab not in dict(TABS):
        tab = "mine" if tab_cases(user=request.user, tab="mine", filters={}).exists() else "unit"
    counts = {name: capped_count(tab_cases(user=request.user, tab=name, filters=filters)) for name, _label in TABS}
    cases = _ordered(tab_cases(user=request.user, tab=tab, filters=filters), tab)
    paginator = CappedPaginator(cases, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    tasks = _tasks_by_case(request.user, tab, [case.pk for case in rows])
    return render(request, "web/queue.html", {
        "form": form,
        "tab": tab,
        "tabs": [(name, label, counts[name]) for name, label in TABS],
        "page": page,
        "paginator": paginator,
        "rows": [(case, tasks.get(case.pk, [])) for case in rows],
        "elided": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "now": timezone.now(),
        "filtered": bool(filters),
    })


@login_required
@require_GET
def export(request):
    """The filtered list as CSV (the same scoped selector as the screen)."""
    form = CaseFilterForm(request.GET or None, user=request.user)
    filters = selector_filters(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    if request.GET.get("tab") == "overdue":
        filters["overdue"] = True
    # A BOM so spreadsheet programs read the Vietnamese text as UTF-8.
    body = "\ufeff" + case_export_csv(user=request.user, filters=filters)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="vu-viec-{stamp}.csv"'
    return response
