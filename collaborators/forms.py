"""The collaborators' forms: they check the shape; the services decide."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Topic, Unit

from .models import Attitude, CollaboratorStatus, HeardChannel, SocialGroup, SubjectKind

NEW_SUBJECT = "new"


class NoteForm(forms.Form):
    """The phone screen: six fields, four required (subject, locality, attitude, summary; the locality comes
    filled with the collaborator's own area). No resident's name or contact: the screen says so, the server
    refuses it."""

    subject = forms.ChoiceField(label=_("Chủ đề"))
    new_subject = forms.CharField(label=_("Chủ đề mới (đề xuất)"), required=False, max_length=300)
    locality = forms.ModelChoiceField(label=_("Địa bàn"), queryset=Unit.objects.none())
    attitude = forms.ChoiceField(label=_("Thái độ chủ yếu"), choices=Attitude.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label=_("Tóm tắt tình hình dư luận"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    groups = forms.MultipleChoiceField(label=_("Đối tượng"), choices=SocialGroup.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    channel = forms.ChoiceField(label=_("Nắm được qua"), choices=[("", "—"), *HeardChannel.choices], required=False)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, subjects, localities, initial_locality=None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4())
        if initial_locality is not None:
            kwargs["initial"].setdefault("locality", initial_locality)
        super().__init__(*args, **kwargs)
        self.subjects = {str(s.pk): s for s in subjects}
        self.fields["subject"].choices = [("", "—"), *((k, s.title) for k, s in self.subjects.items()),
                                          (NEW_SUBJECT, _("Chủ đề khác (ghi bên dưới)"))]
        self.fields["locality"].queryset = localities

    def clean(self):
        data = super().clean()
        choice = data.get("subject")
        data["subject_obj"] = self.subjects.get(choice) if choice and choice != NEW_SUBJECT else None
        if choice == NEW_SUBJECT and not (data.get("new_subject") or "").strip():
            self.add_error("new_subject", _("Ghi tên chủ đề mới."))
        return data


class SubjectForm(forms.Form):
    title = forms.CharField(label=_("Chủ đề"), max_length=300)
    kind = forms.ChoiceField(label=_("Loại"), choices=SubjectKind.choices)
    topic = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Topic.objects.filter(is_active=True), required=False)
    description = forms.CharField(label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RequestForm(forms.Form):
    questions = forms.CharField(label=_("Nội dung cần nắm"), widget=forms.Textarea(attrs={"rows": 3}))
    working_days = forms.IntegerField(label=_("Thời hạn (ngày làm việc)"), min_value=1, max_value=60, initial=5)
    localities = forms.ModelMultipleChoiceField(label=_("Địa bàn"), queryset=Unit.objects.none(), required=False,
                                                widget=forms.CheckboxSelectMultiple)
    sectors = forms.ModelMultipleChoiceField(label=_("Lĩnh vực"), queryset=Topic.objects.filter(is_active=True),
                                             required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["localities"].queryset = Unit.objects.filter(path__startswith=unit.path, is_active=True).exclude(
            pk=unit.pk).order_by("path")


class CollaboratorForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    localities = forms.ModelMultipleChoiceField(label=_("Địa bàn phụ trách"), queryset=Unit.objects.none(),
                                                required=False, widget=forms.CheckboxSelectMultiple)
    sectors = forms.ModelMultipleChoiceField(label=_("Lĩnh vực phụ trách"), queryset=Topic.objects.filter(
        is_active=True), required=False, widget=forms.CheckboxSelectMultiple)
    social_group = forms.ChoiceField(label=_("Giới, tầng lớp đại diện"), choices=[("", "—"), *SocialGroup.choices],
                                     required=False)
    organisation = forms.CharField(label=_("Cơ quan, tổ chức"), max_length=200, required=False)
    decision_number = forms.CharField(label=_("Số quyết định công nhận"), max_length=64, required=False)
    term_start = forms.DateField(label=_("Bắt đầu nhiệm kỳ"), widget=forms.DateInput(attrs={"type": "date"}))
    term_end = forms.DateField(label=_("Hết nhiệm kỳ"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Trạng thái"), choices=CollaboratorStatus.choices)
    username = forms.CharField(label=_("Tài khoản đăng nhập"), max_length=150, required=False)
    password = forms.CharField(label=_("Mật khẩu ban đầu (tài khoản mới)"), required=False,
                               widget=forms.PasswordInput(render_value=False))

    def __init__(self, *args, unit, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["localities"].queryset = Unit.objects.filter(path__startswith=unit.path, is_active=True).exclude(
            pk=unit.pk).order_by("path")
        if editing:
            del self.fields["username"], self.fields["password"]


class TargetForm(forms.Form):
    locality = forms.ModelChoiceField(label=_("Địa bàn"), queryset=Unit.objects.none(), required=False)
    sector = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Topic.objects.filter(is_active=True), required=False)
    social_group = forms.ChoiceField(label=_("Giới, tầng lớp"), choices=[("", "—"), *SocialGroup.choices],
                                     required=False)
    wanted = forms.IntegerField(label=_("Số cộng tác viên cần có"), min_value=0, max_value=1000)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].queryset = Unit.objects.filter(path__startswith=unit.path, is_active=True).order_by(
            "path")


class RedactForm(forms.Form):
    summary = forms.CharField(label=_("Tóm tắt (đã biên tập)"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    recommendation = forms.CharField(label=_("Kiến nghị, đề xuất"), required=False, max_length=4000,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Lý do biên tập"), max_length=500)


class CaseFromNoteForm(forms.Form):
    topic = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Topic.objects.filter(is_active=True), required=False)
