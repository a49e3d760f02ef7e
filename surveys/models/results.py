"""From answers to results: cleaning flags and decisions, open-answer codes, weighting runs, the question
bank, and results reports with their publication."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .collection import SurveyAnswer
from .plans import SurveyPlan


# --- from answers to results (issue 21) ------------------------------------------------------------


class FlagKind(models.TextChoices):
    DUPLICATE = "duplicate", _("Trùng lặp")  # the same answers as an earlier answer of the plan
    SPEEDER = "speeder", _("Trả lời quá nhanh")  # under a third of the plan's median time
    STRAIGHT_LINING = "straight_lining", _("Chọn một đáp án cho cả ma trận")  # same answer down a whole matrix
    INCOMPLETE = "incomplete", _("Chưa trả lời đủ")  # questions asked but left empty


class AnswerFlag(models.Model):
    """A cleaning check that found something in one answer (surveys.services.cleaning); found once per kind."""

    answer = models.ForeignKey(SurveyAnswer, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("loại cảnh báo"), max_length=16, choices=FlagKind.choices)
    # What the check saw, e.g. {"duplicate_of": 12}, {"seconds": 40, "median": 300}, {"matrix": "q5"},
    # {"missing": ["q3", "q7"]}.
    detail = models.JSONField(default=dict, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cảnh báo làm sạch")
        verbose_name_plural = _("cảnh báo làm sạch")
        ordering = ["answer_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["answer", "kind"], name="answerflag_once")]

    def __str__(self):
        return f"{self.answer}: {self.get_kind_display()}"


class CleaningDecision(models.Model):
    """A reviewer keeps or excludes one flagged answer, with a reason. Append-only: the newest decision on an
    answer counts, the earlier ones stay as its history."""

    class Choice(models.TextChoices):
        KEEP = "keep", _("Giữ lại")
        EXCLUDE = "exclude", _("Loại khỏi phân tích")

    answer = models.ForeignKey(SurveyAnswer, on_delete=models.PROTECT, related_name="cleaning_decisions")
    decision = models.CharField(_("quyết định"), max_length=8, choices=Choice.choices)
    reason = models.CharField(_("lý do"), max_length=500)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quyết định làm sạch")
        verbose_name_plural = _("quyết định làm sạch")
        ordering = ["answer_id", "decided_at", "pk"]

    def __str__(self):
        return f"{self.answer}: {self.get_decision_display()}"


class CodeTag(models.Model):
    """One code (mã) for the answers to one open question of a plan, with the keywords that suggest it."""

    plan = models.ForeignKey(SurveyPlan, on_delete=models.CASCADE, related_name="code_tags")
    question = models.CharField(_("câu hỏi mở"), max_length=64)  # the text question's name
    name = models.CharField(_("mã"), max_length=64)  # like a choice's name: letters, digits, _ . -
    label = models.CharField(_("nhãn"), max_length=300)
    keywords = models.JSONField(_("từ khóa gợi ý"), default=list, blank=True)

    class Meta:
        verbose_name = _("mã câu trả lời mở")
        verbose_name_plural = _("mã câu trả lời mở")
        ordering = ["plan_id", "question", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "question", "name"], name="codetag_unique")]

    def __str__(self):
        return self.label


class AnswerCode(models.Model):
    """A reviewer gave one code to one answer's open question (one row per answer and code)."""

    answer = models.ForeignKey(SurveyAnswer, on_delete=models.CASCADE, related_name="codes")
    tag = models.ForeignKey(CodeTag, on_delete=models.CASCADE, related_name="answer_codes")
    coded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    coded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mã đã gán")
        verbose_name_plural = _("mã đã gán")
        ordering = ["answer_id", "tag_id"]
        constraints = [models.UniqueConstraint(fields=["answer", "tag"], name="answercode_once")]

    def __str__(self):
        return f"{self.answer}: {self.tag}"


