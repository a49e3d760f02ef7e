"""Forms of the screens: they check the shape of the input; the services judge the rest."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CaseKind, CaseStatus, Priority
from cases.permissions import users_with_role_on
from cases.selectors import active_channels, active_topics, handover_units, intake_localities, scope_units
from cases.validation import DESCRIPTION_MAX_CHARS, description_too_long

from .ui import DATE_FORMATS, DATE_WIDGET, PERIOD_CHOICES, CaseFilterForm, WebForm
from .ui import choices as _choice
from .ui import indented, person_label, unit_from_label, unit_label

# --- shared pieces --------------------------------------------------------------


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng (phân biệt chữ hoa, chữ thường)."),
        "inactive": _("Tài khoản này đã bị khóa."),
    }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class LocalityField(forms.CharField):
    """A unit typed or picked from a list: "Thôn Đông (DM-ANBINH-T01)", a code, or an exact name."""

    def __init__(self, *args, units=None, **kwargs):
        self.units = units
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        unit = unit_from_label(self.units, value)
        if unit is None:
            raise forms.ValidationError(_("Không tìm thấy địa bàn này trong phạm vi của bạn."))
        return unit


PRIORITY_CHOICES = Priority.choices

# --- intake ---------------------------------------------------------------------


class IntakeForm(WebForm):
    title = forms.CharField(label=_("Tiêu đề"), max_length=300,
                            widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}))
    # No maxlength attribute: a browser would cut a pasted text silently; the counter shows the limit instead.
    description = forms.CharField(label=_("Nội dung"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4, "data-max-chars": DESCRIPTION_MAX_CHARS}))
    channel = forms.ChoiceField(label=_("Kênh tiếp nhận"))
    topic = forms.ChoiceField(label=_("Lĩnh vực"))
    locality = LocalityField(label=_("Địa bàn"), widget=forms.TextInput(attrs={"list": "locality-options", "autocomplete": "off"}))
    priority = forms.ChoiceField(label=_("Độ khẩn"), choices=PRIORITY_CHOICES, initial=Priority.NORMAL,
                                 widget=forms.RadioSelect)
    # Not required: a form sent without it (an older page, a script) logs the default kind.
    kind = forms.ChoiceField(label=_("Loại vụ việc"), choices=CaseKind.choices, initial=CaseKind.REFLECTION,
                             required=False)
    received_at = forms.DateTimeField(label=_("Thời điểm tiếp nhận"), required=False,
                                      input_formats=["%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M"],
                                      widget=forms.DateTimeInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"},
                                                                 format="%d/%m/%Y %H:%M"))
    anonymous = forms.BooleanField(label=_("Ẩn danh"), required=False)
    full_name = forms.CharField(label=_("Họ tên"), required=False, max_length=200)
    phone = forms.CharField(label=_("Số điện thoại"), required=False, max_length=50)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    address = forms.CharField(label=_("Địa chỉ"), required=False, max_length=300)
    attachments = MultipleFileField(label=_("Tệp đính kèm"), required=False)
    merge_into = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.channels = {c.code: c for c in active_channels()}
        self.topics = {t.code: t for t in active_topics()}
        self.fields["channel"].choices = _choice(((c.code, c.name) for c in self.channels.values()), empty="—")
        self.fields["topic"].choices = _choice(indented(self.topics.values()), empty="—")
        self.fields["locality"].units = intake_localities(user=user)

    def clean(self):
        data = super().clean()
        if not data.get("anonymous") and not any(data.get(f) for f in ("full_name", "phone", "email", "address")):
            self.add_error("full_name", _("Nhập thông tin người phản ánh, hoặc chọn “Ẩn danh”."))
        return data

    def clean_channel(self):
        return self.channels[self.cleaned_data["channel"]]

    def clean_description(self):
        # A browser sends a line break as CRLF and its counter counts one character: count as it does.
        description = self.cleaned_data["description"].replace("\r\n", "\n")
        if too_long := description_too_long(description):
            raise forms.ValidationError(too_long)
        return description

    def clean_kind(self):
        return self.cleaned_data.get("kind") or CaseKind.REFLECTION

    def clean_topic(self):
        return self.topics[self.cleaned_data["topic"]]


# --- queue filters (the case filter form itself is in web.ui) ---------------------


class InspectionFilterForm(CaseFilterForm):
    owner = forms.ChoiceField(label=_("Đơn vị xử lý"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # The inspection list filters by one stored status only.
        self.fields["status"].choices = _choice(CaseStatus.choices, empty=_("Tất cả"))
        units = scope_units(user=user)
        base = min((u.depth for u in units), default=1)
        self.fields["owner"].choices = _choice(indented(units, base_depth=base), empty=_("Tất cả"))


class DashboardFilterForm(WebForm):
    period = forms.ChoiceField(label=_("Thời gian tiếp nhận"), required=False, choices=PERIOD_CHOICES)
    date_from = forms.DateField(label=_("Từ ngày"), required=False, input_formats=DATE_FORMATS, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("Đến ngày"), required=False, input_formats=DATE_FORMATS, widget=DATE_WIDGET)
    locality = forms.ChoiceField(label=_("Địa bàn"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = scope_units(user=user)
        base = min((u.depth for u in units), default=1)
        self.fields["locality"].choices = _choice(indented(units, base_depth=base), empty=_("Tất cả"))


# --- moves on a case ----------------------------------------------------------------


class MoveForm(WebForm):
    """A move's form; `version` is the case version the person saw (a stale one gets a conflict)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, case, **kwargs):
        self.user = user
        self.case = case
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("version", case.version)


