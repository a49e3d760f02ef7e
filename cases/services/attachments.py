"""Files attached to a case, checked before they are kept."""

import hashlib
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from ..actions import CaseAction
from ..audit import case_event_announce, case_event_append
from ..models import Attachment, Case
from ..upload_checks import (
    UploadRefusal,
    upload_check_archive,
    upload_check_name,
    upload_refuse,
    upload_safe_name,
)
from .transitions import lock_case

_TEXT_EXTENSIONS = {".txt"}


def attachment_add(*, case: Case, by, uploaded_file) -> Attachment:
    """Store a file outside the database after checking its name, size, real type and (for
    zip-based office files) what it would inflate to.

    A refusal is a ValidationError on `attachments` whose code is an `UploadRefusal`.
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
    attachment = Attachment(
        case=case, original_name=name, content_type=content_type, size=size, sha256=digest.hexdigest(), uploaded_by=by
    )
    attachment.file.save(name, uploaded_file, save=False)
    attachment.save()
    return attachment


def attachment_keep_original(*, case: Case, by, name: str, content: bytes, content_type: str) -> Attachment:
    """Keep a message exactly as a channel received it (an email too long for the description).

    Not a person's upload: its type is the channel's own and it is not sniffed;
    its size is bounded by what the mail server accepts, not ATTACHMENT_MAX_BYTES.
    """
    attachment = Attachment(
        case=case, original_name=upload_safe_name(name), content_type=content_type, size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), uploaded_by=by,
    )
    attachment.file.save(attachment.original_name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def attachments_refused_record(*, case: Case, by, refused: list[dict]) -> None:
    """One history event listing the files a channel brought that were not kept: [{"name", "reason"}]."""
    with transaction.atomic():
        locked = lock_case(case)
        event = case_event_append(case=locked, action=CaseAction.ATTACHMENTS_REFUSED, actor=by,
                                  from_status=locked.status, to_status=locked.status, data={"refused": refused})
        locked.save(update_fields=["event_count", "head_hash"])
        case_event_announce(case=locked, event=event)


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
