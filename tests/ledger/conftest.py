"""A signing key of the test's own, the checkpoint folder in tmp, and the attacker's way around the triggers."""

import base64
from contextlib import contextmanager

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection

from cases.db_roles import as_database_owner

APPEND_ONLY = {"cases_caseevent": "caseevent_append_only", "ledger_ledgerleaf": "ledger_ledgerleaf_append_only",
               "ledger_ledgernode": "ledger_ledgernode_append_only", "ledger_checkpoint": "ledger_checkpoint_append_only"}


def key_text(key: Ed25519PrivateKey) -> str:
    """The raw seed in base64, one of the forms AUDIT_SIGNING_KEY takes."""
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return base64.b64encode(raw).decode()


def public_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


@pytest.fixture
def signing(settings, tmp_path):
    """Checkpoints signed with a fresh key; returns it. Nothing from the caller's environment is used."""
    key = Ed25519PrivateKey.generate()
    settings.AUDIT_SIGNING_KEY = key_text(key)
    settings.AUDIT_PUBLIC_KEYS = []
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.AUDIT_CHECKPOINT_EMAIL = []
    return key


@contextmanager
def behind_the_triggers():
    """As an attacker holding the owner's password: the append-only triggers off for the statements inside
    (the application's own role may not: tests/cases/test_database_roles.py). The owner has a session of its
    own, so a test using this is transactional (tests/conftest.py, `database_owner`)."""
    with as_database_owner(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred FK checks must fire before ALTER TABLE
            for table, trigger in APPEND_ONLY.items():
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        yield cursor
        if connection.vendor == "postgresql":
            for table, trigger in APPEND_ONLY.items():
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
