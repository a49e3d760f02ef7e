"""Forms of the data system's screens (search, question bank): shape only; services and selectors judge the rest."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import Unit
from web.ui import DATE_FORMATS, DATE_WIDGET, WebForm


class SurveySearchForm(WebForm):
    topic = forms.CharField(label=_("Chủ đề"), required=False, max_length=200)
    question = forms.CharField(label=_("Nội dung câu hỏi"), required=False, max_length=200)
    period_from = forms.DateField(label=_("Từ ngày"), required=False, input_formats=DATE_FORMATS, widget=DATE_WIDGET)
    period_to = forms.DateField(label=_("Đến ngày"), required=False, input_formats=DATE_FORMATS, widget=DATE_WIDGET)
    locality = forms.CharField(label=_("Địa bàn (mã đơn vị)"), required=False, max_length=64,
                               help_text=_("Gồm cả các đơn vị cấp dưới, ví dụ mã của một xã."))

    def clean_locality(self):
        code = self.cleaned_data.get("locality", "").strip()
        if not code:
            return None
        unit = Unit.objects.filter(code__iexact=code).first()
        if unit is None:
            raise ValidationError(_("Không có đơn vị mã “%(code)s”.") % {"code": code})
        return unit

    def clean(self):
        data = super().clean()
        if data.get("period_from") and data.get("period_to") and data["period_to"] < data["period_from"]:
            self.add_error("period_to", _("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
        return data


class BankSearchForm(WebForm):
    q = forms.CharField(label=_("Tìm trong ngân hàng câu hỏi"), required=False, max_length=200)


class BankAddForm(WebForm):
    question = forms.ChoiceField(label=_("Câu hỏi"))
    code = forms.CharField(label=_("Mã trong ngân hàng"), max_length=64,
                           help_text=_("Chữ thường không dấu, số, _ và -, ví dụ hai_long_nuoc_sach."))
    topic = forms.CharField(label=_("Lĩnh vực"), required=False, max_length=200)

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = list(questions)


class BankUseForm(WebForm):
    code = forms.CharField(label=_("Mã câu hỏi trong ngân hàng"), max_length=64)
    name = forms.CharField(label=_("Mã câu trong phiếu (để trống: theo mã ngân hàng)"), required=False, max_length=64)