class WeightingRun(models.Model):
    """Post-stratification weights raked to the plan's population margins (surveys.analysis.weights), kept as
    they were computed so that results made from them can be made again. The newest run of a plan counts."""

    plan = models.ForeignKey(SurveyPlan, on_delete=models.CASCADE, related_name="weighting_runs")
    # The margins raked to, as they were: {variable: {category: population}}.
    margins = models.JSONField(default=dict)
    # {answer id (as text): weight} for every answer kept by cleaning at the time.
    weights = models.JSONField(default=dict)
    converged = models.BooleanField(_("hội tụ"))
    iterations = models.PositiveIntegerField(_("số vòng lặp"))
    # The largest relative gap left between a weighted margin and its population, e.g. 0.0004.
    max_gap = models.FloatField(_("sai lệch lớn nhất so với dân số"))
    # Kish's design effect of the weights, 1 + CV² (the weights' spread).
    design_effect = models.FloatField(_("hệ số thiết kế"))
    weight_min = models.FloatField()
    weight_max = models.FloatField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lượt gia quyền")
        verbose_name_plural = _("lượt gia quyền")
        ordering = ["plan_id", "-created_at", "-pk"]

    def __str__(self):
        return f"{self.plan_id}: {self.created_at:%Y-%m-%d %H:%M}"


class BankQuestion(models.Model):
    """A question of the question bank (ngân hàng câu hỏi), reused across surveys so that results compare over
    time. A questionnaire's question names it by its code ("bank" in surveys/questionnaire.py)."""

    code = models.SlugField(_("mã câu hỏi"), max_length=64, unique=True)
    label = models.CharField(_("nội dung câu hỏi"), max_length=1000)
    type = models.CharField(_("loại câu hỏi"), max_length=16)
    choices = models.JSONField(_("các lựa chọn"), default=list, blank=True)  # [{"name", "label"}]
    topic = models.CharField(_("lĩnh vực"), max_length=200, blank=True)
    unit = models.ForeignKey("cases.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị đưa vào"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("câu hỏi trong ngân hàng")
        verbose_name_plural = _("ngân hàng câu hỏi")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code}: {self.label}"


class ResultsStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")  # the unit's secretariat writes it
    SUBMITTED = "submitted", _("Chờ lãnh đạo duyệt")
    PUBLISHED = "published", _("Đã công bố")  # approved by a leader of the unit; never edited again


class PublicationScope(models.TextChoices):
    INTERNAL = "internal", _("Nội bộ đơn vị")
    PARENT = "parent", _("Gửi cấp trên")  # leaders and secretariats of the units above read it
    PUBLIC = "public", _("Công khai")  # anyone, on the public results page


class SurveyResults(models.Model):
    """The results report of a survey (báo cáo kết quả điều tra) and its publication.

    `tables` is fixed when a leader approves: the figures as published, small cells already suppressed
    (surveys.analysis.suppression), so that nothing published can show more than it did that day. A list of

        {"kind": "frequency", "question": name, "label": str, "bank": code | None, "weighted": bool,
         "n": answers counted, "rows": [{"code", "label", "n": int | None, "pct": float | None,
                                           "ci": [low, high] | None, "suppressed": bool}]}
        {"kind": "crosstab", "row": name, "column": name, "row_label": str, "column_label": str,
         "row_categories": [{"code", "label"}], "column_categories": [{"code", "label"}],
         "cells": [[{"n": int | None, "pct": float | None, "suppressed": bool}, ...], ...],  # rows × columns
         "row_totals": [int | None], "column_totals": [int | None], "n": int,
         "rao_scott": {"f": float, "df1": float, "df2": float, "p": float} | None}

    where pct is a weighted percentage (0–100) and n the unweighted count of answers.
    """

    plan = models.ForeignKey(SurveyPlan, on_delete=models.PROTECT, related_name="results")
    title = models.CharField(_("tiêu đề"), max_length=300)
    summary = models.TextField(_("nhận định, đánh giá"), blank=True)
    # Which tables the report holds, chosen by the secretariat: [{"kind": "frequency", "question": name},
    # {"kind": "crosstab", "row": name, "column": name}, ...].
    table_specs = models.JSONField(default=list, blank=True)
    tables = models.JSONField(default=list, blank=True)
    weighting = models.ForeignKey(WeightingRun, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    scope = models.CharField(_("phạm vi công bố"), max_length=16, choices=PublicationScope.choices,
                             default=PublicationScope.INTERNAL)
    status = models.CharField(_("trạng thái"), max_length=16, choices=ResultsStatus.choices,
                              default=ResultsStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Why a leader sent it back to draft, the last time one did (kept until it is published).
    returned_reason = models.TextField(_("lý do trả lại"), blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("lãnh đạo duyệt"))
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("kết quả điều tra")
        verbose_name_plural = _("kết quả điều tra")
        ordering = ["plan_id", "-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "scope"], name="surveyresults_published")]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ResultsStatus.PUBLISHED
