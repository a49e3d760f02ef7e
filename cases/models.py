"""The domain: units, topics, channels, cases, reporters, attachments, events."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from treebeard.mp_tree import MP_Node

from .actions import CaseAction
from .fields import EncryptedTextField
from .roles import CASE_BLIND_ROLES, SUBTREE_ROLES, Role, role_codename  # noqa: F401 (their home before)
from .text import fold


class Tier(models.TextChoices):
    CENTRAL = "central", _("Trung ương")
    PROVINCE = "province", _("Tỉnh/Thành phố")
    COMMUNE = "commune", _("Xã/Phường")
    GRASSROOTS = "grassroots", _("Cơ sở")


class UnitKind(models.TextChoices):
    COMMITTEE = "committee", _("Cấp ủy/Ủy ban")
    BOARD = "board", _("Ban")
    OFFICE = "office", _("Văn phòng")
    AGENCY = "agency", _("Cơ quan")
    FRONT = "front", _("Mặt trận, đoàn thể")
    PARTY_CELL = "party_cell", _("Chi bộ")
    HAMLET = "hamlet", _("Thôn, xóm, tổ dân phố")


# Case codes read DL-YYYY-NNNNNN (the number is per year).
CASE_CODE_PREFIX = "DL"


class Unit(MP_Node):
    """An organisational unit; the tree is central → province → commune → grassroots.

    The materialised path (treebeard) makes a subtree one indexed prefix
    query, which is how every permission scope is computed.
    """

    code = models.CharField(_("mã đơn vị"), max_length=32, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    tier = models.CharField(_("cấp"), max_length=16, choices=Tier.choices)
    kind = models.CharField(_("loại"), max_length=16, choices=UnitKind.choices, default=UnitKind.COMMITTEE)
    is_remote = models.BooleanField(_("vùng sâu, vùng xa"), default=False)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    # No node_order_by: a new unit goes last among its siblings, so existing
    # paths (and every permission scope built on them) never shift.

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        permissions = [(role_codename(value), label) for value, label in Role.choices]

    def __str__(self):
        return self.name


class UnitUserObjectPermission(UserObjectPermissionBase):
    """A role granted to a person on a unit (guardian, direct foreign key)."""

    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="user_grants")

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("vai trò trên đơn vị")
        verbose_name_plural = _("vai trò trên đơn vị")


class Topic(MP_Node):
    """A field of issues (lĩnh vực); a tree."""

    code = models.CharField(_("mã lĩnh vực"), max_length=32, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)
    # Where False, `orient` may be skipped: no public response is expected.
    needs_public_response = models.BooleanField(_("cần trả lời công khai"), default=True)
    is_active = models.BooleanField(_("đang sử dụng"), default=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self):
        return self.name


class Channel(models.Model):
    """An intake channel (kênh tiếp nhận)."""

    code = models.CharField(_("mã kênh"), max_length=32, unique=True)
    name = models.CharField(_("tên kênh"), max_length=255)
    is_active = models.BooleanField(_("đang sử dụng"), default=True)

    class Meta:
        verbose_name = _("kênh tiếp nhận")
        verbose_name_plural = _("kênh tiếp nhận")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Tiếp nhận")  # logged, not yet checked
    VERIFIED = "verified", _("Đã xác minh")  # topic, locality, priority checked
    ASSIGNED = "assigned", _("Đã giao xử lý")  # a handling unit owns it
    ORIENTED = "oriented", _("Đã định hướng, trả lời")  # public response issued
    RESOLVED = "resolved", _("Đã giải quyết xong")  # outcome recorded
    REPORTED = "reported", _("Đã báo cáo")  # final: in a submitted report
    REJECTED = "rejected", _("Không thụ lý")  # final: not an issue, out of scope, spam
    MERGED = "merged", _("Đã gộp")  # final: folded into another case
    # Sent to the competent agency; the intake clerk still has to tell the reporter.
    TRANSFERRED = "transferred", _("Đã chuyển đơn, chờ báo người phản ánh")
    TRANSFER_CLOSED = "transfer_closed", _("Đã chuyển đơn, đã báo người phản ánh")  # final


OPEN_STATUSES = (
    CaseStatus.RECEIVED, CaseStatus.VERIFIED, CaseStatus.ASSIGNED, CaseStatus.ORIENTED, CaseStatus.TRANSFERRED,
)
FINAL_STATUSES = (CaseStatus.REPORTED, CaseStatus.REJECTED, CaseStatus.MERGED, CaseStatus.TRANSFER_CLOSED)


class CaseKind(models.TextChoices):
    """Kinds of matter the law distinguishes (loại đơn); the codes integrators send."""

    OPINION = "opinion", _("Ý kiến")
    PROPOSAL = "proposal", _("Kiến nghị")
    REFLECTION = "reflection", _("Phản ánh")
    # Settled by the competent agency, not by this body: transferred, then the reporter is told.
    COMPLAINT = "complaint", _("Khiếu nại")
    DENUNCIATION = "denunciation", _("Tố cáo")


# Kinds this body does not settle itself: their path is transfer, then tell the reporter.
TRANSFERRED_KINDS = frozenset({CaseKind.COMPLAINT, CaseKind.DENUNCIATION})


class Priority(models.TextChoices):
    NORMAL = "normal", _("Thường")
    URGENT = "urgent", _("Khẩn")
    FLASH = "flash", _("Hỏa tốc")


class Case(models.Model):
    """One opinion issue (vụ việc), from intake to the report that accounts for it."""

    code = models.CharField(_("mã vụ việc"), max_length=20, unique=True)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.RECEIVED, db_index=True
    )
    title = models.CharField(_("tiêu đề"), max_length=300)
    description = models.TextField(_("nội dung"), blank=True)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, verbose_name=_("kênh tiếp nhận"))
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, verbose_name=_("lĩnh vực"))
    locality = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="cases_in_locality", verbose_name=_("địa bàn")
    )
    # Who must act now; the permission scope of every read follows it.
    owner = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="owned_cases", verbose_name=_("đơn vị xử lý"))
    # The unit whose leader made the last assignment and keeps watch over it.
    assigned_by_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("đơn vị giao")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("người xử lý"),
    )
    priority = models.CharField(_("độ khẩn"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    kind = models.CharField(_("loại vụ việc"), max_length=16, choices=CaseKind.choices, default=CaseKind.REFLECTION)
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    deadline = models.DateTimeField(_("hạn của bước hiện tại"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("mức chuyển cấp trên"), default=0)
    external_ref = models.CharField(_("mã tham chiếu ngoài"), max_length=100, blank=True)
    # Where the issue is, when a channel gives it (Open311): plain decimals, no GIS extension (SQLite works).
    latitude = models.DecimalField(_("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    media_url = models.URLField(_("đường dẫn ảnh, tệp"), max_length=500, blank=True)

    public_response = models.TextField(_("nội dung trả lời công khai"), blank=True)
    outcome = models.TextField(_("kết quả giải quyết"), blank=True)
    closing_reason = models.TextField(_("lý do"), blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_cases",
        verbose_name=_("gộp vào vụ việc"),
    )
    # Code, title and description folded (no diacritics, lower case) for search.
    search_text = models.TextField(blank=True, editable=False)
    # Hash of the secret given to the reporter at intake for the public status page.
    public_secret_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The reporter said a resolved case is not fixed; a leader decides whether to reopen.
    reopen_requested = models.BooleanField(_("người phản ánh đề nghị xem lại"), default=False)
    # A leader decided not to reopen after the reporter's "not fixed"; shown on the public page.
    kept_closed_reason = models.TextField(_("lý do giữ kết quả"), blank=True)
    # Transfer to the competent agency (chuyển đơn) and how the reporter was told.
    transfer_agency = models.CharField(_("cơ quan có thẩm quyền"), max_length=300, blank=True)
    transfer_legal_basis = models.TextField(_("căn cứ chuyển đơn"), blank=True)
    reporter_notified_at = models.DateTimeField(_("thời điểm báo người phản ánh"), null=True, blank=True)
    reporter_notified_how = models.CharField(_("hình thức báo người phản ánh"), max_length=300, blank=True)
    # The tier above instructed the owner in writing; the owner has not acknowledged it yet.
    instruction_pending = models.BooleanField(_("có chỉ đạo chờ tiếp thu"), default=False)
    # Honest count of reports of this matter, merged duplicates included.
    report_count = models.PositiveIntegerField(_("số lượt phản ánh"), default=1)

    # Optimistic concurrency and the head of the hash chain of events.
    version = models.PositiveIntegerField(default=0)
    event_count = models.PositiveIntegerField(default=0)
    head_hash = models.CharField(max_length=64, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vụ việc")
        verbose_name_plural = _("vụ việc")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["owner", "status", "deadline"], name="case_owner_queue"),
            models.Index(fields=["owner", "-received_at"], name="case_owner_recent"),
            # The assigning unit's leader keeps watch: the scope's second branch, newest first.
            models.Index(fields=["assigned_by_unit", "-received_at"], name="case_assigner_recent"),
            models.Index(fields=["locality", "status"], name="case_locality_status"),
            models.Index(fields=["status", "deadline"], name="case_status_deadline"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.code} {self.title} {self.description}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseCodeCounter(models.Model):
    """Last case number issued in a year; the row lock serialises allocation."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)


