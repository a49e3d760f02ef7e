"""Files attached to a case, checked before they are kept."""

import hashlib
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Attachment, Case
from ..upload_checks import upload_check_archive, upload_safe_name

_TEXT_EXTENSIONS = {".txt"}


def attachment_add(*, case: Case, by, uploaded_file) -> Attachment:
    """Store a file outside the database after checking its size, real type and (for
    zip-based office files) what it would inflate to."""
    name = upload_safe_name(uploaded_file.name)
    size = uploaded_file.size
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {"attachments": _("Tệp “%(name)s” quá lớn (tối đa %(max)s MB).")
             % {"name": name, "max": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}}
        )
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    content_type = _sniff_type(name, head)
    if content_type not in settings.ATTACHMENT_ALLOWED_TYPES:
        raise ValidationError({"attachments": _("Tệp “%(name)s” không thuộc loại được chấp nhận.") % {"name": name}})
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
