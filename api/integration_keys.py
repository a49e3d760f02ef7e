"""Integration keys: issued to a channel source, shown once, checked by digest, revoked or rotated."""

import hashlib
import secrets
from datetime import timedelta
from hmac import compare_digest

from django.db import transaction
from django.utils import timezone

from .models import ChannelSource, IntegrationKey

KEY_START = "ik-"
_LAST_USED_EVERY = timedelta(minutes=1)  # at most one write a minute per key, not one per request


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def integration_key_issue(*, source: ChannelSource, by=None) -> tuple[IntegrationKey, str]:
    """A new key for `source`; the second value is the key in clear, never stored nor shown again."""
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    row = IntegrationKey.objects.create(source=source, prefix=prefix, digest=_digest(secret), created_by=by)
    return row, f"{KEY_START}{prefix}.{secret}"


@transaction.atomic
def integration_key_rotate(*, source: ChannelSource, by=None) -> tuple[IntegrationKey, str]:
    """A new key for `source`, and every older one of it revoked."""
    row, raw = integration_key_issue(source=source, by=by)
    IntegrationKey.objects.filter(source=source, revoked_at__isnull=True).exclude(pk=row.pk).update(
        revoked_at=timezone.now()
    )
    return row, raw


def integration_key_revoke(*, key: IntegrationKey) -> bool:
    """Stop `key` working; False when it already was revoked."""
    return IntegrationKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()) == 1


def integration_key_source(raw: str) -> ChannelSource | None:
    """The active source whose live key this is, or None (unknown, malformed, revoked, inactive source)."""
    raw = raw or ""
    prefix, dot, secret = raw.removeprefix(KEY_START).partition(".")
    if not raw.startswith(KEY_START) or not dot or not prefix or not secret:
        return None
    key = (
        IntegrationKey.objects.filter(prefix=prefix, revoked_at__isnull=True, source__is_active=True,
                                      source__acts_as__is_active=True)
        .select_related("source__channel", "source__acts_as", "source__default_topic", "source__default_locality",
                        "source__unit")
        .first()
    )
    if key is None or not compare_digest(key.digest, _digest(secret)):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > _LAST_USED_EVERY:
        IntegrationKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key.source