class VerifyForm(MoveForm):
    topic = forms.ChoiceField(label=_("Lĩnh vực"))
    locality = LocalityField(label=_("Địa bàn"))
    priority = forms.ChoiceField(label=_("Độ khẩn"), choices=PRIORITY_CHOICES)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = {t.code: t for t in active_topics()}
        self.fields["topic"].choices = indented(self.topics.values())
        units = intake_localities(user=self.user) | handover_units(user=self.user)
        self.fields["locality"].units = units.distinct()
        self.fields["locality"].widget.attrs.update({"list": f"verify-locality-{self.case.code}"})
        self.locality_options = list(units.distinct()[:300])
        self.initial.setdefault("topic", self.case.topic.code)
        self.initial.setdefault("locality", unit_label(self.case.locality))
        self.initial.setdefault("priority", self.case.priority)

    def clean_topic(self):
        return self.topics[self.cleaned_data["topic"]]


class ReasonForm(MoveForm):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(MoveForm):
    into = forms.CharField(label=_("Gộp vào vụ việc (mã)"), max_length=20,
                           widget=forms.TextInput(attrs={"placeholder": "DL-2026-000001"}))
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HandoverForm(MoveForm):
    unit = forms.ChoiceField(label=_("Đơn vị xử lý"))
    assignee = forms.ChoiceField(label=_("Người xử lý"), required=False)

    def __init__(self, *args, proposed_unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in handover_units(user=self.user)}
        base = min((u.depth for u in self.units.values()), default=1)
        self.fields["unit"].choices = indented(self.units.values(), base_depth=base)
        if proposed_unit is not None and proposed_unit.code in self.units:
            self.initial.setdefault("unit", proposed_unit.code)
        chosen = self.units.get(self.data.get(self.add_prefix("unit")) or self.initial.get("unit") or "")
        if chosen is None and self.units:
            chosen = next(iter(self.units.values()))
        self.people = {str(p.pk): p for p in users_with_role_on(unit=chosen, roles=ASSIGNEE_ROLES)} if chosen else {}
        self.fields["assignee"].choices = assignee_choices(self.people.values())

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]

    def clean_assignee(self):
        key = self.cleaned_data.get("assignee")
        return self.people.get(key) if key else None


ASSIGNEE_ROLES = ("handler", "leader")


def assignee_choices(people) -> list[tuple[str, str]]:
    return [("", _("— Cả đơn vị —"))] + [(str(p.pk), person_label(p)) for p in people]


class AssignForm(HandoverForm):
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReassignForm(HandoverForm):
    reason = forms.CharField(label=_("Lý do giao lại"), widget=forms.Textarea(attrs={"rows": 2}))


class OrientForm(MoveForm):
    response = forms.CharField(label=_("Nội dung định hướng, trả lời công khai"),
                               widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("Tệp đính kèm (nội bộ)"), required=False,
                              help_text=_("Văn bản, ảnh làm căn cứ; chỉ cán bộ xem được."))


class ResolveForm(MoveForm):
    outcome = forms.CharField(label=_("Kết quả giải quyết"), widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("Tệp đính kèm (nội bộ)"), required=False,
                              help_text=_("Biên bản, ảnh làm căn cứ; chỉ cán bộ xem được."))
    public_files = MultipleFileField(
        label=_("Tệp kết quả công khai"), required=False,
        help_text=_("Hiện trên trang tra cứu của người phản ánh, ví dụ ảnh rãnh thoát nước đã sửa. "
                    "Không đưa thông tin cá nhân vào tệp này."))


