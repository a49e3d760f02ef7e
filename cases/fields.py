"""Encrypted model fields for reporter contact data.

Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`; MultiFernet so
several keys can be configured, the first encrypting and every one
decrypting, which is what key rotation needs.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _configured_keys() -> tuple[str, ...]:
    raw = settings.FIELD_ENCRYPTION_KEY
    if raw:
        return tuple(k.strip() for k in raw.split(",") if k.strip())
    # Embedded default only (settings refuse this when DEBUG is false).
    derived = hashlib.sha256(("field-encryption:" + settings.SECRET_KEY).encode()).digest()
    return (base64.urlsafe_b64encode(derived).decode(),)


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEY is not a valid Fernet key: {exc}") from exc


def field_cipher() -> MultiFernet:
    return _fernet_for(_configured_keys())


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; cleartext only in memory."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return field_cipher().decrypt(value.encode()).decode()
        except InvalidToken as exc:
            raise ImproperlyConfigured(
                "An encrypted field could not be decrypted with the configured FIELD_ENCRYPTION_KEY."
            ) from exc

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return field_cipher().encrypt(value.encode()).decode()
