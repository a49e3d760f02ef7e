"""What collection brings: invitation codes, answers, paper keyings and their decisions, consented
follow-up contacts (kept apart from the answers), and corrections."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.fields import EncryptedTextField

from .plans import QuestionnaireVersion, SurveyPlan


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
