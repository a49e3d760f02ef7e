"""The results report's form: title, assessment, scope, and the tables it holds (shape only; the service checks
the questions against the plan)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from web.ui import WebForm

from .models import PublicationScope

# Crosstabs chosen on one form: enough for a report, few enough to stay readable on a phone.
CROSSTAB_SLOTS = 3


class ResultsForm(WebForm):
    title = forms.CharField(label=_("Tiêu đề"), max_length=300)
    summary = forms.CharField(label=_("Nhận định, đánh giá"), required=False, max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    scope = forms.ChoiceField(label=_("Phạm vi công bố"), choices=PublicationScope.choices)
    frequencies = forms.MultipleChoiceField(label=_("Bảng tần suất"), required=False,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, variables=(), single=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["frequencies"].choices = [(v.name, v.label) for v in variables]
        pairs = [("", "—")] + [(v.name, v.label) for v in single]
        for slot in range(CROSSTAB_SLOTS):
            self.fields[f"row_{slot}"] = forms.ChoiceField(label=_("Bảng chéo %(n)s: dòng") % {"n": slot + 1},
                                                           choices=pairs, required=False)
            self.fields[f"column_{slot}"] = forms.ChoiceField(label=_("Bảng chéo %(n)s: cột") % {"n": slot + 1},
                                                              choices=pairs, required=False)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = _("Lựa chọn không hợp lệ.")

    @property
    def crosstab_fields(self):
        return [(self[f"row_{slot}"], self[f"column_{slot}"]) for slot in range(CROSSTAB_SLOTS)]

    def table_specs(self) -> list[dict]:
        data = self.cleaned_data
        specs = [{"kind": "frequency", "question": name} for name in data["frequencies"]]
        for slot in range(CROSSTAB_SLOTS):
            row, column = data.get(f"row_{slot}"), data.get(f"column_{slot}")
            if row or column:
                specs.append({"kind": "crosstab", "row": row, "column": column})
        return specs


def results_initial(results) -> dict:
    initial = {"title": results.title, "summary": results.summary, "scope": results.scope,
               "frequencies": [s["question"] for s in results.table_specs if s["kind"] == "frequency"]}
    crosstabs = [s for s in results.table_specs if s["kind"] == "crosstab"]
    for slot, spec in enumerate(crosstabs[:CROSSTAB_SLOTS]):
        initial[f"row_{slot}"], initial[f"column_{slot}"] = spec["row"], spec["column"]
    return initial
