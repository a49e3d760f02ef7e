"""Files attached to a case, checked before they are kept."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction

from ..actions import CaseAction
from ..audit import case_event_announce, case_event_append
from ..models import Attachment, Case, CaseEvent
from ..upload_checks import upload_safe_name
from .files import attachment_check, attachment_store, thumbnail_queue_after_commit
from .transitions import lock_case


def attachment_add(*, case: Case, by, uploaded_file, event: CaseEvent | None = None) -> Attachment:
    """Check a file (name, size, real type, what an archive inflates to), then keep it outside the database.

    A refusal is a ValidationError on `attachments` whose code is an `UploadRefusal`.
    """
    return attachment_store(case=case, by=by, checked=attachment_check(uploaded_file), event=event)


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
    thumbnail_queue_after_commit(attachment)
    return attachment


def attachments_refused_record(*, case: Case, by, refused: list[dict]) -> None:
    """One history event listing the files a channel brought that were not kept: [{"name", "reason"}]."""
    with transaction.atomic():
        locked = lock_case(case)
        event = case_event_append(case=locked, action=CaseAction.ATTACHMENTS_REFUSED, actor=by,
                                  from_status=locked.status, to_status=locked.status, data={"refused": refused})
        locked.save(update_fields=["event_count", "head_hash"])
        case_event_announce(case=locked, event=event)
