"""One-time enrolment codes for the second factor: issued by an administrator, redeemed once by the person."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import EnrolmentCode

# No 0/O, 1/I/L: read out over the phone or copied from paper.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_LENGTH = 16  # 31^16 ≈ 2^79: not guessable, so a fast hash at rest is enough
TOTP_DEVICE_NAME = "authenticator"


def _normalised(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def enrolment_code_issue(*, user, by=None) -> tuple[EnrolmentCode, str]:
    """A new code for `user`; the second value is the code in clear, the only time it is seen.

    Earlier unused codes of the person stop working.
    """
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    now = timezone.now()
    with transaction.atomic():
        EnrolmentCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        row = EnrolmentCode.objects.create(
            user=user, digest=_digest(raw), created_by=by,
            expires_at=now + timedelta(hours=settings.DLXH_ENROLMENT_CODE_HOURS),
        )
    return row, "-".join(raw[i:i + 4] for i in range(0, _LENGTH, 4))


def enrolment_code_redeem(*, user, code: str) -> bool:
    """Use up `user`'s valid code; False (nothing changed) for a wrong, used, expired or someone else's code."""
    if len(_normalised(code)) != _LENGTH:
        return False
    now = timezone.now()
    used = EnrolmentCode.objects.filter(
        user=user, digest=_digest(code), used_at__isnull=True, expires_at__gt=now,
    ).update(used_at=now)  # one UPDATE: two sessions racing with the same code cannot both win
    return used == 1


def totp_enrolment_start(*, user, code: str):
    """Redeem the code and make the person's new, unconfirmed TOTP device; None (nothing made) without a valid code.

    Any earlier unconfirmed device goes: only the session that redeemed a code sees the new secret.
    """
    with transaction.atomic():
        if not enrolment_code_redeem(user=user, code=code):
            return None
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
