"""The channels: in-app, email, daily digest email and signed webhook.

Each function does the one external effect of a delivery and raises on
failure; recording status and retries is the caller's job (services).
"""

import hashlib
import hmac
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation

from .models import Notification, OutboxMessage
from .texts import digest_subject, email_body

SIGNATURE_HEADER = "X-DLXH-Signature"
MESSAGE_ID_HEADER = "X-DLXH-Message-Id"


class DeliveryError(Exception):
    """A delivery failed; `permanent` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def deliver_inapp(message: OutboxMessage) -> None:
    # Idempotent by itself: a second run finds it already shown.
    Notification.objects.filter(pk=message.notification_id, delivered_at__isnull=True).update(
        delivered_at=timezone.now()
    )


def _address(user) -> str:
    if user is None or not user.is_active or not user.email:
        raise DeliveryError("recipient has no active email address", permanent=True)
    return user.email


def deliver_email(message: OutboxMessage) -> None:
    address = _address(message.recipient)
    notification = message.notification
    with translation.override(settings.LANGUAGE_CODE):
        EmailMessage(
            subject=notification.subject,
            body=email_body([notification.text]),
            to=[address],
            headers={MESSAGE_ID_HEADER: str(message.uid)},
        ).send()


def deliver_digest(user, messages: list[OutboxMessage]) -> None:
    """One email listing every notification in `messages`, oldest first."""
    address = _address(user)
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            f"- {timezone.localtime(m.notification.created_at):%d/%m %H:%M} {m.notification.text}" for m in messages
        ]
        EmailMessage(subject=digest_subject(len(messages)), body=email_body(lines), to=[address]).send()


def webhook_body(payload: dict) -> bytes:
    """The exact bytes that are signed and sent (canonical JSON, UTF-8)."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirected POST would be replayed as a GET elsewhere: treat it as a failure.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def deliver_webhook(message: OutboxMessage) -> None:
    endpoint = message.endpoint
    if endpoint is None or not endpoint.is_active:
        raise DeliveryError("webhook endpoint is gone or inactive", permanent=True)
    body = webhook_body(message.payload)
    request = urllib.request.Request(
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "dlxh-webhook/1",
            SIGNATURE_HEADER: webhook_signature(endpoint.secret, body),
            MESSAGE_ID_HEADER: str(message.uid),
        },
    )
    timeout = getattr(settings, "NOTIFICATIONS_WEBHOOK_TIMEOUT", 10)
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(1024)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} from {endpoint.url}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


DELIVER = {
    "inapp": deliver_inapp,
    "email": deliver_email,
    "webhook": deliver_webhook,
}
