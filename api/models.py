"""What the API itself stores: idempotency keys, and the channel sources with the messages they brought in."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.fields import EncryptedTextField


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` a client sent, and the response it got the first time.

    The row is written in the same transaction as the work it guards, so it
    exists exactly when that work committed; the unique (user, key) pair makes
    a racing duplicate wait for the first and then read its response.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # Method and path: a key is bound to the endpoint it was first used on.
    endpoint = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("khóa chống gửi trùng")
        verbose_name_plural = _("khóa chống gửi trùng")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotencykey_user_key_unique")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"


class ChannelSource(models.Model):
    """An integration that feeds cases in: a mailbox, a signed chat/portal webhook, an Open311 jurisdiction.

    Its cases are logged as `acts_as` (an account with the intake-clerk role
    on the receiving unit) under `default_topic` and `default_locality`,
    which the clerk checks and corrects at `verify`.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", _("Hộp thư điện tử")
        WEBHOOK = "webhook", _("Webhook có chữ ký (ứng dụng chat, cổng thông tin)")
        OPEN311 = "open311", _("Open311 GeoReport v2")

    code = models.SlugField(_("mã nguồn"), max_length=50, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    channel = models.ForeignKey("cases.Channel", on_delete=models.PROTECT, verbose_name=_("kênh tiếp nhận"))
    acts_as = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("tài khoản tiếp nhận")
    )
    default_topic = models.ForeignKey("cases.Topic", on_delete=models.PROTECT, verbose_name=_("lĩnh vực mặc định"))
    default_locality = models.ForeignKey(
        "cases.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("địa bàn mặc định")
    )
    # The unit whose subtree the source files into (an Open311 key of commune A files only in commune A);
    # empty: the unit where `acts_as` logs cases about the default locality.
    unit = models.ForeignKey(
        "cases.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("đơn vị của nguồn"),
    )
    # The webhook's HMAC key; for a mailbox, imaps://user:password@host[:port]/FOLDER (imap:// for STARTTLS,
    # imap://…?tls=off for plain IMAP) or a folder of .eml files (docs/api.md).
    secret = EncryptedTextField(_("khóa bí mật"), blank=True)
    mailbox = EncryptedTextField(_("hộp thư"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("nguồn tiếp nhận tự động")
        verbose_name_plural = _("nguồn tiếp nhận tự động")

    def __str__(self):
        return self.name


class InboundMessage(models.Model):
    """A message that came in through a source, recorded once.

    Re-reading a mailbox or a retried webhook finds its row and changes
    nothing; later messages of the same conversation find the case here.
    A message the product would not take is recorded as refused, with why,
    for an administrator to read; it is tried again only if it comes back.
    """

    class Action(models.TextChoices):
        INTAKE = "intake", _("Tạo vụ việc mới")
        APPEND = "append", _("Bổ sung vào vụ việc")
        REFUSED = "refused", _("Từ chối")

    source = models.ForeignKey(ChannelSource, on_delete=models.CASCADE, related_name="messages")
    # Message-ID or the sender's message id; one longer than 255 characters as "sha256:<hex>" of all of it.
    external_id = models.CharField(max_length=255)
    thread_id = models.CharField(max_length=255, blank=True, db_index=True)  # the conversation, the same way
    # Empty inside the transaction that is handling the message, and for a refused one.
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(_("xử lý"), max_length=8, choices=Action.choices, blank=True)
    reason = models.CharField(_("lý do từ chối"), max_length=500, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tin nhắn đến")
        verbose_name_plural = _("tin nhắn đến")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="inboundmessage_source_external_unique")
        ]

    def __str__(self):
        return f"{self.source_id}:{self.external_id}"


class IntegrationKey(models.Model):
    """A machine's key for one channel source (Open311's `api_key`): never a person's token.

    It files cases as the source's account and reads back the ones it filed, nothing else. The key
    reads `ik-<prefix>.<secret>`: the prefix finds the row, and only the SHA-256 of the secret is kept.
    The secret is 32 random bytes, so a fast hash is enough (no password-style slow hash: there is
    nothing to guess), and the check costs one indexed read. Shown once when issued; rotating is
    issuing a new key and revoking the old one.
    """

    source = models.ForeignKey(ChannelSource, on_delete=models.CASCADE, related_name="keys",
                               verbose_name=_("nguồn tiếp nhận"))
    prefix = models.CharField(_("tiền tố"), max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("cấp lúc"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("người cấp"))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("khóa tích hợp")
        verbose_name_plural = _("khóa tích hợp")

    def __str__(self):
        return f"ik-{self.prefix}…"
