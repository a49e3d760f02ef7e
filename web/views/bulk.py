"""Bulk actions of the queues: the chosen cases taken, assigned, merged into one, or exported.

Each case is moved on its own through its usual service (workflow.bulk), so each move is its own event and
a refusal on one case is reported beside the others that went through. Cases the person may not see are
refused as "not found", like on their own pages.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.exceptions import CaseNotFound
from cases.permissions import users_with_role_on
from cases.selectors import case_get_for_user, handover_units
from reports.models import OversightRead
from reports.oversight import oversight_read_record
from workflow.bulk import cases_bulk_assign, cases_bulk_export_csv, cases_bulk_merge, cases_bulk_take

from ..forms import ASSIGNEE_ROLES

MAX_CASES = 200  # one page of a queue is 50; more is a mistake rather than a need

ACTIONS = [
    ("take", gettext_lazy("Nhận việc")),
    ("assign", gettext_lazy("Giao xử lý")),
    ("merge", gettext_lazy("Gộp vào một vụ việc")),
    ("export", gettext_lazy("Xuất CSV")),
]


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Thao tác với các vụ việc đã chọn"), choices=ACTIONS)
    unit = forms.ChoiceField(label=gettext_lazy("Đơn vị xử lý"), required=False)
    into = forms.CharField(label=gettext_lazy("Gộp vào vụ việc (mã)"), max_length=20, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "DL-2026-000001"}))
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=2000, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {unit.code: unit for unit in handover_units(user=user)}
        self.fields["unit"].choices = [("", "—")] + [(code, unit.name) for code, unit in self.units.items()]

    def clean(self):
        data = super().clean()
        if data.get("action") == "assign" and not data.get("unit"):
            self.add_error("unit", _("Chọn đơn vị xử lý."))
        if data.get("action") == "merge" and not data.get("into"):
            self.add_error("into", _("Nhập mã vụ việc để gộp vào."))
        return data


@login_required
@require_POST
def bulk(request):
    back = _back(request)
    codes = list(dict.fromkeys(code.strip().upper() for code in request.POST.getlist("codes") if code.strip()))
    form = BulkForm(request.POST, user=request.user)
    if not codes or len(codes) > MAX_CASES:
        messages.error(request, _("Chọn từ 1 đến %(n)s vụ việc.") % {"n": MAX_CASES})
        return redirect(back)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect(back)
    data = form.cleaned_data
    if data["action"] == "export":
        return _export(request, codes)

    cases, missing = [], []
    for code in codes:
        try:
            cases.append(case_get_for_user(user=request.user, code=code))
        except CaseNotFound as exc:
            missing.append((code, str(exc.message)))
    if data["action"] == "take":
        outcome = cases_bulk_take(cases=cases, by=request.user)
    elif data["action"] == "assign":
        unit = form.units[data["unit"]]
        assignee = _assignee(request, unit)
        outcome = cases_bulk_assign(cases=cases, by=request.user, unit=unit, assignee=assignee, note=data["note"])
    else:
        try:
            into = case_get_for_user(user=request.user, code=data["into"].strip().upper())
        except CaseNotFound:
            messages.error(request, _("Không tìm thấy vụ việc %(code)s để gộp vào.") % {"code": data["into"]})
            return redirect(back)
        outcome = cases_bulk_merge(cases=cases, into=into, by=request.user, note=data["note"])

    if outcome.done:
        messages.success(request, _("Đã thực hiện với %(n)s vụ việc: %(codes)s.") % {
            "n": len(outcome.done), "codes": ", ".join(outcome.done)})
    for code, reason in missing + outcome.refused:
        messages.error(request, _("%(code)s: không thực hiện được: %(reason)s") % {"code": code, "reason": reason})
    return redirect(back)


def _assignee(request, unit):
    key = request.POST.get("assignee") or ""
    if not key:
        return None
    return next((p for p in users_with_role_on(unit=unit, roles=ASSIGNEE_ROLES) if str(p.pk) == key), None)


def _export(request, codes):
    text, rows = cases_bulk_export_csv(user=request.user, codes=codes)
    oversight_read_record(user=request.user, kind=OversightRead.EXPORT, filters={"codes": codes}, rows=rows)
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")  # BOM: spreadsheets read UTF-8
    response["Content-Disposition"] = f'attachment; filename="vu-viec-chon-{timezone.localtime():%Y%m%d-%H%M}.csv"'
    return response


def _back(request) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("web:queue")