class Reporter(models.Model):
    """A person who raised a matter, kept apart from the case: only what they chose to give, encrypted at rest."""

    full_name = EncryptedTextField(_("họ tên"), blank=True)
    phone = EncryptedTextField(_("số điện thoại"), blank=True)
    email = EncryptedTextField(_("thư điện tử"), blank=True)
    address = EncryptedTextField(_("địa chỉ"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("người phản ánh")
        verbose_name_plural = _("người phản ánh")

    def __str__(self):
        return str(_("Người phản ánh #%(id)s") % {"id": self.pk})


class CaseReport(models.Model):
    """One report of the matter (lượt phản ánh): who raised it, when and how.

    A case holds one row per report; duplicates merged into it bring their rows along, so the count stays
    honest. `reporter` is empty for an anonymous report.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reports")
    reporter = models.ForeignKey(Reporter, on_delete=models.PROTECT, null=True, blank=True, related_name="case_reports")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT)
    received_at = models.DateTimeField()
    is_representative = models.BooleanField(default=False)
    # The case this report was first logged under, when it came by a merge.
    via_case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("lượt phản ánh")
        verbose_name_plural = _("lượt phản ánh")
        ordering = ["received_at", "pk"]


def attachment_path(instance, filename):
    # Never trust the client's name on disk; keep it only as metadata.
    return f"attachments/{instance.case.received_at:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The event it came with (intake, orient, resolve); only a resolution's file may be public.
    event = models.ForeignKey("CaseEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="attachments")
    is_public = models.BooleanField(_("công khai trên trang tra cứu"), default=False)
    thumbnail = models.FileField(max_length=255, blank=True)  # a small image beside the file, made by a worker

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self):
        return self.original_name


class CaseEvent(models.Model):
    """One fact in a case's history: append-only and hash-chained per case.

    `hash` covers this event's content and `prev_hash`, so editing,
    deleting or reordering any event breaks the chain (see cases.audit).
    On PostgreSQL a trigger refuses UPDATE and DELETE on this table.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=32, choices=CaseAction.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("sự kiện")
        verbose_name_plural = _("lịch sử vụ việc")
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="caseevent_case_seq_unique")]

    def __str__(self):
        return f"{self.case_id}#{self.seq} {self.action}"


