"""Reports up the tiers, their frozen versions and due-date alerts; inspections; export jobs.

A `Report` is a unit's account of a period. While it is a draft its figures
are computed from the data each time it is read; submitting freezes them in
a `ReportVersion`. A correction after submission is a new version with its
differences, never an edit of an old one.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("Báo cáo tháng")  # before the 15th of the next month (Cần Thơ plan)
    QUARTERLY = "quarterly", _("Báo cáo quý")  # "sơ kết quý" (Thái Nguyên plan)
    SIX_MONTH = "six_month", _("Sơ kết 6 tháng")
    ANNUAL = "annual", _("Tổng kết năm")
    AD_HOC = "ad_hoc", _("Báo cáo nhanh, đột xuất")  # when something flares; due within 24 h
    # The monthly situation report on public opinion, from the collaborators' notes (Cần Thơ plan: before the 15th).
    SITUATION = "situation", _("Báo cáo tình hình dư luận xã hội")


PERIODIC_KINDS = (ReportKind.MONTHLY, ReportKind.QUARTERLY, ReportKind.SIX_MONTH, ReportKind.ANNUAL,
                  ReportKind.SITUATION)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")  # figures computed live, narrative editable
    SUBMITTED = "submitted", _("Đã gửi")  # figures frozen in versions; corrections only


class Report(models.Model):
    """One unit's report for one period (periodic) or one flare-up (ad hoc)."""

    unit = models.ForeignKey("cases.Unit", on_delete=models.PROTECT, related_name="reports",
                             verbose_name=_("đơn vị báo cáo"))
    kind = models.CharField(_("loại báo cáo"), max_length=16, choices=ReportKind.choices)
    # Both dates inclusive, local (Vietnam) calendar days.
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    title = models.CharField(_("tiêu đề"), max_length=300, blank=True)
    narrative = models.TextField(_("nội dung đánh giá, đề xuất"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    due_at = models.DateTimeField(_("hạn nộp"))
    # Number of the newest submitted version (0 while a draft).
    version = models.PositiveIntegerField(_("phiên bản"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("người gửi"))
    submitted_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)
    # Number and symbol of the official document ("12-BC/ĐU"), given once at submission from the unit's
    # counter and kept by every version and re-export; empty for a draft (the office writes it by hand).
    document_number = models.CharField(_("số, ký hiệu văn bản"), max_length=60, blank=True)
    # A rapid report (ad hoc) on one subject the board follows: its figures then hold the opinion on it.
    subject = models.ForeignKey("collaborators.Subject", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("chủ đề dư luận"))

    class Meta:
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        ordering = ["-period_start", "unit__path", "-pk"]
        constraints = [
            # One periodic report per unit and period; rapid reports may be many.
            models.UniqueConstraint(fields=["unit", "kind", "period_start"], condition=~Q(kind="ad_hoc"),
                                    name="report_one_per_unit_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="report_period_order"),
        ]
        indexes = [models.Index(fields=["kind", "period_start", "status"], name="report_kind_period")]

    def __str__(self):
        return self.title or f"{self.get_kind_display()} {self.period_start:%d/%m/%Y}"

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT

    @property
    def reference(self) -> str:
        """What the case history records as the report that accounted for a case."""
        return f"BC-{self.pk}"


class ReportVersion(models.Model):
    """The frozen content of a submitted report; a correction adds the next number."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    figures = models.JSONField(default=dict)
    narrative = models.TextField(blank=True)
    # Why the correction was made (empty for the first submission).
    reason = models.TextField(_("lý do đính chính"), blank=True)
    # Against the previous version: {"figures": [...], "narrative": [...]}; empty for version 1.
    diff = models.JSONField(default=dict, blank=True)
    # Codes of the cases this version marked `reported`.
    marked_cases = models.JSONField(default=list, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("phiên bản báo cáo")
        verbose_name_plural = _("phiên bản báo cáo")
        ordering = ["report_id", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="reportversion_number_unique")]

    def __str__(self):
        return f"{self.report} v{self.number}"


class ReportAlert(models.Model):
    """A reminder before a periodic report's due date, or its escalation once missed (one row each)."""

    class Action(models.TextChoices):
        REMIND = "remind", _("Nhắc nộp báo cáo")  # shown to the unit itself
        ESCALATE = "escalate", _("Chưa nộp báo cáo, báo cấp trên")  # shown to the parent unit's leader

    unit = models.ForeignKey("cases.Unit", on_delete=models.CASCADE, related_name="report_alerts")
    to_unit = models.ForeignKey("cases.Unit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ReportKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    action = models.CharField(max_length=16, choices=Action.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    # Set when the report is submitted; the alert then stops showing.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("nhắc, báo chậm nộp báo cáo")
        verbose_name_plural = _("nhắc, báo chậm nộp báo cáo")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Firing twice has the effect of firing once.
            models.UniqueConstraint(fields=["unit", "kind", "period_start", "action"], name="reportalert_once"),
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.unit} {self.period_start:%m/%Y}"


# --- inspection -----------------------------------------------------------------


class Inspection(models.Model):
    """An inspection of a unit's subtree over a period; its seed fixes the sample of closed cases."""

    unit = models.ForeignKey("cases.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    title = models.CharField(_("tên cuộc kiểm tra"), max_length=300, blank=True)
    seed = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cuộc kiểm tra")
        verbose_name_plural = _("cuộc kiểm tra")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title or f"{self.unit} {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"


class InspectorNote(models.Model):
    """An inspector's note on an inspection (and maybe one case); handlers never see it."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="notes")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("ghi chú"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ghi chú kiểm tra")
        verbose_name_plural = _("ghi chú kiểm tra")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.inspection_id}: {self.text[:40]}"


class OversightRead(models.TextChoices):
    """What an inspector or a supervisor read outside the inspection pages (stored as a code)."""

    CASE_PAGE = "case_page", _("Trang vụ việc")
    CASE_HISTORY = "case_history", _("Lịch sử vụ việc")
    HISTORY_LIST = "history_list", _("Danh sách kiểm tra lịch sử vụ việc")
    CASE_LIST = "case_list", _("Danh sách vụ việc")
    EXPORT = "export", _("Tệp xuất danh sách vụ việc")
    DASHBOARD = "dashboard", _("Bảng điều hành")
    API_CASE = "api_case", _("API: một vụ việc")
    API_CASE_HISTORY = "api_case_history", _("API: lịch sử vụ việc")
    API_CASE_LIST = "api_case_list", _("API: danh sách vụ việc")
    API_STATS = "api_stats", _("API: số liệu thống kê")
    CASE_PROOF = "case_proof", _("Bằng chứng lịch sử vụ việc")
    CHECKPOINT = "checkpoint", _("Điểm neo lịch sử")


class InspectionAccessLog(models.Model):
    """Who looked at what, when: the inspection is itself inspected.

    A page of the inspection area keeps its text in `what`; any other read by an inspector or a
    supervisor (a case, its history, a list, an export, the dashboard, on the screens or the API) keeps
    its `kind`, the case's code or the list's filters, and how many rows it held: one row a read, so a
    10 000-row export is one row here.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=300, blank=True)
    when = models.DateTimeField(auto_now_add=True, db_index=True)
    # The inspection the page belongs to (empty for the list pages).
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="access_log")
    kind = models.CharField(max_length=20, choices=OversightRead.choices, blank=True)
    case_code = models.CharField(max_length=40, blank=True)
    scope = models.CharField(max_length=300, blank=True)  # a list's filters, `key=value` by key
    rows = models.PositiveIntegerField(null=True, blank=True)
    # Whose work was read: the case's unit, or the reader's widest inspection unit for a list.
    unit = models.ForeignKey("cases.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("nhật ký truy cập kiểm tra")
        verbose_name_plural = _("nhật ký truy cập kiểm tra")
        ordering = ["-when", "-pk"]

    def __str__(self):
        return f"{self.user_id} {self.kind or self.what} {self.when:%Y-%m-%d %H:%M}"


class AdminChange(models.Model):
    """One change made on the administration site to what decides who acts and when (roles, routing,
    calendars, clock policies, units, sources...), with the values before and after: inspectors read
    these on their own screen, and nobody edits or deletes them."""

    class Action(models.TextChoices):
        ADD = "add", _("Thêm")
        CHANGE = "change", _("Sửa")
        DELETE = "delete", _("Xóa")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    when = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=8, choices=Action.choices)
    model = models.CharField(max_length=100)  # app_label.model_name
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("thay đổi trên trang quản trị")
        verbose_name_plural = _("thay đổi trên trang quản trị")
        ordering = ["-when", "-pk"]

    def __str__(self):
        return f"{self.user_id} {self.action} {self.model}:{self.object_id}"


# --- exports --------------------------------------------------------------------


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (DOCX)"  # a report as an official document only, never a case list


CASE_LIST_FORMATS = (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.PDF)


class ExportJob(models.Model):
    """A long export run by a Celery worker; only the person who asked may download it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang xuất")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Lỗi")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    what = models.CharField(max_length=16, default="cases")
    fmt = models.CharField(_("định dạng"), max_length=8, choices=ExportFormat.choices)
    # The selector filters (JSON-safe), as the person chose them on the screen.
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    done_rows = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    # Relative to MEDIA_ROOT (exports/<uid>.<fmt>); never served as a public URL.
    file = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tệp xuất dữ liệu")
        verbose_name_plural = _("tệp xuất dữ liệu")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.uid} {self.fmt} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done_rows / self.total_rows) if self.total_rows else 0


# --- official documents ---------------------------------------------------------


class DocumentLayout(models.TextChoices):
    """Which rules lay out a unit's reports as official documents (UnitKind.COMMITTEE covers both)."""

    PARTY = "party", _("Văn bản của Đảng (36-HD/VPTW)")
    STATE = "state", _("Văn bản hành chính (Nghị định 30/2020)")


class UnitDocumentSettings(models.Model):
    """How a unit's reports are printed as official documents: header, number, place, recipients, signer.

    A unit without a row gets defaults derived from its name and parent (reports.documents); the first
    submission of a report writes that row, so the number counter has one home.
    """

    unit = models.OneToOneField("cases.Unit", on_delete=models.CASCADE, related_name="document_settings",
                                verbose_name=_("đơn vị"))
    layout = models.CharField(_("thể thức"), max_length=8, choices=DocumentLayout.choices)
    superior_body = models.CharField(_("tên cơ quan cấp trên"), max_length=255, blank=True)
    issuing_body = models.CharField(_("tên cơ quan ban hành (như in trên văn bản)"), max_length=255)
    number_pattern = models.CharField(
        _("mẫu số, ký hiệu"), max_length=60,
        help_text=format_lazy("{} {{number}}-BC/ĐU; {{number:02d}}/BC-UBND.", _(
            "Số thứ tự là {number}; viết {number:02d} để thêm số 0 phía trước số nhỏ hơn 10. Ví dụ:")))
    next_number = models.PositiveIntegerField(_("số tiếp theo"), default=1)
    place = models.CharField(_("địa danh"), max_length=100)
    recipients = models.TextField(_("nơi nhận (mỗi dòng một nơi)"), blank=True)
    signer_authority = models.CharField(_("thẩm quyền ký"), max_length=100, blank=True,
                                        help_text=format_lazy("{} T/M BAN THƯỜNG VỤ; TM. ỦY BAN NHÂN DÂN.", _("Ví dụ:")))
    signer_title = models.CharField(_("chức vụ người ký"), max_length=100, blank=True)
    signer_name = models.CharField(_("họ tên người ký"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("thể thức văn bản của đơn vị")
        verbose_name_plural = _("thể thức văn bản của đơn vị")

    def __str__(self):
        return f"{self.unit} ({self.get_layout_display()})"

    def clean(self):
        if "{number" not in self.number_pattern:
            raise ValidationError({"number_pattern": _("Mẫu phải có {number}.")})
        try:
            self.number_pattern.format(number=1)
        except (KeyError, IndexError, ValueError):
            raise ValidationError({"number_pattern": _("Mẫu không hợp lệ; chỉ dùng {number} hoặc {number:02d}.")}) from None

    def format_number(self, number: int) -> str:
        return self.number_pattern.format(number=number)
