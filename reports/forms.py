"""Forms of the report, export and inspection screens: shape only; the services judge the rest."""

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from web.ui import DATE_FORMATS, DATE_WIDGET, CaseFilterForm, WebForm, indented

from .models import CASE_LIST_FORMATS, ExportFormat, ReportKind
from .selectors import subjects_for_rapid_report, units_writable_by

DATETIME_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


def _unit_choices(units):
    units = list(units)
    base = min((u.depth for u in units), default=1)
    return indented(units, base_depth=base)


class ReportCreateForm(WebForm):
    unit = forms.ChoiceField(label=_("Đơn vị báo cáo"))
    kind = forms.ChoiceField(label=_("Loại báo cáo"), choices=ReportKind.choices)
    period_start = forms.DateField(label=_("Kỳ báo cáo (một ngày trong kỳ) hoặc từ ngày"), input_formats=DATE_FORMATS,
                                   widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Đến ngày (báo cáo nhanh)"), required=False, input_formats=DATE_FORMATS,
                                 widget=DATE_WIDGET)
    subject = forms.ChoiceField(label=_("Chủ đề dư luận (báo cáo nhanh về một chủ đề)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units_writable_by(user=user)}
        self.fields["unit"].choices = [(code, unit.name) for code, unit in self.units.items()]
        self.subjects = {str(s.pk): s for s in subjects_for_rapid_report(user=user)[:200]}
        self.fields["subject"].choices = [("", "—")] + [(pk, s.title) for pk, s in self.subjects.items()]

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]

    def clean_subject(self):
        return self.subjects.get(self.cleaned_data["subject"])


class NarrativeForm(WebForm):
    narrative = forms.CharField(label=_("Nội dung đánh giá, đề xuất"), required=False, max_length=50_000,
                                widget=forms.Textarea(attrs={"rows": 10}))


class CorrectionForm(WebForm):
    narrative = forms.CharField(label=_("Nội dung đánh giá, đề xuất (bản đính chính)"), required=False,
                                max_length=50_000, widget=forms.Textarea(attrs={"rows": 10}))
    reason = forms.CharField(label=_("Lý do đính chính"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ChildrenFilterForm(WebForm):
    kind = forms.ChoiceField(label=_("Loại báo cáo"), required=False,
                             choices=[(k, label) for k, label in ReportKind.choices if k != ReportKind.AD_HOC])
    day = forms.DateField(label=_("Một ngày trong kỳ"), required=False, input_formats=DATE_FORMATS, widget=DATE_WIDGET)


class ExportForm(CaseFilterForm):
    fmt = forms.ChoiceField(label=_("Định dạng"), initial=ExportFormat.XLSX,
                            choices=[(f.value, f.label) for f in CASE_LIST_FORMATS])
    overdue = forms.BooleanField(label=_("Chỉ vụ việc quá hạn"), required=False)


class InspectionOpenForm(WebForm):
    unit = forms.ChoiceField(label=_("Đơn vị được kiểm tra"))
    period_start = forms.DateField(label=_("Từ ngày"), input_formats=DATE_FORMATS, widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Đến ngày"), input_formats=DATE_FORMATS, widget=DATE_WIDGET)
    title = forms.CharField(label=_("Tên cuộc kiểm tra"), required=False, max_length=300)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        self.fields["unit"].choices = _unit_choices(units)

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]


class NoteForm(WebForm):
    text = forms.CharField(label=_("Ghi chú của đoàn kiểm tra"), max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    case = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)


class AsOfForm(WebForm):
    at = forms.CharField(label=_("Thời điểm (dd/mm/yyyy hh:mm)"), max_length=20,
                         widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"}))

    def clean_at(self):
        text = self.cleaned_data["at"].strip()
        for fmt in DATETIME_FORMATS:
            try:
                moment = datetime.strptime(text, fmt)
            except ValueError:
                continue
            if fmt in ("%d/%m/%Y", "%Y-%m-%d"):
                moment = datetime.combine(moment.date(), time.max)  # a day means its end
            return timezone.make_aware(moment, timezone.get_default_timezone())
        raise forms.ValidationError(_("Nhập thời điểm dạng dd/mm/yyyy hh:mm."))