class RoleChange(models.Model):
    """A role granted or withdrawn: who did it, to whom, on which unit, when."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("Cấp vai trò")
        REVOKE = "revoke", _("Thu hồi vai trò")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_changes")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="role_changes")
    role = models.CharField(max_length=16, choices=Role.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thay đổi vai trò")
        verbose_name_plural = _("nhật ký cấp, thu hồi vai trò")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.user} — {self.get_role_display()} @ {self.unit}"


class RoutingRule(models.Model):
    """Topic × locality subtree → the unit `assign` proposes by default.

    The most specific rule wins: deepest locality, then deepest topic.
    Leaders may always choose another unit within their reach.
    """

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, verbose_name=_("lĩnh vực"))
    locality = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("địa bàn"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("đơn vị xử lý"))
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("quy tắc phân công")
        verbose_name_plural = _("quy tắc phân công")
        constraints = [models.UniqueConstraint(fields=["topic", "locality"], name="routingrule_topic_locality_unique")]

    def __str__(self):
        return f"{self.topic} × {self.locality} → {self.unit}"


class UnitChange(models.Model):
    """A unit renamed or merged into a successor, effective on a date (the 2025 reform)."""

    class Kind(models.TextChoices):
        RENAME = "rename", _("Đổi tên")
        MERGE = "merge", _("Sáp nhập")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="changes")
    old_name = models.CharField(max_length=255)
    new_name = models.CharField(max_length=255, blank=True)
    successor = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="absorbed_changes")
    effective_on = models.DateField(_("ngày hiệu lực"))
    decision_ref = models.CharField(_("số quyết định"), max_length=100, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thay đổi đơn vị")
        verbose_name_plural = _("sáp nhập, đổi tên đơn vị")
        ordering = ["-effective_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.old_name} ({self.effective_on:%d/%m/%Y})"


class ReporterRevealRole(models.Model):
    """Roles an administrator allows to reveal reporter identity (besides intake clerks)."""

    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices, unique=True)

    class Meta:
        verbose_name = _("vai trò được xem danh tính người phản ánh")
        verbose_name_plural = _("vai trò được xem danh tính người phản ánh")

    def __str__(self):
        return self.get_role_display()
