"""Messages from channel adapters (email, chat/portal webhook, Open311) become cases.

A new conversation opens a case; a later message of the same conversation,
or one naming a case code the source may see, is appended to that case as a
`message` event with its attachments. Each message is recorded once per
source (`InboundMessage`), claimed first inside the transaction that handles
it, so re-reading a mailbox or a retried or racing webhook changes nothing.
Nothing is lost on the way: a file that is not kept is named in the case's
history (`attachments_refused`), a text over the description limit is cut
with a note and kept whole as an attachment, and a message refused as a
whole is recorded with its reason.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from cases.actions import CaseAction
from cases.audit import case_event_announce, case_event_append
from cases.exceptions import CaseNotFound
from cases.models import Case, Topic, Unit
from cases.selectors import case_get_for_user
from cases.services import (
    ReporterInput,
    attachment_add,
    attachment_keep_original,
    attachments_refused_record,
    case_intake,
)
from cases.upload_checks import UploadRefusal
from cases.validation import DESCRIPTION_MAX_CHARS

from .models import ChannelSource, InboundMessage

CASE_CODE = re.compile(r"\bDL-\d{4}-\d{6}\b")
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|tl|tr|trả lời|chuyển tiếp)\s*:\s*)+", re.IGNORECASE)
KEY_MAX_CHARS = 255  # InboundMessage.external_id and thread_id
ORIGINAL_TEXT_NAME = "noi-dung-day-du.txt"  # a long text kept whole when the adapter gave no original


class MessageRefused(Exception):
    """A message the product will not take (no content at all); recorded, never retried by itself."""


def inbound_key(value: str) -> str:
    """How a message or conversation id is stored and matched: as is when it fits, else a digest of all of it.

    Cutting a long id would make two ids that share their first 255 characters one message
    (the second lost); a NUL or a control character could not be stored on PostgreSQL.
    """
    if len(value) <= KEY_MAX_CHARS and value.isprintable():
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class InboundFile:
    name: str
    content: bytes
    content_type: str = ""  # set only for a message kept as received; an attachment's type is sniffed


@dataclass
class Inbound:
    """One message as an adapter read it."""

    external_id: str  # unique within the source (Message-ID, the sender's message id)
    subject: str = ""
    text: str = ""
    thread_id: str = ""  # the conversation this message starts or belongs to
    replies_to: list[str] = field(default_factory=list)  # ids of earlier messages it answers
    case_code: str = ""  # an explicit case, e.g. from a form on the portal
    sender: ReporterInput | None = None
    attachments: list[InboundFile] = field(default_factory=list)
    received_at: datetime | None = None
    topic: Topic | None = None
    locality: Unit | None = None
    priority: str = "normal"
    # The message as received (an email's bytes): kept as an attachment when its text is over the limit.
    original: InboundFile | None = None


@dataclass
class Handled:
    case: Case
    action: str  # InboundMessage.Action
    is_new: bool  # False when this message had been handled before
    skipped_attachments: list[str] = field(default_factory=list)


def inbound_message_handle(*, source: ChannelSource, message: Inbound) -> Handled:
    """Open a case for a new conversation or append to the one it belongs to; once per message."""
    if not (message.subject.strip() or message.text.strip() or message.attachments):
        raise MessageRefused(_("Thư không có tiêu đề, nội dung hay tệp đính kèm."))
    key, thread = inbound_key(message.external_id), inbound_key(message.thread_id) if message.thread_id else ""
    with transaction.atomic():
        claim, seen = _claim(source=source, key=key, thread=thread)
        if seen is not None:
            return Handled(case=seen.case, action=seen.action, is_new=False)
        case = _conversation_case(source=source, message=message)
        if case is None:
            case, skipped = _open_case(source=source, message=message)
            claim.action = InboundMessage.Action.INTAKE
        else:
            skipped = case_message_append(
                case=case, by=source.acts_as, channel_code=source.channel.code, text=_as_note(message),
                attachments=message.attachments, from_reporter=_from_reporter(case, message.sender),
                original=message.original,
            )
            claim.action = InboundMessage.Action.APPEND
        claim.case = case
        claim.reason = ""
        claim.save(update_fields=["case", "action", "reason", "thread_id"])
    return Handled(case=case, action=claim.action, is_new=True, skipped_attachments=skipped)


def inbound_intake_record(*, source: ChannelSource, case: Case) -> InboundMessage:
    """Record that `source` opened `case` by a request of its own (Open311), so that it may read it back.

    Call in the intake's transaction. The case code is the message's id: such a request has no other.
    """
    return InboundMessage.objects.create(source=source, external_id=case.code, case=case,
                                         action=InboundMessage.Action.INTAKE)

def inbound_message_refuse(*, source: ChannelSource, external_id: str, thread_id: str = "", reason: str) -> None:
    """Record a message that will not become a case, with why, where an administrator reads them."""
    key = inbound_key(external_id)
    with transaction.atomic():
        row, created = InboundMessage.objects.select_for_update().get_or_create(
            source=source, external_id=key,
            defaults={"thread_id": inbound_key(thread_id) if thread_id else "",
                      "action": InboundMessage.Action.REFUSED, "reason": reason[:500]},
        )
        if not created and row.action == InboundMessage.Action.REFUSED:  # refused again after a retry
            row.reason = reason[:500]
            row.save(update_fields=["reason"])


def _claim(*, source, key: str, thread: str) -> tuple[InboundMessage | None, InboundMessage | None]:
    """(the row this transaction now owns, None), or (None, the row of the message handled before)."""
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(source=source, external_id=key, thread_id=thread), None
    except IntegrityError:
        # Handled before (or right now by a racing retry, whose commit the insert waited for).
        seen = (InboundMessage.objects.select_for_update(of=("self",)).select_related("case")
                .get(source=source, external_id=key))
    if seen.action == InboundMessage.Action.REFUSED:
        # Refused earlier and brought back (moved back to the inbox by an administrator): try again.
        seen.thread_id = thread
        return seen, None
    return None, seen


def _conversation_case(*, source: ChannelSource, message: Inbound) -> Case | None:
    """The case this message continues: a code the source may see, or an earlier message of the thread."""
    codes = [message.case_code] if message.case_code else CASE_CODE.findall(message.subject)
    for code in codes:
        try:
            return case_get_for_user(user=source.acts_as, code=code)
        except CaseNotFound:
            continue  # a code from outside this source's reach opens a new case instead
    refs = [inbound_key(ref) for ref in [*message.replies_to, message.thread_id] if ref]
    if not refs:
        return None
    earlier = (
        InboundMessage.objects.filter(source=source, case__isnull=False)
        .filter(Q(external_id__in=refs) | Q(thread_id__in=refs))
        .select_related("case")
        .order_by("received_at", "pk")
        .first()
    )
    return earlier.case if earlier else None


def _open_case(*, source: ChannelSource, message: Inbound) -> tuple[Case, list[str]]:
    title = REPLY_PREFIX.sub("", " ".join(message.subject.split())) or _first_line(message.text)
    description, original = _within_limit(message.text, message.original)
    case = case_intake(
        by=source.acts_as,
        title=(title or _("(Không có tiêu đề)"))[:300],
        description=description,
        channel=source.channel,
        topic=message.topic or source.default_topic,
        locality=message.locality or source.default_locality,
        priority=message.priority,
        received_at=message.received_at,
        reporter=message.sender,
        external_ref=inbound_key(message.external_id)[:100],
    )
    return case, _attach(case=case, by=source.acts_as, files=message.attachments, original=original)


def case_message_append(*, case: Case, by, channel_code: str, text: str, attachments=(), from_reporter=False,
                        original: InboundFile | None = None) -> list[str]:
    """Append a follow-up message (a reply, a new detail) to a case's history, with its files.

    The state does not change; the message is one hash-chained `message` event
    (followed by an `attachments_refused` event when some files were not kept).
    Returns the names of attachments refused (too large or of a type not accepted).
    """
    note, original = _within_limit(text, original)
    with transaction.atomic():
        locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        event = case_event_append(
            case=locked, action=CaseAction.MESSAGE, actor=by, from_status=locked.status, to_status=locked.status,
            note=note, data={"channel": channel_code, "from_reporter": from_reporter},
        )
        locked.save(update_fields=["event_count", "head_hash"])
        case_event_announce(case=locked, event=event)
        return _attach(case=locked, by=by, files=attachments, original=original)


def _attach(*, case: Case, by, files, original: InboundFile | None = None) -> list[str]:
    """Keep every acceptable file; a refused one does not lose the message, and the history names it."""
    refused = []
    for item in files:
        try:
            with transaction.atomic():
                attachment_add(case=case, by=by, uploaded_file=ContentFile(item.content, name=item.name))
        except ValidationError as exc:
            refused.append({"name": item.name, "reason": _refusal_code(exc)})
    if original is not None:
        attachment_keep_original(case=case, by=by, name=original.name, content=original.content,
                                 content_type=original.content_type)
    if refused:
        attachments_refused_record(case=case, by=by, refused=refused)
    return [item["name"] for item in refused]


def _refusal_code(exc: ValidationError) -> str:
    codes = [error.code for errors in getattr(exc, "error_dict", {}).values() for error in errors]
    return next((code for code in codes if code in UploadRefusal.values), UploadRefusal.TYPE)


def _within_limit(text: str, original: InboundFile | None) -> tuple[str, InboundFile | None]:
    """The text as it fits a description, and what to keep whole beside it (None when nothing was cut).

    A longer text keeps its first part and says where the rest is: never cut silently.
    """
    if len(text) <= DESCRIPTION_MAX_CHARS:
        return text, None
    kept = original or InboundFile(name=ORIGINAL_TEXT_NAME, content=text.encode("utf-8"), content_type="text/plain")
    note = "\n\n[…] " + _("Nội dung dài %(length)s ký tự, quá giới hạn %(max)s ký tự: trên đây là phần đầu; "
                          "toàn bộ ở tệp đính kèm “%(name)s”.") % {
        "length": len(text), "max": DESCRIPTION_MAX_CHARS, "name": kept.name}
    head = text[:DESCRIPTION_MAX_CHARS - len(note)]
    # End at a word when one ends close to the limit.
    space = head.rfind(" ", len(head) - 200)
    return (head[:space] if space > 0 else head).rstrip() + note, kept


def _as_note(message: Inbound) -> str:
    subject = " ".join(message.subject.split())
    return f"{subject}\n\n{message.text}".strip() if subject else message.text.strip()


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _from_reporter(case: Case, sender: ReporterInput | None) -> bool:
    """Whether the sender is one of the case's reporters (by email or phone), without showing who."""
    if sender is None:
        return False
    wanted = {value.strip().lower() for value in (sender.email, sender.phone) if value and value.strip()}
    if not wanted:
        return False
    for report in case.reports.select_related("reporter").exclude(reporter=None):
        known = {value.strip().lower() for value in (report.reporter.email, report.reporter.phone) if value}
        if wanted & known:
            return True
    return False
