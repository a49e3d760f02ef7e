"""Time: the working calendar's adjustments, clock policies, running clocks, escalations.

A case runs several named clocks at once (the step deadline and the clocks
the law sets). Each `CaseClock` carries its own "next action" state
(`next_action`, `next_level`, `next_fire_at`), so the sweep finds due work
with one indexed range query and fires each reminder or escalation once.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import CaseKind, CaseStatus, Priority


class TimeUnit(models.TextChoices):
    HOURS = "hours", _("giờ")  # wall-clock hours, weekends and holidays included (flash cases)
    CALENDAR_DAYS = "calendar_days", _("ngày")  # a period ending on a day off ends on the next working day
    WORKING_DAYS = "working_days", _("ngày làm việc")


class ClockKind(models.TextChoices):
    STEP = "step", _("Hạn bước xử lý")  # the current step; Case.deadline follows it
    LEGAL = "legal", _("Thời hạn luật định")  # set by law, runs across steps


class PublicResponse(models.TextChoices):
    ANY = "", _("Không phân biệt")
    REQUIRED = "required", _("Lĩnh vực cần trả lời công khai")
    NOT_REQUIRED = "not_required", _("Lĩnh vực không cần trả lời công khai")


class CalendarAdjustment(models.Model):
    """A date the government adds as a day off or swaps into a working day, for one year.

    On top of the `holidays` package (which knows the statutory holidays,
    Tết and Hùng Kings' day by the lunar calendar, and some announced swaps).
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Ngày nghỉ thêm")
        WORKING_DAY = "working_day", _("Ngày làm việc bù")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    # Year the adjustment belongs to (the date's year), kept for listing and recomputing by year.
    year = models.PositiveSmallIntegerField(_("năm"), editable=False, db_index=True)
    reason = models.CharField(_("căn cứ"), max_length=300, blank=True,
                              help_text=_("Ví dụ: số thông báo của Bộ Nội vụ về lịch nghỉ Tết."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("điều chỉnh lịch làm việc")
        verbose_name_plural = _("điều chỉnh lịch làm việc")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        self.year = self.date.year
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "year"}
        super().save(*args, **kwargs)


class CalendarChange(models.Model):
    """One change to the calendar table, kept as a record; `applied_at` once running clocks follow it."""

    class Action(models.TextChoices):
        SET = "set", _("Thêm, sửa")
        REMOVE = "remove", _("Bỏ")

    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=16, choices=CalendarAdjustment.Kind.choices)
    action = models.CharField(_("thao tác"), max_length=8, choices=Action.choices)
    reason = models.CharField(_("căn cứ"), max_length=300, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(_("đã tính lại hạn lúc"), null=True, blank=True)
    clocks_recomputed = models.PositiveIntegerField(_("số thời hạn đã tính lại"), default=0)

    class Meta:
        verbose_name = _("thay đổi lịch làm việc")
        verbose_name_plural = _("nhật ký thay đổi lịch làm việc")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_at"], condition=Q(applied_at__isnull=True), name="calchange_pending")]

    def __str__(self):
        return f"{self.get_action_display()} {self.date:%d/%m/%Y} ({self.get_kind_display()})"


class ClockPolicy(models.Model):
    """One way to run a named clock: how long, from which event to which, for which cases.

    Rows sharing a `clock` name compete: when a start event happens, the most
    specific row that applies to the case starts (topic, then case kind,
    then priority, then public response, then status). A running clock keeps
    the due time it started with when its policy is edited later.
    """

    clock = models.SlugField(_("mã thời hạn"), max_length=32)
    name = models.CharField(_("tên thời hạn"), max_length=200)
    kind = models.CharField(_("loại"), max_length=8, choices=ClockKind.choices, default=ClockKind.STEP)
    unit = models.CharField(_("đơn vị tính"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS)
    amount = models.PositiveIntegerField(_("thời hạn"))
    remote_amount = models.PositiveIntegerField(_("thời hạn ở vùng sâu, vùng xa"), null=True, blank=True)
    complex_amount = models.PositiveIntegerField(_("thời hạn với vụ việc phức tạp"), null=True, blank=True)
    remote_complex_amount = models.PositiveIntegerField(
        _("thời hạn với vụ việc phức tạp ở vùng sâu, vùng xa"), null=True, blank=True
    )
    start_events = models.JSONField(_("sự kiện bắt đầu"), default=list,
                                    help_text=_("Tên thao tác trong lịch sử vụ việc, ví dụ intake, verify, assign."))
    stop_events = models.JSONField(_("sự kiện kết thúc"), default=list, blank=True)
    # A step clock runs while the case is in this status (empty: any open status).
    status = models.CharField(_("trạng thái áp dụng"), max_length=16, choices=CaseStatus.choices, blank=True)
    priority = models.CharField(_("độ khẩn áp dụng"), max_length=8, choices=Priority.choices, blank=True)
    topic = models.ForeignKey("cases.Topic", on_delete=models.CASCADE, null=True, blank=True,
                              verbose_name=_("lĩnh vực áp dụng (cả lĩnh vực con)"))
    case_kind = models.CharField(_("loại đơn áp dụng"), max_length=16, choices=CaseKind.choices, blank=True)
    public_response = models.CharField(_("trả lời công khai"), max_length=16, choices=PublicResponse.choices,
                                       blank=True)
    remind_at_half = models.BooleanField(_("nhắc khi hết một nửa thời hạn"), default=True)
    remind_working_days_before = models.PositiveSmallIntegerField(_("nhắc trước hạn (ngày làm việc)"), default=1)
    escalate = models.BooleanField(_("chuyển cấp trên khi quá hạn"), default=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("quy định thời hạn")
        verbose_name_plural = _("quy định thời hạn")
        ordering = ["kind", "clock", "pk"]

    def __str__(self):
        return f"{self.name} ({self.amount} {self.get_unit_display()})"


class CaseClock(models.Model):
    """One clock running (or run) on one case, with its reminder and escalation bookkeeping.

    `next_action` / `next_level` / `next_fire_at` say what the sweep does
    next and when; the sweep moves them forward under a row lock, so a
    second sweep finds nothing left to do.
    """

    class NextAction(models.TextChoices):
        NONE = "", _("Không")
        REMIND = "remind", _("Nhắc hạn")
        ESCALATE = "escalate", _("Chuyển cấp trên")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="clocks")
    policy = models.ForeignKey(ClockPolicy, on_delete=models.PROTECT, related_name="+")
    # Copied from the policy when the clock starts, so later policy edits do not move it.
    clock = models.SlugField(max_length=32)
    kind = models.CharField(max_length=8, choices=ClockKind.choices)
    unit = models.CharField(max_length=16, choices=TimeUnit.choices)
    amount = models.PositiveIntegerField()  # effective: remote and complex already applied
    is_remote = models.BooleanField(default=False)
    is_complex = models.BooleanField(default=False)

    started_at = models.DateTimeField()
    start_event = models.CharField(max_length=32)
    due_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_event = models.CharField(max_length=32, blank=True)

    paused_at = models.DateTimeField(null=True, blank=True)
    paused_total = models.DurationField(default=timedelta)
    extended_by = models.DurationField(default=timedelta)  # total added by extensions (gia hạn)

    reminder_level = models.PositiveSmallIntegerField(default=0)  # reminders done for the current due time
    escalation_level = models.PositiveSmallIntegerField(default=0)  # highest escalation fired
    # Escalation level when the due time last moved: the next level fires at the new due time.
    escalation_base = models.PositiveSmallIntegerField(default=0)
    last_fired_at = models.DateTimeField(null=True, blank=True)

    next_action = models.CharField(max_length=8, choices=NextAction.choices, blank=True)
    next_level = models.PositiveSmallIntegerField(default=0)
    next_fire_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thời hạn của vụ việc")
        verbose_name_plural = _("thời hạn của vụ việc")
        ordering = ["case_id", "started_at", "pk"]
        indexes = [
            # The sweep's only query: running clocks whose next action is due, oldest first.
            models.Index(fields=["next_fire_at", "id"], name="caseclock_sweep",
                         condition=Q(stopped_at__isnull=True, next_fire_at__isnull=False)),
            models.Index(fields=["clock", "stopped_at"], name="caseclock_clock_stopped"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "clock"], condition=Q(stopped_at__isnull=True),
                                    name="caseclock_one_running_per_name"),
        ]

    def __str__(self):
        return f"{self.case_id}:{self.clock} → {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_paused(self) -> bool:
        return self.stopped_at is None and self.paused_at is not None


class Escalation(models.Model):
    """A case brought to the attention of the leader and supervisor of `to_unit` (one row per clock and level).

    The scope selectors can use it to show escalated cases to that unit's
    leader; the unique constraint is a second guard against firing twice.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="escalations")
    clock = models.ForeignKey(CaseClock, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    to_unit = models.ForeignKey("cases.Unit", on_delete=models.PROTECT, related_name="escalations")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("chuyển cấp trên")
        verbose_name_plural = _("chuyển cấp trên")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["clock", "level"], name="escalation_clock_level_unique")]
        indexes = [models.Index(fields=["to_unit", "created_at"], name="escalation_to_unit")]

    def __str__(self):
        return f"{self.case_id} L{self.level} → {self.to_unit_id}"


class SweepHeartbeat(models.Model):
    """The last successful run of a periodic sweep (the health check reads it)."""

    name = models.CharField(max_length=32, primary_key=True)
    last_success_at = models.DateTimeField()
    last_duration_ms = models.PositiveIntegerField(default=0)
    last_fired = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("lần quét thời hạn")
        verbose_name_plural = _("lần quét thời hạn")

    def __str__(self):
        return f"{self.name} {self.last_success_at:%Y-%m-%d %H:%M:%S}"
