"""Checks on uploaded files beyond size and sniffed type: archive bombs and hostile names.

Office files (.docx, .xlsx, ...) are zip archives. A zip bomb declares a
small file that inflates to gigabytes; it is refused here by reading only
the archive's central directory (the declared sizes), never by inflating
it. Meant to be called by `cases.services.attachment_add` before the file
is stored (see docs/reliability.md).
"""

import re
import unicodedata
import zipfile
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ZIP_MAGIC = b"PK\x03\x04"
# Containers we accept that are zip archives inside.
ZIP_CONTAINER_SUFFIXES = {".docx", ".xlsx", ".pptx", ".odt", ".ods", ".zip"}

MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # what all members together may inflate to
MAX_MEMBERS = 5000
MAX_RATIO = 200  # Office XML compresses ~5-30x; a bomb ~1000x
RATIO_FLOOR_BYTES = 1024 * 1024  # small members may compress as well as they like

# The types a thumbnail is made of (Pillow for the images, pypdfium2 for a PDF's first page); they open in
# the browser, everything else downloads.
PREVIEWABLE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"})

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
FALLBACK_NAME = "tep-dinh-kem"
NAME_MAX_CHARS = 255


class UploadRefusal(models.TextChoices):
    """Why a file was not kept: the code of each refusal's ValidationError, recorded in a case's history."""

    TOO_LARGE = "too_large", gettext_lazy("quá lớn")
    TYPE = "type", gettext_lazy("loại tệp không được chấp nhận")
    NAME_TOO_LONG = "name_too_long", gettext_lazy("tên tệp quá dài")
    ARCHIVE = "archive", gettext_lazy("tệp nén hỏng hoặc bất thường")


def upload_safe_name(name: str | None) -> str:
    """The file's own name, and nothing that could be a path: `..\\..\\x.pdf` → `x.pdf`.

    Both slashes count as separators (a Windows browser sends backslashes),
    control characters go, Unicode is normalised to NFC, length is capped.
    """
    return _plain_name(name)[:NAME_MAX_CHARS] or FALLBACK_NAME


def upload_check_name(name: str | None) -> str:
    """The plain name of an uploaded file; one too long to keep whole is refused (cut, it would lose its type)."""
    plain = _plain_name(name)
    if len(plain) > NAME_MAX_CHARS:
        upload_refuse(_("Tên tệp “%(name)s…” quá dài (tối đa %(max)s ký tự)."), UploadRefusal.NAME_TOO_LONG,
                name=plain[:40], max=NAME_MAX_CHARS)
    return plain or FALLBACK_NAME


def _plain_name(name: str | None) -> str:
    name = unicodedata.normalize("NFC", _CONTROL.sub("", name or ""))
    return PurePosixPath(name.replace("\\", "/")).name.strip().lstrip(".")


def upload_refuse(message: str, code: str = UploadRefusal.ARCHIVE, **params):
    """Refuse a file: a ValidationError on `attachments` whose code says why (an `UploadRefusal`)."""
    raise ValidationError({"attachments": ValidationError(message % params, code=code)})


def upload_check_archive(*, name: str, uploaded_file) -> None:
    """Refuse a zip-based file whose declared contents are too big, too many, too compressed or escape the folder.

    Reads the central directory only; leaves the file's position at 0.
    """
    head = uploaded_file.read(4)
    uploaded_file.seek(0)
    if PurePosixPath(name).suffix.lower() not in ZIP_CONTAINER_SUFFIXES and head != ZIP_MAGIC:
        return
    limit = getattr(settings, "ATTACHMENT_MAX_UNCOMPRESSED_BYTES", MAX_UNCOMPRESSED_BYTES)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        upload_refuse(_("Tệp “%(name)s” bị hỏng hoặc không đúng định dạng."), name=name)
    finally:
        uploaded_file.seek(0)
    if len(members) > MAX_MEMBERS:
        upload_refuse(_("Tệp “%(name)s” chứa quá nhiều thành phần."), name=name)
    total = 0
    for member in members:
        parts = PurePosixPath(member.filename.replace("\\", "/")).parts
        if member.filename.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", member.filename):
            upload_refuse(_("Tệp “%(name)s” chứa đường dẫn không hợp lệ."), name=name)
        total += member.file_size
        if total > limit:
            upload_refuse(_("Tệp “%(name)s” khi giải nén quá lớn (tối đa %(max)s MB)."), name=name,
                          max=limit // (1024 * 1024))
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            upload_refuse(_("Tệp “%(name)s” có tỷ lệ nén bất thường (nghi là bom nén)."), name=name)
