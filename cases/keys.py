"""Key rotation for the encrypted fields: re-encrypt every stored token under the newest key.

FIELD_ENCRYPTION_KEY lists Fernet keys newest first; every listed key still
decrypts. Rotation is: put a new key in front, restart, run
`manage.py rotate_encryption_key` (this module), check that nothing is left
under an old key (`--check`), then drop the old key. Tokens are rewritten in
small batches, each in its own transaction, so the command can be stopped
and run again at any time.
"""

from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from .fields import EncryptedTextField, _configured_keys, field_cipher


@dataclass
class FieldRotation:
    label: str  # app_label.Model.field
    current: int = 0  # already under the newest key
    rotated: int = 0  # re-encrypted now (or, when checking, still under an old key)
    unreadable: int = 0  # under no configured key: data that cannot be read any more


def encrypted_fields() -> list[tuple[type[models.Model], models.Field]]:
    """Every encrypted field of every installed model."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def encrypted_fields_rotate(*, check_only: bool = False, batch_size: int = 500) -> list[FieldRotation]:
    """Re-encrypt (or, with `check_only`, count) every token not under the newest key."""
    newest = Fernet(_configured_keys()[0])
    cipher = field_cipher()
    results = []
    for model, field in encrypted_fields():
        result = FieldRotation(label=f"{model._meta.label}.{field.name}")
        # The stored token as plain text: a Cast to an ordinary TextField skips decryption.
        stored = (
            model._default_manager.exclude(**{field.attname: ""})
            .exclude(**{f"{field.attname}__isnull": True})
            .annotate(token=Cast(field.attname, output_field=models.TextField()))
            .order_by("pk")
        )
        last_pk = None
        while True:
            page = stored if last_pk is None else stored.filter(pk__gt=last_pk)
            rows = list(page.values_list("pk", "token")[:batch_size])
            if not rows:
                break
            last_pk = rows[-1][0]
            rewrites = {}
            for pk, token in rows:
                try:
                    newest.decrypt(token.encode())
                    result.current += 1
                    continue
                except InvalidToken:
                    pass
                try:
                    rewrites[pk] = (token, cipher.rotate(token.encode()).decode())
                except InvalidToken:
                    result.unreadable += 1
            result.rotated += len(rewrites)
            if rewrites and not check_only:
                with transaction.atomic():
                    for pk, (old, token) in rewrites.items():
                        # Only if nobody changed it meanwhile; the new token is written as it is
                        # (a Value with a plain TextField is not encrypted again).
                        model._default_manager.annotate(
                            token=Cast(field.attname, output_field=models.TextField())
                        ).filter(pk=pk, token=old).update(
                            **{field.attname: models.Value(token, output_field=models.TextField())}
                        )
        results.append(result)
    return results
