"""The collaborator network, the subjects the board follows, opinion notes, briefings and evaluation.

A note records the state of opinion (how people in an area or group receive a policy, an event, a rumour),
never a resident: it holds no name or contact, and what describes a concrete problem becomes a case.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Topic, Unit


class SocialGroup(models.TextChoices):
    """The social groups and organisations collaborators represent and notes concern (Cần Thơ plan)."""

    FARMERS = "farmers", _("Nông dân")
    WORKERS = "workers", _("Công nhân, người lao động")
    INTELLECTUALS = "intellectuals", _("Trí thức")
    YOUTH = "youth", _("Thanh niên")
    WOMEN = "women", _("Phụ nữ")
    VETERANS = "veterans", _("Cựu chiến binh")
    ELDERLY = "elderly", _("Người cao tuổi")
    BUSINESS = "business", _("Doanh nghiệp, doanh nhân")
    RELIGIOUS = "religious", _("Chức sắc, tín đồ tôn giáo")
    ETHNIC = "ethnic", _("Đồng bào dân tộc thiểu số")
    OFFICIALS = "officials", _("Cán bộ, đảng viên, công chức")
    STUDENTS = "students", _("Học sinh, sinh viên")
    GENERAL = "general", _("Nhân dân nói chung")


class CollaboratorStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    PAUSED = "paused", _("Tạm ngừng")
    ENDED = "ended", _("Đã thôi")


class Collaborator(models.Model):
    """A collaborator (cộng tác viên) of a unit's board, appointed by decision for a term."""

    # The login; it holds the role collaborator on `unit` (the one role table, cases.roles).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="collaborator", verbose_name=_("tài khoản"),
    )
    full_name = models.CharField(_("họ và tên"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="collaborators", verbose_name=_("đơn vị"))
    localities = models.ManyToManyField(Unit, related_name="+", blank=True, verbose_name=_("địa bàn phụ trách"))
    sectors = models.ManyToManyField(Topic, related_name="+", blank=True, verbose_name=_("lĩnh vực phụ trách"))
    social_group = models.CharField(_("giới, tầng lớp đại diện"), max_length=16, choices=SocialGroup.choices, blank=True)
    organisation = models.CharField(_("cơ quan, tổ chức"), max_length=200, blank=True)
    decision_number = models.CharField(_("số quyết định công nhận"), max_length=64, blank=True)
    term_start = models.DateField(_("bắt đầu nhiệm kỳ"))
    term_end = models.DateField(_("hết nhiệm kỳ"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=CollaboratorStatus.choices, default=CollaboratorStatus.ACTIVE
    )

    class Meta:
        verbose_name = _("cộng tác viên")
        verbose_name_plural = _("cộng tác viên")
        ordering = ["unit_id", "full_name"]

    def __str__(self):
        return self.full_name


class NetworkTarget(models.Model):
    """The network plan of a unit: how many active collaborators it wants for a locality, sector or group."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="network_targets", verbose_name=_("đơn vị"))
    locality = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("địa bàn")
    )
    sector = models.ForeignKey(Topic, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("lĩnh vực"))
    social_group = models.CharField(_("giới, tầng lớp"), max_length=16, choices=SocialGroup.choices, blank=True)
    wanted = models.PositiveSmallIntegerField(_("số cộng tác viên cần có"))

    class Meta:
        verbose_name = _("chỉ tiêu mạng lưới")
        verbose_name_plural = _("chỉ tiêu mạng lưới")


class SubjectKind(models.TextChoices):
    POLICY = "policy", _("Chủ trương, chính sách")
    EVENT = "event", _("Sự kiện, vụ việc")
    RUMOUR = "rumour", _("Tin đồn, thông tin sai lệch")
    OTHER = "other", _("Khác")


class SubjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Cộng tác viên đề xuất")  # a collaborator's new subject, not yet accepted
    FOLLOWED = "followed", _("Đang theo dõi")
    CLOSED = "closed", _("Đã thôi theo dõi")


class Subject(models.Model):
    """A subject the board follows (chủ đề dư luận): a policy, an event, a rumour."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="opinion_subjects", verbose_name=_("đơn vị"))
    title = models.CharField(_("chủ đề"), max_length=300)
    kind = models.CharField(_("loại"), max_length=8, choices=SubjectKind.choices, default=SubjectKind.POLICY)
    description = models.TextField(_("mô tả"), blank=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("lĩnh vực"))
    status = models.CharField(_("trạng thái"), max_length=8, choices=SubjectStatus.choices, default=SubjectStatus.FOLLOWED)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("mở lúc"))

    class Meta:
        verbose_name = _("chủ đề dư luận")
        verbose_name_plural = _("chủ đề dư luận")
        ordering = ["-opened_at"]

    def __str__(self):
        return self.title


class OpinionRequest(models.Model):
    """A request to collaborators (đợt nắm bắt) on a subject: questions and a deadline on the working calendar."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="requests", verbose_name=_("chủ đề"))
    questions = models.TextField(_("nội dung cần nắm"))
    localities = models.ManyToManyField(Unit, related_name="+", blank=True, verbose_name=_("địa bàn"))
    sectors = models.ManyToManyField(Topic, related_name="+", blank=True, verbose_name=_("lĩnh vực"))
    deadline = models.DateTimeField(_("hạn báo cáo"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("gửi lúc"))

    class Meta:
        verbose_name = _("đợt nắm bắt dư luận")
        verbose_name_plural = _("đợt nắm bắt dư luận")


class RequestRecipient(models.Model):
    """A collaborator a request went to; answered when their first note on it arrives."""

    request = models.ForeignKey(OpinionRequest, on_delete=models.CASCADE, related_name="recipients")
    collaborator = models.ForeignKey(Collaborator, on_delete=models.CASCADE, related_name="requests")
    answered_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "collaborator"], name="request_recipient_once")]


class Attitude(models.TextChoices):
    AGREE = "agree", _("Đồng tình, ủng hộ")
    CONCERNED = "concerned", _("Băn khoăn, lo lắng")
    DISAGREE = "disagree", _("Không đồng tình")
    INDIGNANT = "indignant", _("Bức xúc")
    MIXED = "mixed", _("Trái chiều")


class Spread(models.TextChoices):
    FEW = "few", _("Ít người quan tâm")
    SOME = "some", _("Một bộ phận")
    WIDE = "wide", _("Nhiều người, lan rộng")


class Intensity(models.TextChoices):
    LOW = "low", _("Bình thường")
    MEDIUM = "medium", _("Đáng chú ý")
    HIGH = "high", _("Gay gắt")


class HeardChannel(models.TextChoices):
    DIRECT = "direct", _("Trực tiếp trong nhân dân")
    MEETING = "meeting", _("Hội họp, sinh hoạt")
    SOCIAL_MEDIA = "social_media", _("Mạng xã hội")
    PRESS = "press", _("Báo chí")
    OTHER = "other", _("Khác")


class OpinionNote(models.Model):
    """An opinion note (phiếu thông tin dư luận) filed by a collaborator; its history is hash-chained."""

    code = models.CharField(_("số phiếu"), max_length=20, unique=True)
    # The key the device chose when the note was written: a note sent twice (offline, retried) is stored once.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collaborator = models.ForeignKey(Collaborator, on_delete=models.PROTECT, related_name="notes")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="opinion_notes", verbose_name=_("đơn vị"))
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="notes", verbose_name=_("chủ đề"))
    request = models.ForeignKey(OpinionRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes")
    locality = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("địa bàn"))
    groups = models.JSONField(_("đối tượng"), default=list, blank=True)  # SocialGroup codes
    attitude = models.CharField(_("thái độ chủ yếu"), max_length=12, choices=Attitude.choices)
    spread = models.CharField(_("mức độ lan rộng"), max_length=8, choices=Spread.choices, blank=True)
    intensity = models.CharField(_("mức độ gay gắt"), max_length=8, choices=Intensity.choices, blank=True)
    summary = models.TextField(_("tóm tắt"))
    recommendation = models.TextField(_("kiến nghị, đề xuất"), blank=True)
    channel = models.CharField(_("nắm được qua"), max_length=16, choices=HeardChannel.choices, blank=True)
    observed_on = models.DateField(_("ngày nắm được"))
    filed_at = models.DateTimeField(_("gửi lúc"))
    # Set when a note describing a concrete problem was turned into a case (the case keeps its own privacy).
    case = models.OneToOneField(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="opinion_note")

    class Meta:
        verbose_name = _("phiếu thông tin dư luận")
        verbose_name_plural = _("phiếu thông tin dư luận")
        ordering = ["-filed_at"]
        indexes = [models.Index(fields=["unit", "filed_at"]), models.Index(fields=["subject", "locality", "filed_at"])]

    def __str__(self):
        return self.code


class NoteAction(models.TextChoices):
    FILED = "filed", _("Gửi phiếu")
    REDACTED = "redacted", _("Biên tập, che thông tin")
    TURNED_INTO_CASE = "case", _("Chuyển thành vụ việc")


class NoteEvent(models.Model):
    """One fact in a note's history, hash-chained per note like a case's.

    The chain holds a digest of the note's text, never the text: a redaction appends an event carrying the
    old digest, the new one and the reason, so verification accepts the new text under that event.
    """

    note = models.ForeignKey(OpinionNote, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=12, choices=NoteAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["note_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["note", "seq"], name="noteevent_note_seq_unique")]


class BriefingKind(models.TextChoices):
    MONTHLY = "monthly", _("Giao ban tháng")
    SIX_MONTH = "six_month", _("Sơ kết 6 tháng")
    ANNUAL = "annual", _("Tổng kết năm")
    AD_HOC = "ad_hoc", _("Giao ban đột xuất")


class Briefing(models.Model):
    """A briefing (giao ban) of a unit's collaborators: agenda, attendance, minutes and decisions."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="briefings", verbose_name=_("đơn vị"))
    kind = models.CharField(_("loại"), max_length=10, choices=BriefingKind.choices)
    held_at = models.DateTimeField(_("thời gian"))
    place = models.CharField(_("địa điểm"), max_length=200, blank=True)
    subjects = models.ManyToManyField(Subject, related_name="briefings", blank=True, verbose_name=_("nội dung"))
    attendees = models.ManyToManyField(Collaborator, related_name="briefings", blank=True, verbose_name=_("dự họp"))
    minutes = models.TextField(_("biên bản"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("giao ban cộng tác viên")
        verbose_name_plural = _("giao ban cộng tác viên")
        ordering = ["-held_at"]


class BriefingDecision(models.Model):
    """A decision of a briefing with its owner and deadline; it becomes a case (or a task) to follow."""

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("nội dung kết luận"))
    owner = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị thực hiện"))
    deadline = models.DateTimeField(_("hạn"))
    # The field the case is filed under when the decision becomes one.
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("lĩnh vực"))
    case = models.OneToOneField(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="briefing_decision")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("kết luận giao ban")
        verbose_name_plural = _("kết luận giao ban")
        ordering = ["briefing_id", "pk"]


class TrainingSession(models.Model):
    """A training session (tập huấn) for collaborators."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    title = models.CharField(_("nội dung"), max_length=300)
    held_on = models.DateField(_("ngày"))
    attendees = models.ManyToManyField(Collaborator, related_name="trainings", blank=True, verbose_name=_("tham dự"))


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Hoàn thành xuất sắc nhiệm vụ")
    GOOD = "good", _("Hoàn thành tốt nhiệm vụ")
    DONE = "done", _("Hoàn thành nhiệm vụ")
    NOT_DONE = "not_done", _("Không hoàn thành nhiệm vụ")


class Evaluation(models.Model):
    """The secretariat's rating of a collaborator's work for the board in a period (six months or a year)."""

    collaborator = models.ForeignKey(Collaborator, on_delete=models.CASCADE, related_name="evaluations")
    period = models.CharField(_("kỳ đánh giá"), max_length=8)  # 2026-H1, 2026 (reports.periods)
    grade = models.CharField(_("xếp loại"), max_length=10, choices=Grade.choices)
    comment = models.TextField(_("nhận xét"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collaborator", "period"], name="evaluation_once_a_period")]
