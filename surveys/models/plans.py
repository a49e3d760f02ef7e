"""A survey's plan, its steps and their alerts, the questionnaire's versions, and who is assigned to collect."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SurveyMethod(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    FACE_TO_FACE = "face_to_face", _("Phỏng vấn trực tiếp")
    PAPER = "paper", _("Phiếu giấy")
    MIXED = "mixed", _("Kết hợp")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")  # editable by the unit's secretariat and leaders
    APPROVED = "approved", _("Đã phê duyệt")  # approved by a leader of the unit; its steps' clocks run


class StepKind(models.TextChoices):
    # In the order of the survey procedure (Cần Thơ plan: "các bước quy trình điều tra").
    DESIGN = "design", _("Thiết kế")
    PILOT = "pilot", _("Điều tra thử")
    COLLECTION = "collection", _("Thu thập thông tin")
    CLEANING = "cleaning", _("Làm sạch dữ liệu")
    ANALYSIS = "analysis", _("Xử lý, phân tích")
    REPORT = "report", _("Báo cáo kết quả")
    PUBLICATION = "publication", _("Công bố, sử dụng kết quả")


STEP_ORDER = [kind.value for kind in StepKind]


class SurveyPlan(models.Model):
    """A unit's plan for one survey (kế hoạch điều tra)."""

    unit = models.ForeignKey("cases.Unit", on_delete=models.PROTECT, related_name="survey_plans",
                             verbose_name=_("đơn vị chủ trì"))
    topic = models.CharField(_("chủ đề điều tra"), max_length=300)
    purpose = models.TextField(_("mục đích, yêu cầu"), blank=True)
    localities = models.ManyToManyField("cases.Unit", related_name="+", blank=True, verbose_name=_("địa bàn điều tra"))
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    method = models.CharField(_("phương pháp"), max_length=16, choices=SurveyMethod.choices)
    target_size = models.PositiveIntegerField(_("cỡ mẫu dự kiến"))
    # The variables that cut the sample into strata, e.g. ["locality", "sex", "age_group"].
    strata_variables = models.JSONField(_("biến phân tầng"), default=list, blank=True)
    # Paper forms entered twice, by two clerks, to check the entry: every Nth form by its number (1: all; 0: none).
    double_entry_every = models.PositiveIntegerField(_("nhập lại kiểm tra mỗi N phiếu"), default=10)
    # The online form also takes answers without an invitation code: one per browser, 20 per address an hour.
    open_link = models.BooleanField(_("phiếu mở, không cần mã mời"), default=False)
    # Collection closed at this moment: no new answers; answers collected offline before it are taken for
    # LATE_WINDOW after it, marked late (surveys.services.collection).
    closed_at = models.DateTimeField(_("kết thúc thu thập lúc"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("người phê duyệt"))
    approved_at = models.DateTimeField(_("thời điểm phê duyệt"), null=True, blank=True)

    class Meta:
        verbose_name = _("kế hoạch điều tra")
        verbose_name_plural = _("kế hoạch điều tra")
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="surveyplan_period_order"),
        ]

    def __str__(self):
        return self.topic

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    def margins(self) -> dict[str, dict[str, int]]:
        """The population margins raking will use: {variable: {category: population}}."""
        found: dict[str, dict[str, int]] = {}
        for margin in self.population_margins.all():
            found.setdefault(margin.variable, {})[margin.category] = margin.population
        return found


class StratumQuota(models.Model):
    """How many answers one stratum should give, e.g. {"locality": "T01", "sex": "female", "age_group": "18-34"}."""

    plan = models.ForeignKey(SurveyPlan, on_delete=models.CASCADE, related_name="quotas")
    # One category per strata variable of the plan, keyed by the variable.
    stratum = models.JSONField(_("tầng"))
    target = models.PositiveIntegerField(_("chỉ tiêu"))

    class Meta:
        verbose_name = _("chỉ tiêu theo tầng")
        verbose_name_plural = _("chỉ tiêu theo tầng")
        ordering = ["plan_id", "pk"]

    def __str__(self):
        return f"{self.stratum}: {self.target}"


