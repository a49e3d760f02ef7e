"""Forms of the briefing, training and evaluation screens: shape only; the services judge the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.selectors import all_topics
from reports.forms import DATETIME_FORMATS
from web.ui import DATE_FORMATS, DATE_WIDGET, WebForm, indented

from .models import BriefingKind, Grade
from .selectors_briefings import briefing_collaborator_choices, briefing_subject_choices, owner_unit_choices

DATETIME_WIDGET = forms.DateTimeInput(attrs={"placeholder": "dd/mm/yyyy hh:mm"}, format="%d/%m/%Y %H:%M")


def _ids(queryset, label):
    return [(str(obj.pk), label(obj)) for obj in queryset]


class AgendaFields(WebForm):
    """The agenda and attendance of a unit's briefing, offered from the unit's own subjects and collaborators."""

    place = forms.CharField(label=_("Địa điểm"), required=False, max_length=200)
    subjects = forms.MultipleChoiceField(label=_("Nội dung (chủ đề dư luận)"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    attendees = forms.MultipleChoiceField(label=_("Cộng tác viên dự họp"), required=False,
                                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if unit is not None:
            self.set_unit(unit)

    def set_unit(self, unit):
        self.fields["subjects"].choices = _ids(briefing_subject_choices(unit=unit)[:100], lambda s: s.title)
        self.fields["attendees"].choices = _ids(briefing_collaborator_choices(unit=unit),
                                                lambda c: f"{c.full_name} ({c.unit.name})")


class UnitChoiceForm(WebForm):
    """The unit a writer with several units holds the briefing (or training) for: chosen first, with a GET, so that
    the subjects and collaborators offered are that unit's (`?unit=<code>`)."""

    unit = forms.ChoiceField(label=_("Đơn vị tổ chức"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = indented(units, base_depth=min((u.depth for u in units), default=1))


def _chosen_unit(form, units, unit):
    """The unit a form is for: the one posted, else the one chosen on the page, else the writer's first."""
    form.units = {u.code: u for u in units}
    form.fields["unit"].choices = [(code, u.name) for code, u in form.units.items()]
    posted = form.units.get(form.data.get("unit")) if form.is_bound else None
    chosen = posted or unit or next(iter(form.units.values()), None)
    if chosen is not None:
        form.initial["unit"] = chosen.code
    return chosen


class BriefingCreateForm(AgendaFields):
    # Chosen above the form (UnitChoiceForm); sent back with it.
    unit = forms.ChoiceField(label=_("Đơn vị"), widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Loại giao ban"), choices=BriefingKind.choices)
    held_at = forms.DateTimeField(label=_("Thời gian"), input_formats=DATETIME_FORMATS, widget=DATETIME_WIDGET)
    field_order = ["unit", "kind", "held_at", "place", "subjects", "attendees"]

    def __init__(self, *args, units, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = _chosen_unit(self, units, unit)
        if self.unit is not None:
            self.set_unit(self.unit)

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]


class MinutesForm(AgendaFields):
    minutes = forms.CharField(label=_("Biên bản"), required=False, max_length=50_000,
                              widget=forms.Textarea(attrs={"rows": 10}))


class DecisionForm(WebForm):
    text = forms.CharField(label=_("Nội dung kết luận"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ChoiceField(label=_("Đơn vị thực hiện"))
    deadline = forms.DateField(label=_("Hạn"), input_formats=DATE_FORMATS, widget=DATE_WIDGET)
    topic = forms.ChoiceField(label=_("Lĩnh vực (khi chuyển thành vụ việc)"), required=False)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        units = list(owner_unit_choices(unit=unit))
        self.units = {u.code: u for u in units}
        self.fields["owner"].choices = indented(units, base_depth=unit.depth)
        self.topics = {t.code: t for t in all_topics()}
        self.fields["topic"].choices = [("", "—")] + [(code, t.name) for code, t in self.topics.items()]

    def clean_owner(self):
        return self.units[self.cleaned_data["owner"]]

    def clean_topic(self):
        return self.topics.get(self.cleaned_data["topic"])


class TrainingForm(WebForm):
    unit = forms.ChoiceField(label=_("Đơn vị"), widget=forms.HiddenInput)  # chosen above, like a briefing's
    title = forms.CharField(label=_("Nội dung tập huấn"), max_length=300)
    held_on = forms.DateField(label=_("Ngày"), input_formats=DATE_FORMATS, widget=DATE_WIDGET)
    attendees = forms.MultipleChoiceField(label=_("Cộng tác viên tham dự"), required=False,
                                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, units, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = _chosen_unit(self, units, unit)
        if self.unit is not None:
            self.fields["attendees"].choices = _ids(briefing_collaborator_choices(unit=self.unit),
                                                    lambda c: f"{c.full_name} ({c.unit.name})")

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]


class PeriodForm(WebForm):
    period = forms.CharField(label=_("Kỳ đánh giá (2026-H1, 2026-H2, 2026)"), max_length=8, required=False)


class RatingForm(WebForm):
    period = forms.CharField(widget=forms.HiddenInput, max_length=8)
    grade = forms.ChoiceField(label=_("Xếp loại"), choices=Grade.choices)
    comment = forms.CharField(label=_("Nhận xét"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 2}))
