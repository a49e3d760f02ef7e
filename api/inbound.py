"""Messages from channel adapters (email, chat/portal webhook, Open311) become cases.

A new conversation opens a case; a later message of the same conversation,
or one naming a case code the source may see, is appended to that case as a
`message` event with its attachments. Each message is recorded once per
source (`InboundMessage`), claimed first inside the transaction that handles
it, so re-reading a mailbox or a retried or racing webhook changes nothing.
"""

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
from cases.services import ReporterInput, attachment_add, case_intake

from .models import ChannelSource, InboundMessage

CASE_CODE = re.compile(r"\bDL-\d{4}-\d{6}\b")
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|tl|tr|trả lời|chuyển tiếp)\s*:\s*)+", re.IGNORECASE)
NOTE_MAX_CHARS = 20_000


@dataclass
class InboundFile:
    name: str
    content: bytes


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


@dataclass
class Handled:
    case: Case
    action: str  # InboundMessage.Action
    is_new: bool  # False when this message had been handled before
    skipped_attachments: list[str] = field(default_factory=list)


def inbound_message_handle(*, source: ChannelSource, message: Inbound) -> Handled:
    """Open a case for a new conversation or append to the one it belongs to; once per message."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = InboundMessage.objects.create(
                    source=source, external_id=message.external_id[:255], thread_id=message.thread_id[:255]
                )
        except IntegrityError:
            # Handled before (or right now by a racing retry, whose commit the insert waited for).
            seen = InboundMessage.objects.select_related("case").get(source=source, external_id=message.external_id[:255])
            return Handled(case=seen.case, action=seen.action, is_new=False)
        case = _conversation_case(source=source, message=message)
        if case is None:
            case, skipped = _open_case(source=source, message=message)
            claim.action = InboundMessage.Action.INTAKE
        else:
            skipped = case_message_append(
                case=case, by=source.acts_as, channel_code=source.channel.code, text=_as_note(message),
                attachments=message.attachments, from_reporter=_from_reporter(case, message.sender),
            )
            claim.action = InboundMessage.Action.APPEND
        claim.case = case
        claim.save(update_fields=["case", "action"])
    return Handled(case=case, action=claim.action, is_new=True, skipped_attachments=skipped)


def inbound_intake_record(*, source: ChannelSource, case: Case) -> InboundMessage:
    """Record that `source` opened `case` by a request of its own (Open311), so that it may read it back.

    Call in the intake's transaction. The case code is the message's id: such a request has no other.
    """
    return InboundMessage.objects.create(source=source, external_id=case.code, case=case,
                                         action=InboundMessage.Action.INTAKE)


def _conversation_case(*, source: ChannelSource, message: Inbound) -> Case | None:
    """The case this message continues: a code the source may see, or an earlier message of the thread."""
    codes = [message.case_code] if message.case_code else CASE_CODE.findall(message.subject)
    for code in codes:
        try:
            return case_get_for_user(user=source.acts_as, code=code)
        except CaseNotFound:
            continue  # a code from outside this source's reach opens a new case instead
    refs = [ref[:255] for ref in [*message.replies_to, message.thread_id] if ref]
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
    case = case_intake(
        by=source.acts_as,
        title=(title or _("(Không có tiêu đề)"))[:300],
        description=message.text,
        channel=source.channel,
        topic=message.topic or source.default_topic,
        locality=message.locality or source.default_locality,
        priority=message.priority,
        received_at=message.received_at,
        reporter=message.sender,
        external_ref=message.external_id[:100],
    )
    return case, _attach(case=case, by=source.acts_as, files=message.attachments)


def case_message_append(*, case: Case, by, channel_code: str, text: str, attachments=(), from_reporter=False) -> list[str]:
    """Append a follow-up message (a reply, a new detail) to a case's history, with its files.

    The state does not change; the message is one hash-chained `message` event.
    Returns the names of attachments refused (too large or of a type not accepted).
    """
    with transaction.atomic():
        locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        skipped = _attach(case=locked, by=by, files=attachments)
        event = case_event_append(
            case=locked, action=CaseAction.MESSAGE, actor=by, from_status=locked.status, to_status=locked.status,
            note=text[:NOTE_MAX_CHARS],
            data={
                "channel": channel_code, "from_reporter": from_reporter,
                "attachments": len(attachments) - len(skipped), "attachments_refused": skipped,
            },
        )
        locked.save(update_fields=["event_count", "head_hash"])
        case_event_announce(case=locked, event=event)
    return skipped


def _attach(*, case: Case, by, files) -> list[str]:
    """Keep every acceptable file; a refused one does not lose the message."""
    skipped = []
    for item in files:
        try:
            with transaction.atomic():
                attachment_add(case=case, by=by, uploaded_file=ContentFile(item.content, name=item.name))
        except ValidationError:
            skipped.append(item.name)
    return skipped


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
