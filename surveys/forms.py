"""Forms of the survey screens: shape only; the services judge the rest.

The sample design, margins and budget are lines of text, one entry a line, so that they are typed on a
phone as easily as on a desk: `sex=female, age_group=18-29: 100`, `sex=female: 5300`, `In phiếu: 2000000`.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Unit
from web.ui import DATE_FORMATS, DATE_WIDGET, WebForm

from .models import STEP_ORDER, StepKind, SurveyMethod
from .services import PlanInput
from .services.plans import KNOWN_VARIABLES, MAX_LINES

VARIABLE_LABELS = {"locality": _("Địa bàn"), "sex": _("Giới tính"), "age_group": _("Nhóm tuổi")}
_NUMBER = re.compile(r"^\s*(.+?)\s*:\s*([0-9][0-9. ]*)\s*$")


def _lines(text: str, message) -> list[tuple[str, int]]:
    found = []
    for number, line in enumerate((text or "").splitlines()[:MAX_LINES], start=1):
        if not line.strip():
            continue
        match = _NUMBER.match(line)
        if not match:
            raise ValidationError(message % {"n": number})
        found.append((match[1], int(re.sub(r"[. ]", "", match[2]))))
    return found


def _stratum(text: str, number: int) -> dict:
    stratum = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValidationError(_("Dòng %(n)s: mỗi tầng viết dạng biến=nhóm, cách nhau bằng dấu phẩy.") % {"n": number})
        stratum[key.strip()] = value.strip()
    return stratum


class PlanForm(WebForm):
    unit = forms.ChoiceField(label=_("Đơn vị chủ trì"))
    topic = forms.CharField(label=_("Chủ đề điều tra"), max_length=300)
    purpose = forms.CharField(label=_("Mục đích, yêu cầu"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    localities = forms.MultipleChoiceField(label=_("Địa bàn điều tra"), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    period_start = forms.DateField(label=_("Từ ngày"), input_formats=DATE_FORMATS, widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Đến ngày"), input_formats=DATE_FORMATS, widget=DATE_WIDGET)
    method = forms.ChoiceField(label=_("Phương pháp"), choices=SurveyMethod.choices)
    target_size = forms.IntegerField(label=_("Cỡ mẫu dự kiến"), min_value=1, max_value=1_000_000)
    strata_variables = forms.MultipleChoiceField(label=_("Biến phân tầng"), required=False,
                                                 choices=[(v, VARIABLE_LABELS[v]) for v in KNOWN_VARIABLES],
                                                 widget=forms.CheckboxSelectMultiple)
    quotas = forms.CharField(label=_("Chỉ tiêu theo tầng"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("Mỗi dòng một tầng: sex=female, age_group=18-29: 100 "
                                         "(địa bàn ghi mã đơn vị; giới tính male/female)."))
    margins = forms.CharField(label=_("Dân số theo nhóm (để gia quyền)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Mỗi dòng một nhóm: sex=female: 5300"))
    budget_lines = forms.CharField(label=_("Dự toán kinh phí (đồng)"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_("Mỗi dòng một khoản: In phiếu: 2000000"))

    def __init__(self, *args, units, localities, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {unit.code: unit for unit in units}
        self.fields["unit"].choices = [(code, unit.name) for code, unit in self.units.items()]
        self.locality_units = {unit.code: unit for unit in localities}
        self.fields["localities"].choices = [(code, f"{unit.name} ({code})") for code, unit in self.locality_units.items()]
        for kind in STEP_ORDER:
            self.fields[f"step_{kind}"] = forms.DateField(
                label=StepKind(kind).label, required=False, input_formats=DATE_FORMATS, widget=DATE_WIDGET)

    def step_fields(self):
        return [self[f"step_{kind}"] for kind in STEP_ORDER]

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]

    def clean_localities(self):
        return [self.locality_units[code] for code in self.cleaned_data["localities"]]

    def clean_quotas(self):
        quotas = []
        for number, (stratum, target) in enumerate(_lines(self.cleaned_data["quotas"], _(
                "Dòng %(n)s: viết dạng sex=female, age_group=18-29: 100.")), start=1):
            quotas.append({"stratum": _stratum(stratum, number), "target": target})
        return quotas

    def clean_margins(self):
        margins = []
        for number, (group, population) in enumerate(_lines(self.cleaned_data["margins"], _(
                "Dòng %(n)s: viết dạng sex=female: 5300.")), start=1):
            stratum = _stratum(group, number)
            if len(stratum) != 1:
                raise ValidationError(_("Dòng %(n)s: mỗi dòng một biến và một nhóm.") % {"n": number})
            (variable, category), = stratum.items()
            margins.append({"variable": variable, "category": category, "population": population})
        return margins

    def clean_budget_lines(self):
        return [{"item": item, "amount": amount, "note": ""} for item, amount in _lines(
            self.cleaned_data["budget_lines"], _("Dòng %(n)s: viết dạng In phiếu: 2000000."))]

    def plan_input(self) -> PlanInput:
        data = {key: value for key, value in self.cleaned_data.items() if not key.startswith("step_")}
        deadlines = {kind: self.cleaned_data[f"step_{kind}"] for kind in STEP_ORDER if self.cleaned_data.get(f"step_{kind}")}
        return PlanInput(step_deadlines=deadlines, **data)


def plan_initial(plan, parts) -> dict:
    """A plan's values as the form shows them, for editing a draft."""
    initial = {
        "unit": plan.unit.code, "topic": plan.topic, "purpose": plan.purpose, "period_start": plan.period_start,
        "period_end": plan.period_end, "method": plan.method, "target_size": plan.target_size,
        "strata_variables": plan.strata_variables, "localities": [unit.code for unit in parts["localities"]],
        "quotas": "\n".join(", ".join(f"{k}={v}" for k, v in q.stratum.items()) + f": {q.target}" for q in parts["quotas"]),
        "margins": "\n".join(f"{m.variable}={m.category}: {m.population}" for m in parts["margins"]),
        "budget_lines": "\n".join(f"{line.item}: {line.amount}" for line in parts["budget_lines"]),
    }
    for step in parts["steps"]:
        initial[f"step_{step.kind}"] = timezone.localdate(step.deadline)
    return initial


class QuestionnaireForm(WebForm):
    title = forms.CharField(label=_("Tên phiếu"), max_length=300)
    content = forms.CharField(label=_("Nội dung phiếu (JSON)"), widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
                              help_text=_("Sửa nhanh hơn bằng XLSForm: tải về, sửa trong Excel, tải lên lại."))


class InvitationForm(WebForm):
    count = forms.IntegerField(label=_("Số mã mời"), min_value=1, max_value=2000, initial=50)


class XlsformUploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp XLSForm (.xlsx)"))


class AssignmentForm(WebForm):
    user = forms.ChoiceField(label=_("Điều tra viên"))
    target = forms.IntegerField(label=_("Số phiếu được giao"), min_value=0, max_value=100_000, initial=0)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(user.pk): user for user in candidates}
        self.fields["user"].choices = [(pk, user.get_full_name() or user.username) for pk, user in self.people.items()]

    def clean_user(self):
        return self.people[self.cleaned_data["user"]]


def unit_choices_below(units) -> list[Unit]:
    """The units under the planning units (and themselves): the localities a plan may cover."""
    query = Q(pk__in=[])
    for unit in units:
        query |= Q(path__startswith=unit.path)
    return list(Unit.objects.filter(query, is_active=True).order_by("path"))