class PopulationMargin(models.Model):
    """One population total of one category of one variable (dân số theo nhóm), for post-stratification."""

    plan = models.ForeignKey(SurveyPlan, on_delete=models.CASCADE, related_name="population_margins")
    variable = models.CharField(_("biến"), max_length=64)
    category = models.CharField(_("nhóm"), max_length=64)
    population = models.PositiveIntegerField(_("dân số"))

    class Meta:
        verbose_name = _("dân số theo nhóm")
        verbose_name_plural = _("dân số theo nhóm")
        ordering = ["plan_id", "variable", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "variable", "category"], name="margin_unique")]

    def __str__(self):
        return f"{self.variable}={self.category}: {self.population}"


class BudgetLine(models.Model):
    """One line of the plan's budget (dự toán kinh phí), in đồng."""

    plan = models.ForeignKey(SurveyPlan, on_delete=models.CASCADE, related_name="budget_lines")
    item = models.CharField(_("khoản chi"), max_length=300)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("khoản kinh phí")
        verbose_name_plural = _("khoản kinh phí")
        ordering = ["plan_id", "pk"]

    def __str__(self):
        return self.item


class PlanStep(models.Model):
    """One step of the survey procedure with its deadline (end of a working day)."""

    plan = models.ForeignKey(SurveyPlan, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("bước"), max_length=16, choices=StepKind.choices)
    deadline = models.DateTimeField(_("hạn hoàn thành"))
    done_at = models.DateTimeField(_("hoàn thành lúc"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")

    class Meta:
        verbose_name = _("bước của kế hoạch điều tra")
        verbose_name_plural = _("bước của kế hoạch điều tra")
        ordering = ["plan_id", "deadline", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "kind"], name="planstep_once")]

    def __str__(self):
        return f"{self.plan}: {self.get_kind_display()}"


class PlanStepAlert(models.Model):
    """A reminder before a step's deadline, or its escalation to the tier above once missed (one row each)."""

    class Action(models.TextChoices):
        REMIND = "remind", _("Sắp đến hạn")  # shown to the plan's unit
        ESCALATE = "escalate", _("Quá hạn, báo cấp trên")  # shown to the parent unit

    step = models.ForeignKey(PlanStep, on_delete=models.CASCADE, related_name="alerts")
    action = models.CharField(max_length=16, choices=Action.choices)
    to_unit = models.ForeignKey("cases.Unit", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    # Set when the step is done; the alert then stops showing.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("nhắc hạn bước điều tra")
        verbose_name_plural = _("nhắc hạn bước điều tra")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Firing twice has the effect of firing once.
            models.UniqueConstraint(fields=["step", "action"], name="planstepalert_once"),
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.step}"


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")  # editable
    FROZEN = "frozen", _("Đã khóa")  # collection started on it: never edited again


class QuestionnaireVersion(models.Model):
    """One version of a plan's questionnaire (phiếu hỏi); `content` is described in surveys/questionnaire.py."""

    plan = models.ForeignKey(SurveyPlan, on_delete=models.PROTECT, related_name="questionnaires")
    number = models.PositiveIntegerField(_("phiên bản"))
    title = models.CharField(_("tên phiếu"), max_length=300)
    content = models.JSONField(default=dict)
    status = models.CharField(_("trạng thái"), max_length=16, choices=QuestionnaireStatus.choices,
                              default=QuestionnaireStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    frozen_at = models.DateTimeField(_("khóa lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("phiếu hỏi")
        verbose_name_plural = _("phiếu hỏi")
        ordering = ["plan_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="questionnaire_number_unique"),
            # At most one draft per plan: a new version is drafted from the newest.
            models.UniqueConstraint(fields=["plan"], condition=Q(status="draft"), name="questionnaire_one_draft"),
        ]

    def __str__(self):
        return f"{self.title} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.status == QuestionnaireStatus.FROZEN


class InterviewerAssignment(models.Model):
    """An interviewer (điều tra viên) assigned to a plan; they see only the plans they are assigned to."""

    plan = models.ForeignKey(SurveyPlan, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="survey_assignments")
    # Where this interviewer collects (one of the plan's localities), and how many answers they should bring.
    locality = models.ForeignKey("cases.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("địa bàn"))
    target = models.PositiveIntegerField(_("số phiếu được giao"), default=0)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phân công điều tra viên")
        verbose_name_plural = _("phân công điều tra viên")
        ordering = ["plan_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "user"], name="assignment_once")]

    def __str__(self):
        return f"{self.user} → {self.plan}"
