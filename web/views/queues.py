"""Queues: my tasks, my unit's tasks, what was escalated to me, overdue, everything I may see; filters,
search, export.

The task tabs list the cases that have an open task in the flow's queue
(workflow.queues): "Việc của tôi" (mine and the unheld ones my roles let me
take), "Việc của đơn vị", "Chuyển lên tôi" (directions after an escalation).
"""

from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cases.exports import case_export_csv_counted
from cases.models import OPEN_STATUSES, Role
from cases.selectors import user_roles
from collaborators.permissions import only_collaborator
from reports.models import OversightRead
from reports.oversight import oversight_read_record
from workflow.figures import OPEN_STATUS_FILTER, TASK_TABS, tab_cases

from ..ui import CappedPaginator, CaseFilterForm, capped_count, period_bounds, selector_filters
from .bulk import BulkForm

PER_PAGE = 50

TABS = [
    ("mine", _("Việc của tôi")),
    ("unit", _("Việc của đơn vị")),
    ("escalated", _("Chuyển lên tôi")),
    ("overdue", _("Quá hạn")),
    ("all", _("Tất cả")),
]
# Who may be given a direction after an escalation (the role table's direct_step): others never see that tab.
DIRECTING_ROLES = {Role.LEADER, Role.SUPERVISOR}


def _overdue_rank(now):
    # 0 for open cases past their step deadline, so they come first.
    return models.Case(
        models.When(status__in=OPEN_STATUSES, deadline__lt=now, then=models.Value(0)),
        default=models.Value(1), output_field=models.IntegerField(),
    )


def queue_filters(request, form) -> dict:
    """The selector's filters from the form, and the dashboard's extra ones from the address."""
    filters = selector_filters(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    get = request.GET
    for key in ("topic_exact", "locality_exact"):
        if get.get(key) == "1":
            filters[key] = True
    if get.get("resolved") == "1" and form.is_bound and form.is_valid():
        # The period names when the cases were resolved, not when they were received.
        data = form.cleaned_data
        filters.pop("received_after", None)
        filters.pop("received_before", None)
        after, before = period_bounds(data.get("period") or "", data.get("date_from"), data.get("date_to"))
        filters["resolved_after"], filters["resolved_before"] = after, before
    return filters


def visible_tabs(user, counts) -> list:
    """Every tab, but "Chuyển lên tôi" only for those who may direct (or who hold such a task anyway)."""
    may_direct = bool(user_roles(user) & DIRECTING_ROLES)
    return [(name, label, counts[name]) for name, label in TABS
            if name != "escalated" or may_direct or counts[name] != "0"]


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
    if tab not in TASK_TABS or not case_ids:
        return {}
    source = TASK_TABS[tab](user=user)
    tasks = {}
    for task in source.filter(process__artifact_object_id__in=case_ids):
        tasks.setdefault(task.process.artifact_object_id, []).append(task)
    return tasks


@login_required
@require_GET
def queue(request):
    if only_collaborator(request.user):  # case-blind: their work is their notes (collaborators app)
        return redirect("collaborators:my_notes")
    form = CaseFilterForm(request.GET or None, user=request.user)
    filters = queue_filters(request, form)
    tab = request.GET.get("tab")
    if tab not in dict(TABS):
        tab = "mine" if tab_cases(user=request.user, tab="mine", filters={}).exists() else "unit"
    counts = {name: capped_count(tab_cases(user=request.user, tab=name, filters=filters)) for name, _label in TABS}
    cases = _ordered(tab_cases(user=request.user, tab=tab, filters=filters), tab)
    paginator = CappedPaginator(cases, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    oversight_read_record(user=request.user, kind=OversightRead.CASE_LIST, filters={"tab": tab, **filters},
                          rows=len(rows))
    tasks = _tasks_by_case(request.user, tab, [case.pk for case in rows])
    return render(request, "web/queue.html", {
        "bulk": BulkForm(user=request.user),
        "form": form,
        "tab": tab,
        "tabs": visible_tabs(request.user, counts),
        "task_tab": tab in TASK_TABS,
        "exact_note": bool(filters.get("topic_exact") or filters.get("locality_exact")),
        "resolved_note": "resolved_after" in filters or "resolved_before" in filters,
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
    if filters.get("status") == OPEN_STATUS_FILTER:
        # "Being handled" is several stored statuses; the export reads one at a time, one header.
        parts = [case_export_csv_counted(user=request.user, filters={**filters, "status": status})
                 for status in OPEN_STATUSES]
        text = parts[0][0] + "".join(part.split("\r\n", 1)[1] if "\r\n" in part else "" for part, _rows in parts[1:])
        rows = sum(count for _part, count in parts)
    else:
        text, rows = case_export_csv_counted(user=request.user, filters=filters)
    oversight_read_record(user=request.user, kind=OversightRead.EXPORT, filters=filters, rows=rows)
    # A BOM so spreadsheet programs read the Vietnamese text as UTF-8.
    body = "\ufeff" + text
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="vu-viec-{stamp}.csv"'
    return response
