"""The outbox: notifications for people, delivery rows per channel, webhook endpoints, preferences.

A case change writes its `Notification` and `OutboxMessage` rows in its own
transaction, so they commit or roll back together. Delivery happens later,
from the outbox rows, by Celery tasks that may run more than once: each
delivery row records its status so a second run does nothing.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.fields import EncryptedTextField


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Gửi ngay")
    DIGEST = "digest", _("Tổng hợp hằng ngày")


class Notification(models.Model):
    """One thing one person should hear (the bell's rows): a case event, or a message about something else.

    A case event's notification names its case and event. A message that is not about a case (a request to
    collaborators, its reminder: `services_direct.notification_send`) has neither; it names what it is about
    (`about`, unique per person, so it reaches them once) and where it opens (`link`).
    The text is rendered when shown, from `kind` and `params` (case code,
    title, unit names; never anything about the reporter), so it follows the
    reader's language.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("người nhận")
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("vụ việc")
    )
    event = models.ForeignKey("cases.CaseEvent", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # A message not about a case: what it is about ("opinion-request:12") and the page it opens.
    about = models.CharField(max_length=100, blank=True)
    link = models.CharField(max_length=300, blank=True)
    kind = models.CharField(_("loại"), max_length=32)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)
    # Set by the in-app delivery: only then does the bell show it.
    delivered_at = models.DateTimeField(_("thời điểm hiển thị"), null=True, blank=True)
    read_at = models.DateTimeField(_("thời điểm đọc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # An event reaches a person once, however often the receiver runs.
            models.UniqueConstraint(fields=["event", "recipient"], name="notification_event_recipient_unique"),
            # So does a message about anything else.
            models.UniqueConstraint(
                fields=["about", "recipient"], name="notification_about_recipient_unique", condition=~Q(about=""),
            ),
            # Either a case event's (its case and event) or another message's (what it is about and its page).
            models.CheckConstraint(
                name="notification_case_event_or_about",
                condition=Q(case__isnull=False, event__isnull=False, about="")
                | Q(case__isnull=True, event__isnull=True, link__gt="") & ~Q(about=""),
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_recent"),
            models.Index(
                fields=["recipient"], name="notification_unread",
                condition=Q(read_at__isnull=True, delivered_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.recipient_id} {self.kind} {self.params.get('code', '')}"

    @property
    def opens(self) -> str:
        """The page the bell's row opens: the case, or the message's own page."""
        from django.urls import reverse

        return self.link or reverse("web:case", args=[self.params.get("code", "")])

    @property
    def text(self) -> str:
        from .texts import notification_text

        return notification_text(self.kind, self.params)

    @property
    def subject(self) -> str:
        from .texts import notification_subject

        return notification_subject(self.kind, self.params)


class WebhookEndpoint(models.Model):
    """An integration that receives case events as signed JSON POSTs."""

    name = models.CharField(_("tên"), max_length=100)
    url = models.URLField(_("địa chỉ nhận"), max_length=500)
    # The HMAC key; encrypted at rest like reporter data.
    secret = EncryptedTextField(_("khóa bí mật"), default=secrets.token_hex)
    # Comma-separated event actions (intake, assign, escalate, ...); empty means every event.
    actions = models.CharField(_("sự kiện nhận"), max_length=300, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("điểm nhận webhook")
        verbose_name_plural = _("điểm nhận webhook")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def wants(self, action: str) -> bool:
        wanted = {a.strip() for a in self.actions.split(",") if a.strip()}
        return not wanted or action in wanted


class OutboxChannel(models.TextChoices):
    IN_APP = "inapp", _("Trong ứng dụng")
    EMAIL = "email", _("Thư điện tử")
    DIGEST = "digest", _("Thư tổng hợp hằng ngày")
    WEBHOOK = "webhook", _("Webhook")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")  # not delivered yet (maybe after failed attempts)
    SENT = "sent", _("Đã gửi")  # delivered; a later run does nothing
    FAILED = "failed", _("Gửi lỗi")  # gave up after the last attempt; an admin may re-queue


class OutboxMessage(models.Model):
    """One delivery of one message on one channel, with its own status."""

    # Stable across retries: webhook receivers de-duplicate on it.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("kênh"), max_length=16, choices=OutboxChannel.choices)
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    # The case event it delivers; none for a message not about a case (it has its notification).
    event = models.ForeignKey("cases.CaseEvent", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # The webhook body, fixed at commit so every retry sends the same bytes.
    payload = models.JSONField(default=dict, blank=True)

    status = models.CharField(
        _("trạng thái"), max_length=8, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    # When it is due (again); the sweep re-enqueues pending rows overdue by a margin.
    next_attempt_at = models.DateTimeField(_("lần thử tiếp theo"))
    # A worker's lease while it sends; an expired lease means that worker died.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thư chờ gửi")
        verbose_name_plural = _("hộp thư đi (outbox)")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="outbox_notification_channel_unique",
                condition=Q(notification__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["event", "endpoint"], name="outbox_event_endpoint_unique",
                condition=Q(endpoint__isnull=False),
            ),
            # A webhook carries a case event; a person's delivery carries its notification.
            models.CheckConstraint(
                name="outbox_event_or_notification",
                condition=Q(event__isnull=False) | Q(notification__isnull=False, endpoint__isnull=True),
            ),
        ]
        indexes = [
            # The sweep and the digest read only undelivered rows.
            models.Index(
                fields=["channel", "next_attempt_at"], name="outbox_pending_due",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self):
        return f"{self.channel} {self.uid} {self.status}"


class NotificationPreference(models.Model):
    """How a person wants their email (at once, or one digest a day) and which kinds they turned off.

    No row means every kind, email at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference",
        verbose_name=_("người dùng"),
    )
    email_mode = models.CharField(
        _("cách nhận thư"), max_length=16, choices=EmailMode.choices, default=EmailMode.IMMEDIATE
    )
    # Notification kinds (case actions) the person turned off: the bell neither shows nor counts them and no
    # email is sent for them. A list of codes, not a table: a handful per person, read with the preference.
    muted_kinds = models.JSONField(_("loại thông báo đã tắt"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cách nhận thông báo")
        verbose_name_plural = _("cách nhận thông báo")

    def __str__(self):
        return f"{self.user} {self.email_mode}"