class KeepClosedForm(MoveForm):
    reason = forms.CharField(label=_("Lý do giữ kết quả, không mở lại"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Lý do này được hiển thị cho người phản ánh trên trang tra cứu."))


class TransferForm(MoveForm):
    agency = forms.CharField(label=_("Cơ quan có thẩm quyền"), max_length=300,
                             widget=forms.TextInput(attrs={"placeholder": _("Ví dụ: Ủy ban Kiểm tra Tỉnh ủy")}))
    legal_basis = forms.CharField(label=_("Căn cứ pháp lý"), widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("Điều, khoản của văn bản quy định việc chuyển đơn."))
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


NOTIFY_HOW_SUGGESTIONS = [
    _("Gọi điện thoại cho người phản ánh"),
    _("Gửi văn bản qua đường bưu chính"),
    _("Gửi thư điện tử"),
    _("Thông báo trực tiếp tại trụ sở"),
]


class ReporterNotifiedForm(MoveForm):
    how = forms.CharField(label=_("Hình thức báo cho người phản ánh"), max_length=300,
                          widget=forms.TextInput(attrs={"autocomplete": "off"}))
    notified_at = forms.DateTimeField(label=_("Thời điểm báo"), required=False,
                                      input_formats=["%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M"],
                                      widget=forms.DateTimeInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"},
                                                                 format="%d/%m/%Y %H:%M"),
                                      help_text=_("Để trống: thời điểm hiện tại."))
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["how"].widget.attrs["list"] = f"notify-how-{self.case.code}"
        self.how_suggestions = [str(text) for text in NOTIFY_HOW_SUGGESTIONS]


class PullUpForm(MoveForm):
    reason = forms.CharField(label=_("Lý do rút lên cấp trên xử lý"), widget=forms.Textarea(attrs={"rows": 2}))


class InstructForm(MoveForm):
    instruction = forms.CharField(label=_("Nội dung chỉ đạo"), widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("Đơn vị đang xử lý phải xác nhận tiếp thu chỉ đạo."))


class AcknowledgeForm(MoveForm):
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExtendForm(MoveForm):
    new_due = forms.DateTimeField(label=_("Hạn mới"), input_formats=["%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M"],
                                  widget=forms.DateTimeInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"},
                                                             format="%d/%m/%Y %H:%M"))
    decision_ref = forms.CharField(label=_("Số, ký hiệu quyết định gia hạn"), max_length=100,
                                   widget=forms.TextInput(attrs={"placeholder": _("Ví dụ: 12/QĐ-UBND")}))
    reason = forms.CharField(label=_("Lý do gia hạn"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.case.deadline:
            due = timezone.localtime(self.case.deadline).strftime("%d/%m/%Y %H:%M")
            self.fields["new_due"].help_text = _("Hạn hiện tại: %(due)s.") % {"due": due}


MOVE_FORMS = {
    "verify": VerifyForm,
    "reject": ReasonForm,
    "merge": MergeForm,
    "assign": AssignForm,
    "reassign": ReassignForm,
    "orient": OrientForm,
    "resolve": ResolveForm,
    "reopen": ReasonForm,
    "keep_closed": KeepClosedForm,
    "transfer": TransferForm,
    "reporter_notified": ReporterNotifiedForm,
    "pull_up": PullUpForm,
    "instruct": InstructForm,
    "acknowledge": AcknowledgeForm,
    "extend": ExtendForm,
}


class NoteForm(WebForm):
    # No maxlength attribute: a browser would cut a pasted text silently; the service refuses one too long.
    text = forms.CharField(label=_("Ghi chú nội bộ"), widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": _("Cần nhập nội dung ghi chú.")},
                           help_text=_("Chỉ cán bộ xem được; không hiện trên trang tra cứu của người phản ánh."))


class RevealForm(WebForm):
    reason = forms.CharField(label=_("Lý do cần xem danh tính"), widget=forms.Textarea(attrs={"rows": 2}))


class GiveTaskForm(WebForm):
    to = forms.ChoiceField(label=_("Giao cho"))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["to"].choices = [(k, person_label(p)) for k, p in self.people.items()]

    def clean_to(self):
        return self.people[self.cleaned_data["to"]]


# --- public status ------------------------------------------------------------------


class PublicLookupForm(WebForm):
    code = forms.CharField(label=_("Mã vụ việc"), max_length=20,
                           widget=forms.TextInput(attrs={"placeholder": "DL-2026-000001", "autocomplete": "off"}))
    secret = forms.CharField(label=_("Mã bí mật"), max_length=40,
                             widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


class PublicFeedbackForm(PublicLookupForm):
    fixed = forms.ChoiceField(choices=[("1", "1"), ("0", "0")])
    comment = forms.CharField(label=_("Ý kiến thêm (không bắt buộc)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))
