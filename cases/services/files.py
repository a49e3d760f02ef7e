"""Files kept with a case: the one check every upload passes (intake, orient, resolve, channels) and the one way
a checked file is stored, with its thumbnail queued for a worker."""

import hashlib
import logging
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Attachment, Case, CaseEvent
from ..upload_checks import (
    PREVIEWABLE_TYPES,
    UploadRefusal,
    upload_check_archive,
    upload_check_name,
    upload_refuse,
)

logger = logging.getLogger(__name__)

_TEXT_EXTENSIONS = {".txt"}
# cases.tasks.attachment_thumbnail, queued by name: the task calls the services, not the reverse.
THUMBNAIL_TASK = "cases.attachment_thumbnail"


@dataclass(frozen=True)
class CheckedUpload:
    """An uploaded file that passed every check, not stored yet."""

    uploaded_file: object
    name: str
    content_type: str
    size: int
    sha256: str

    def record(self, *, public: bool = False) -> dict:
        """What the event that brings the file says of it (the hash ties the stored file to the chain)."""
        return {"name": self.name, "size": self.size, "sha256": self.sha256, **({"public": True} if public else {})}


def attachment_check(uploaded_file) -> CheckedUpload:
    """Check an upload's name, size, real type and (for zip-based office files) what it would inflate to.

    A refusal is a ValidationError on `attachments` whose code is an `UploadRefusal`; nothing is stored.
    """
    name = upload_check_name(uploaded_file.name)
    size = uploaded_file.size
    if size > settings.ATTACHMENT_MAX_BYTES:
        upload_refuse(_("Tệp “%(name)s” quá lớn (tối đa %(max)s MB)."), UploadRefusal.TOO_LARGE,
                      name=name, max=_megabytes(settings.ATTACHMENT_MAX_BYTES))
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    content_type = _sniff_type(name, head)
    if content_type not in settings.ATTACHMENT_ALLOWED_TYPES:
        upload_refuse(_("Tệp “%(name)s” không thuộc loại được chấp nhận."), UploadRefusal.TYPE, name=name)
    upload_check_archive(name=name, uploaded_file=uploaded_file)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return CheckedUpload(uploaded_file=uploaded_file, name=name, content_type=content_type, size=size,
                         sha256=digest.hexdigest())


def attachment_store(*, case: Case, by, checked: CheckedUpload, event: CaseEvent | None = None,
                     is_public: bool = False) -> Attachment:
    """Keep a checked file outside the database, tied to the event it came with; its thumbnail follows."""
    attachment = Attachment(
        case=case, original_name=checked.name, content_type=checked.content_type, size=checked.size,
        sha256=checked.sha256, uploaded_by=by, event=event, is_public=is_public,
    )
    attachment.file.save(checked.name, checked.uploaded_file, save=False)
    attachment.save()
    thumbnail_queue_after_commit(attachment)
    return attachment


def thumbnail_queue_after_commit(attachment: Attachment) -> None:
    """Ask a worker for the file's thumbnail once the file's row is committed (a rollback asks nothing)."""
    if attachment.content_type in PREVIEWABLE_TYPES:
        transaction.on_commit(lambda: _queue_thumbnail(attachment.pk), robust=True)


def _queue_thumbnail(attachment_id: int) -> None:
    try:
        current_app.tasks[THUMBNAIL_TASK].apply_async(
            args=[attachment_id], retry=True, retry_policy={"max_retries": 1, "interval_start": 0, "interval_max": 0.2})
    except Exception as exc:  # a dead broker must not break the request; the page shows the file without a preview
        logger.warning("Could not queue the thumbnail of attachment %s: %s", attachment_id, exc)


def _megabytes(size: int) -> str:
    # A limit under 1 MB (a test's) still reads as a number, not 0.
    return f"{size / (1024 * 1024):g}"


def _sniff_type(name: str, head: bytes) -> str | None:
    """The type the content really has; the extension must agree with it."""
    suffix = PurePath(name).suffix.lower()
    kind = filetype.guess(head)
    if kind is None:
        if suffix in _TEXT_EXTENSIONS and b"\x00" not in head:
            try:
                head.decode("utf-8")
            except UnicodeDecodeError:
                return None
            return "text/plain"
        return None
    if suffix.lstrip(".") not in _extension_aliases(kind.extension):
        return None
    return kind.mime


def _extension_aliases(extension: str) -> set[str]:
    return {"jpg": {"jpg", "jpeg"}, "mp4": {"mp4", "m4v"}}.get(extension, {extension})
