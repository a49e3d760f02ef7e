"""The checkpoint job: every new event into the tree, then its size and root signed, stored, written out, mailed."""

import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.audit import utc_iso

from . import merkle
from .models import Checkpoint
from .signing import checkpoint_sign, signing_key
from .tree import consistency, lock_tree, max_event_id, root_at, tree_append, tree_size

logger = logging.getLogger(__name__)

BATCH = 20_000  # events taken in per transaction (the first run on an old database takes in all of them)


class LedgerForked(Exception):
    """The tree no longer extends the last checkpoint: the job signs nothing until someone looks."""


def ledger_checkpoint(*, batch: int = BATCH) -> Checkpoint | None:
    """Take in every committed event not in the tree yet and sign a checkpoint of the whole tree.

    None when the tree has not grown since the last checkpoint. Never signs a tree that does not extend the
    last checkpoint (RFC 6962 consistency, from the stored nodes): `LedgerForked`, and a warning mail. The
    checkpoint is also written to `AUDIT_CHECKPOINT_DIR` and mailed to `AUDIT_CHECKPOINT_EMAIL` (when set),
    after it is committed.
    """
    signing_key()  # no key, no work: refused before anything is written
    before = max_event_id()
    taken_at = timezone.now()  # every event committed before this is in the tree once the loop ends
    last_id = None
    while True:
        with transaction.atomic():
            lock_tree()
            added, last_id = tree_append(limit=batch, after=last_id)
        if added < batch:
            break
    with transaction.atomic():
        lock_tree()
        size = tree_size()
        last = Checkpoint.objects.order_by("-pk").first()
        root = root_at(size)
        if last is not None and not merkle.verify_consistency(
                last.tree_size, size, bytes.fromhex(last.root_hash), root, consistency(last.tree_size, size)):
            _alarm(last, size)
            raise LedgerForked(f"the stored tree of {size} leaves does not extend checkpoint #{last.pk}: "
                               f"history anchored before it was rewritten; nothing signed")
        if last is not None and last.tree_size == size:
            return None
        signed = checkpoint_sign(tree_size=size, root=root, signed_at=utc_iso(timezone.now()))
        row = Checkpoint.objects.create(
            tree_size=signed.tree_size, root_hash=signed.root_hash, signed_at=signed.signed_at, key_id=signed.key_id,
            public_key=signed.public_key, signature=signed.signature, taken_at=taken_at, max_event_id=before)
    checkpoint_file_write(row)
    _mail(row)
    return row


def checkpoint_file_name(row: Checkpoint) -> str:
    return f"checkpoint-{row.pk:06d}-{row.tree_size}.json"


def checkpoint_file_text(row: Checkpoint) -> str:
    return json.dumps(row.signed().document(), indent=2, sort_keys=True) + "\n"


def checkpoint_file_write(row: Checkpoint) -> Path:
    """Written whole or not at all (a temporary file renamed into place)."""
    directory = Path(settings.AUDIT_CHECKPOINT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / checkpoint_file_name(row)
    partial = target.with_suffix(".partial")
    partial.write_text(checkpoint_file_text(row), encoding="utf-8")
    os.replace(partial, target)
    return target


def _mail(row: Checkpoint) -> None:
    message = EmailMessage(
        subject=_("Điểm neo lịch sử vụ việc #%(id)s: %(size)s sự kiện") % {"id": row.pk, "size": row.tree_size},
        body=_("Hệ thống đã ký điểm neo lịch sử #%(id)s lúc %(at)s (UTC) bằng khóa %(key)s: %(size)s sự kiện đầu "
               "tiên có mã gốc %(root)s.\n\nHãy lưu tệp đính kèm ngoài hệ thống. Kiểm tra dữ liệu với điểm neo bằng lệnh "
               "manage.py verify_audit --checkpoint và tệp này.") % {
            "id": row.pk, "at": row.signed_at, "key": row.key_id, "size": row.tree_size, "root": row.root_hash},
    )
    message.attach(checkpoint_file_name(row), checkpoint_file_text(row), "application/json")
    _send(message, f"checkpoint {row.pk}")


def _alarm(last: Checkpoint, size: int) -> None:
    logger.error("the audit tree of %s leaves does not extend checkpoint %s: nothing signed", size, last.pk)
    _send(EmailMessage(
        subject=_("CẢNH BÁO: lịch sử vụ việc đã bị sửa trước điểm neo #%(id)s") % {"id": last.pk},
        body=_("Cây lịch sử trong cơ sở dữ liệu (%(size)s sự kiện) không còn nối tiếp điểm neo #%(id)s đã ký: "
               "lịch sử trước điểm neo đó đã bị viết lại. Hệ thống không ký điểm neo mới. Kiểm tra bằng lệnh "
               "manage.py verify_audit --checkpoint và tệp của điểm neo #%(id)s.") % {"size": size, "id": last.pk},
    ), f"alarm about checkpoint {last.pk}")


def _send(message: EmailMessage, what: str) -> None:
    message.to = [address for address in settings.AUDIT_CHECKPOINT_EMAIL if address.strip()]
    if not message.to:
        return
    try:
        message.send()
    except Exception:  # noqa: BLE001 - the checkpoint stands; its file and the inspectors' download still have it
        logger.exception("%s could not be mailed to %s", what, ", ".join(message.to))
