"""The checkpoint signature: Ed25519 keys, the signed text, and the check, with the `cryptography` package.

The private key is never in the database. `AUDIT_SIGNING_KEY` is a PEM (PKCS#8) private key, or the raw
32-byte seed in base64, given either as the value itself or as the path of a file holding it. In DEBUG,
a path that does not exist yet gets a fresh key (the embedded default keeps one under VAR_DIR); with DEBUG
off, nothing is ever generated: no key, no checkpoint.

A key is named by its id, the first 16 hex digits of SHA-256 over its raw public key. A checkpoint is
trusted when its key id is the signing key's, or one of `AUDIT_PUBLIC_KEYS` (raw public keys in base64,
or PEM public keys, values or file paths): after a rotation, keep the old public key there and the old
checkpoints still verify.
"""

import base64
import os
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORMAT = "dlxh-audit-checkpoint/1"


class CheckpointInvalid(Exception):
    """A checkpoint that does not verify: unreadable, signed by an unknown key, or not by the key it names."""


@dataclass(frozen=True)
class SignedCheckpoint:
    tree_size: int
    root_hash: str  # hex
    signed_at: str  # UTC, ISO 8601
    key_id: str
    public_key: str  # raw, base64: shown for convenience, trusted only through the key id
    signature: str  # base64

    def body(self) -> bytes:
        return checkpoint_body(self.tree_size, self.root_hash, self.signed_at, self.key_id)

    def document(self) -> dict:
        """The checkpoint as a file: what is written, mailed and downloaded."""
        return {"format": FORMAT, "tree_size": self.tree_size, "root_hash": self.root_hash,
                "signed_at": self.signed_at, "key_id": self.key_id, "public_key": self.public_key,
                "signature": self.signature}


def checkpoint_body(tree_size: int, root_hash: str, signed_at: str, key_id: str) -> bytes:
    """The exact bytes signed: five lines of text."""
    return f"{FORMAT}\ntree_size {tree_size}\nroot_hash {root_hash}\nsigned_at {signed_at}\nkey_id {key_id}\n".encode()


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(key: Ed25519PublicKey) -> str:
    return sha256(raw_public(key)).hexdigest()[:16]


def _is_key_text(value: str) -> bool:
    """A key written out (PEM, or 32 bytes in base64), rather than the path of a file."""
    if value.startswith("-----BEGIN"):
        return True
    try:
        return len(base64.b64decode(value, validate=True)) == 32
    except ValueError:
        return False


def _text_of(value: str) -> str:
    """The key itself: the value, or what the file it names holds."""
    value = value.strip()
    return value if _is_key_text(value) else Path(value).read_text(encoding="ascii").strip()


def private_key_from(value: str) -> Ed25519PrivateKey:
    text = _text_of(value)
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
    else:
        key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("AUDIT_SIGNING_KEY is not an Ed25519 private key.")
    return key


def public_key_from(value: str) -> Ed25519PublicKey:
    text = _text_of(value)
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
    else:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    if not isinstance(key, Ed25519PublicKey):
        raise ImproperlyConfigured("AUDIT_PUBLIC_KEYS holds a key that is not an Ed25519 public key.")
    return key


def _dev_key_written(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)


def signing_key() -> Ed25519PrivateKey:
    """The configured key; in DEBUG, a key file not there yet is made. Never a throwaway key in production."""
    value = (settings.AUDIT_SIGNING_KEY or "").strip()
    if not value:
        raise ImproperlyConfigured(
            "AUDIT_SIGNING_KEY is not set: checkpoints need an Ed25519 key kept outside the database "
            "(docs/reliability.md, Anchored history).")
    if not _is_key_text(value) and not Path(value).exists():
        if not settings.DEBUG:
            raise ImproperlyConfigured(f"AUDIT_SIGNING_KEY names {value}, which does not exist.")
        _dev_key_written(Path(value))
    return private_key_from(value)


def trusted_keys() -> dict[str, Ed25519PublicKey]:
    """Key id → public key of every key whose checkpoints are believed."""
    keys = [public_key_from(value) for value in settings.AUDIT_PUBLIC_KEYS if value.strip()]
    value = (settings.AUDIT_SIGNING_KEY or "").strip()
    if value:
        try:
            keys.append(private_key_from(value).public_key())
        except FileNotFoundError:
            pass  # the embedded default's key before its first checkpoint
    return {key_id_of(key): key for key in keys}


def checkpoint_sign(*, tree_size: int, root: bytes, signed_at: str) -> SignedCheckpoint:
    key = signing_key()
    public = key.public_key()
    key_id = key_id_of(public)
    signature = key.sign(checkpoint_body(tree_size, root.hex(), signed_at, key_id))
    return SignedCheckpoint(tree_size=tree_size, root_hash=root.hex(), signed_at=signed_at, key_id=key_id,
                            public_key=base64.b64encode(raw_public(public)).decode(),
                            signature=base64.b64encode(signature).decode())


def checkpoint_from_document(document) -> SignedCheckpoint:
    """Read a checkpoint file's JSON (already parsed) and check its signature against the trusted keys."""
    try:
        if document.get("format") != FORMAT:
            raise CheckpointInvalid(f"not a checkpoint ({FORMAT} expected)")
        checkpoint = SignedCheckpoint(
            tree_size=int(document["tree_size"]), root_hash=str(document["root_hash"]),
            signed_at=str(document["signed_at"]), key_id=str(document["key_id"]),
            public_key=str(document.get("public_key", "")), signature=str(document["signature"]))
        signature = base64.b64decode(checkpoint.signature, validate=True)
        bytes.fromhex(checkpoint.root_hash)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise CheckpointInvalid(f"unreadable checkpoint ({exc})") from exc
    key = trusted_keys().get(checkpoint.key_id)
    if key is None:
        raise CheckpointInvalid(
            f"signed with key {checkpoint.key_id}, which is not trusted here (AUDIT_SIGNING_KEY, AUDIT_PUBLIC_KEYS)")
    try:
        key.verify(signature, checkpoint.body())
    except InvalidSignature as exc:
        raise CheckpointInvalid(f"the signature does not match (key {checkpoint.key_id})") from exc
    if checkpoint.tree_size < 0 or len(checkpoint.root_hash) != 64:
        raise CheckpointInvalid("a signed checkpoint with an impossible tree")
    return checkpoint
