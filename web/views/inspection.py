"""The inspection committee's view: every case of its subtree, read-only, and the chain check."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.audit import audit_verify
from cases.selectors import case_list_for_user
from ledger.selectors import checkpoint_get, checkpoint_list
from ledger.services import checkpoint_file_name, checkpoint_file_text
from reports.models import OversightRead
from reports.oversight import oversight_read_record
from reports.permissions import inspector_units_paths

from ..forms import InspectionFilterForm
from ..ui import CappedPaginator, forbidden, not_found, selector_filters

PER_PAGE = 50
# The chain check runs on at most this many of the filtered cases per request.
CHECK_LIMIT = 5000


@login_required
@require_GET
def inspection(request):
    if not inspector_units_paths(request.user):
        return forbidden(request, _("Trang này dành cho cán bộ kiểm tra, giám sát."))
    form = InspectionFilterForm(request.GET or None, user=request.user)
    filters = selector_filters(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    cases = case_list_for_user(user=request.user, filters=filters)
    paginator = CappedPaginator(cases, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    oversight_read_record(user=request.user, kind=OversightRead.HISTORY_LIST, filters=filters,
                          rows=len(page.object_list))
    result = None
    checked_ids = []
    if request.GET.get("check"):
        checked_ids = list(cases.order_by("pk").values_list("pk", flat=True)[:CHECK_LIMIT])
        result = audit_verify(case_ids=checked_ids)
    return render(request, "web/inspection.html", {
        "form": form,
        "page": page,
        "paginator": paginator,
        "elided": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "result": result,
        "check_limited": len(checked_ids) >= CHECK_LIMIT,
        "checkpoints": checkpoint_list(limit=5),
    })


@login_required
@require_GET
def inspection_checkpoint(request, pk):
    """A signed checkpoint as its file, for `verify_audit --checkpoint` (inspectors and supervisors)."""
    if not inspector_units_paths(request.user):
        return forbidden(request, _("Trang này dành cho cán bộ kiểm tra, giám sát."))
    row = checkpoint_get(pk=pk)
    if row is None:
        return not_found(request, _("Không tìm thấy điểm neo lịch sử."))
    oversight_read_record(user=request.user, kind=OversightRead.CHECKPOINT, filters={"checkpoint": row.pk})
    response = HttpResponse(checkpoint_file_text(row), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{checkpoint_file_name(row)}"'
    return response
