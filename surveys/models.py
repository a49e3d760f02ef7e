"""Opinion surveys (điều tra dư luận xã hội): the plan, its steps and their alerts, the questionnaire's
versions, and who is assigned to collect.

A plan belongs to one unit; its secretariat or leader drafts it and a leader of that unit approves it.
Approved, its steps run on the working calendar with reminders and escalation (surveys.services.steps).
The questionnaire is versioned: a version is a draft until collection starts, then frozen for good; a
change after that is a new version.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.fields import EncryptedTextField


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


# --- collection -------------------------------------------------------------------------------


class AnswerChannel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")  # a resident on the online form
    PAPER = "paper", _("Phiếu giấy")  # entered from a paper form
    INTERVIEW = "interview", _("Phỏng vấn")  # an interviewer's device


class InvitationCode(models.Model):
    """A one-time code that lets one resident answer once online (mã mời).

    Only the code's digest is kept, and nothing ties a used code to the answer it let in: the answer
    names no code, the code keeps no time of use, only that it was used.
    """

    plan = models.ForeignKey(SurveyPlan, on_delete=models.CASCADE, related_name="invitation_codes")
    digest = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)
    # The batch it was issued in (one per issuing), so that a batch can be counted or withdrawn.
    batch = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("mã mời trả lời")
        verbose_name_plural = _("mã mời trả lời")
        indexes = [models.Index(fields=["plan", "used"], name="invitation_plan_used")]

    def __str__(self):
        return f"{self.plan_id}/{self.batch}"


class SurveyAnswer(models.Model):
    """One respondent's answers to one frozen questionnaire version (phiếu trả lời); no name, phone or address."""

    plan = models.ForeignKey(SurveyPlan, on_delete=models.PROTECT, related_name="answers")
    questionnaire = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="answers")
    channel = models.CharField(max_length=16, choices=AnswerChannel.choices)
    # {question name: answer}: text, a number, a date "YYYY-MM-DD", a choice, or a list of choices.
    data = models.JSONField(default=dict)
    # The answer's stratum, {strata variable: category}, read from the questions of the same name.
    stratum = models.JSONField(default=dict)
    # The day it arrived (not the time: a time could be matched against a code's use or a visit).
    received_on = models.DateField(_("ngày nhận"))
    # An interviewer's answer (collected on a device, maybe without a signal): the key the device chose, so that
    # a repeat stores nothing more, and when the device says it was collected. Empty for the online form.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    collected_at = models.DateTimeField(_("thời điểm thu thập"), null=True, blank=True)
    # Collected before collection closed but received after it, within the late window.
    late = models.BooleanField(_("nhận muộn"), default=False)
    # The collecting device's own id of this answer (OpenRosa's meta/instanceID): a repeat is stored once.
    instance_id = models.CharField(max_length=100, null=True, blank=True)
    # How long the respondent took, in seconds, when the channel knows it (the online form, a device): the
    # speeder check compares it with the plan's median. No start or end time is kept, only the length.
    duration_seconds = models.PositiveIntegerField(_("thời gian trả lời (giây)"), null=True, blank=True)

    class Meta:
        verbose_name = _("phiếu trả lời")
        verbose_name_plural = _("phiếu trả lời")
        ordering = ["plan_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "instance_id"], condition=Q(instance_id__isnull=False),
                                    name="surveyanswer_instance_once"),
        ]

    def __str__(self):
        return f"{self.plan_id}#{self.pk}"


# --- paper forms -------------------------------------------------------------------------------


class PaperEntry(models.Model):
    """One keying of one paper form (phiếu giấy) by one clerk: the first makes the answer; a sampled form is keyed
    a second time, blind, by another clerk, and the two are compared field by field (PaperDecision)."""

    plan = models.ForeignKey(SurveyPlan, on_delete=models.PROTECT, related_name="paper_entries")
    # The number printed or written on the paper form.
    form_number = models.PositiveIntegerField(_("số phiếu"))
    round = models.PositiveSmallIntegerField(_("lần nhập"))  # 1 or 2
    data = models.JSONField(default=dict)
    # The answer the first keying made (the second keying only checks it).
    answer = models.ForeignKey(SurveyAnswer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lượt nhập phiếu giấy")
        verbose_name_plural = _("lượt nhập phiếu giấy")
        ordering = ["plan_id", "form_number", "round"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "form_number", "round"], name="paperentry_once"),
            models.CheckConstraint(condition=Q(round__in=[1, 2]), name="paperentry_round"),
        ]

    def __str__(self):
        return f"{self.plan_id}/{self.form_number}#{self.round}"


