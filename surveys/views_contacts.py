"""Follow-up contacts of a plan: listed without their content; one read at a time with a reason, the read
recorded; only for the unit's secretariat or leaders (others who read the plan: 403; out of reach: 404)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cases.exceptions import CaseNotFound
from web.ui import forbidden

from .selectors import followup_contact_reads, followup_contacts_listed, plan_get_for_user
from .services import contact_read, may_read_contacts


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def contacts(request, pk):
    try:
        plan = plan_get_for_user(user=request.user, pk=pk)
    except CaseNotFound:
        raise Http404 from None
    if not may_read_contacts(request.user, plan):
        return forbidden(request, _("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới xem liên hệ người trả lời."))
    shown, errors, status = None, {}, 200
    if request.method == "POST":
        try:
            shown = contact_read(plan=plan, by=request.user, contact_id=request.POST.get("contact"),
                                 reason=request.POST.get("reason", ""))
        except ValidationError as error:
            errors, status = error.message_dict, 400
    return render(request, "surveys/contacts.html", {
        "plan": plan, "contacts": followup_contacts_listed(plan=plan), "reads": followup_contact_reads(plan=plan),
        "shown": shown, "errors": errors, "chosen": request.POST.get("contact", ""),
    }, status=status)
