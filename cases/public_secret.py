"""The secret a reporter is given at intake to follow the case on the public page; only its hash is kept."""

import hashlib
import hmac
import secrets

from django.conf import settings

from .models import Case

_SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def public_secret_new() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(10))


def public_secret_hash(*, code: str, secret: str) -> str:
    normalized = (secret or "").strip().upper().replace("-", "").replace(" ", "")
    return hashlib.sha256(f"{settings.SECRET_KEY}:{code}:{normalized}".encode()).hexdigest()


def public_secret_matches(*, case: Case, secret: str) -> bool:
    return bool(case.public_secret_hash) and hmac.compare_digest(
        case.public_secret_hash, public_secret_hash(code=case.code, secret=secret)
    )