class PaperDecision(models.Model):
    """How a field keyed differently by the two clerks was settled, by whom and when; the answer takes the value."""

    class Choice(models.TextChoices):
        FIRST = "first", _("Giữ lần nhập 1")
        SECOND = "second", _("Theo lần nhập 2")

    plan = models.ForeignKey(SurveyPlan, on_delete=models.PROTECT, related_name="paper_decisions")
    form_number = models.PositiveIntegerField(_("số phiếu"))
    field = models.CharField(_("câu hỏi"), max_length=64)
    first_value = models.JSONField(null=True, blank=True)
    second_value = models.JSONField(null=True, blank=True)
    choice = models.CharField(_("quyết định"), max_length=8, choices=Choice.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quyết định chênh lệch nhập phiếu")
        verbose_name_plural = _("quyết định chênh lệch nhập phiếu")
        ordering = ["plan_id", "form_number", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "form_number", "field"], name="paperdecision_once")]

    def __str__(self):
        return f"{self.plan_id}/{self.form_number}: {self.field}"


# --- follow-up contacts ------------------------------------------------------------------------


class FollowUpContact(models.Model):
    """How to reach a respondent again, kept only with their consent and apart from their answer.

    Nothing links it to the answer, either way: no foreign key, a random id (no sequence to line up with the
    answers'), and only the day it came. Encrypted at rest like a case's reporter (cases.fields); never exported
    or listed with answers; read only by the unit's secretariat or leaders, each read logged (FollowUpContactRead).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(SurveyPlan, on_delete=models.PROTECT, related_name="followup_contacts")
    consent = models.BooleanField(_("người trả lời đồng ý được liên hệ lại"))
    full_name = EncryptedTextField(_("họ tên"), blank=True)
    phone = EncryptedTextField(_("số điện thoại"), blank=True)
    address = EncryptedTextField(_("địa chỉ"), blank=True)
    received_on = models.DateField(_("ngày nhận"))

    class Meta:
        verbose_name = _("liên hệ lại người trả lời")
        verbose_name_plural = _("liên hệ lại người trả lời")
        ordering = ["plan_id", "received_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(consent=True), name="followupcontact_consent")]

    def __str__(self):
        return str(_("Liên hệ %(ref)s") % {"ref": str(self.id)[:8]})


class FollowUpContactRead(models.Model):
    """One read of a follow-up contact: who, when, why."""

    contact = models.ForeignKey(FollowUpContact, on_delete=models.PROTECT, related_name="reads")
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("lý do"))
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lượt xem liên hệ người trả lời")
        verbose_name_plural = _("lượt xem liên hệ người trả lời")
        ordering = ["-read_at", "-pk"]

    def __str__(self):
        return f"{self.read_by} → {self.contact_id}"


class AnswerCorrection(models.Model):
    """A recorded correction of an answer after collection closed (hiệu chỉnh): who, why, which answers
    changed to what. The answer's own row is never edited; its corrected reading is the original with its
    corrections applied in order."""

    answer = models.ForeignKey(SurveyAnswer, on_delete=models.PROTECT, related_name="corrections")
    # {question name: new answer, or None to clear it}
    changes = models.JSONField(_("nội dung hiệu chỉnh"))
    reason = models.CharField(_("lý do"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hiệu chỉnh phiếu trả lời")
        verbose_name_plural = _("hiệu chỉnh phiếu trả lời")
        ordering = ["answer_id", "at", "pk"]

    def __str__(self):
        return f"{self.answer}: {self.reason}"


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
