"""Email channel: read a mailbox (IMAP) or a folder of .eml files into cases.

One case per new thread (email channel, sender as reporter, attachments
kept); a reply, recognised by its In-Reply-To/References or by a case code
in its subject, is appended to that case. Vietnamese subjects and bodies
arrive in many encodings (RFC 2047 UTF-8 B/Q, windows-1258, ...); all are
decoded and brought to NFC so search and display work the same.
"""

import hashlib
import imaplib
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.header import Header, decode_header
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.utils import timezone
from django.utils.html import strip_tags

from cases.services import ReporterInput

from ..inbound import Inbound, InboundFile, inbound_message_handle
from ..models import ChannelSource

logger = logging.getLogger("api.email")

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
FALLBACK_CHARSETS = ("utf-8", "cp1258", "latin-1")  # windows-1258 is the usual Vietnamese legacy one


# --- parsing ------------------------------------------------------------------


def email_parse(raw: bytes) -> Inbound:
    """One raw RFC 5322 message as an `Inbound`."""
    message = BytesParser(policy=policy.compat32).parsebytes(raw)
    message_id = _first_id(message.get("Message-ID", "")) or f"<sha256:{hashlib.sha256(raw).hexdigest()}>"
    references = MESSAGE_ID.findall(str(message.get("References", "")))
    replies_to = list(dict.fromkeys(MESSAGE_ID.findall(str(message.get("In-Reply-To", ""))) + references))
    name, address = _sender(message)
    return Inbound(
        external_id=message_id,
        # The thread is named by its first message, which every reply lists first in References.
        thread_id=references[0] if references else (replies_to[0] if replies_to else message_id),
        replies_to=replies_to,
        subject=_nfc(_header_text(message.get("Subject", ""))),
        text=_nfc(_body_text(message)),
        sender=ReporterInput(full_name=name, email=address) if (name or address) else None,
        attachments=list(_attachments(message)),
        received_at=_sent_at(message.get("Date")),
    )


def _first_id(value) -> str:
    found = MESSAGE_ID.findall(str(value))
    return found[0] if found else ""


def _header_text(value) -> str:
    """A header as text: RFC 2047 encoded words in any charset, or raw 8-bit UTF-8 (RFC 6532)."""
    if not value:
        return ""
    chunks = decode_header(value if isinstance(value, Header) else str(value))
    return "".join(_decode(chunk, charset) if isinstance(chunk, bytes) else chunk for chunk, charset in chunks)


def _decode(payload: bytes, charset: str | None) -> str:
    for candidate in (charset, *FALLBACK_CHARSETS):
        if not candidate:
            continue
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", errors="replace")


def _nfc(text: str) -> str:
    # windows-1258 text decodes to base letters plus combining tone marks.
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n").strip()


def _sender(message) -> tuple[str, str]:
    raw = message.get("Reply-To") or message.get("From") or ""
    addresses = getaddresses([_header_text(raw) if isinstance(raw, Header) else str(raw)])
    if not addresses:
        return "", ""
    name, address = addresses[0]
    return _nfc(_header_text(name))[:200], address.strip()[:254]


def _body_text(message) -> str:
    """The text/plain part, else the text/html one without its tags."""
    plain = html = None
    for part in message.walk():
        if part.is_multipart() or part.get_filename() or part.get("Content-Disposition", "").startswith("attachment"):
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = _decode(part.get_payload(decode=True) or b"", part.get_content_charset())
        elif kind == "text/html" and html is None:
            html = _decode(part.get_payload(decode=True) or b"", part.get_content_charset())
    if plain is not None:
        return plain
    if html is not None:
        return unescape(strip_tags(re.sub(r"(?i)<br\s*/?>|</p>", "\n", html)))
    return ""


def _attachments(message):
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        disposition = part.get("Content-Disposition", "")
        if not filename and not disposition.startswith("attachment"):
            continue
        name = _nfc(_header_text(filename)) if filename else "tep-dinh-kem"
        yield InboundFile(name=Path(name).name or "tep-dinh-kem", content=part.get_payload(decode=True) or b"")


def _sent_at(value):
    """The Date header when it is believable; otherwise the intake time is now."""
    if not value:
        return None
    try:
        sent = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    now = timezone.now()
    if sent > now or sent < now - timedelta(days=365):
        return None
    return sent


# --- reading a mailbox --------------------------------------------------------


@dataclass
class FetchReport:
    opened: list[str] = field(default_factory=list)  # codes of new cases
    appended: list[str] = field(default_factory=list)  # codes of cases a reply was added to
    already_seen: int = 0
    failed: int = 0


def email_fetch(*, source: ChannelSource, location: str | None = None) -> FetchReport:
    """Read `location` (default: the source's mailbox) and handle every message in it."""
    location = location or source.mailbox
    scheme = urlsplit(location).scheme
    if scheme in ("imap", "imaps"):
        return _fetch_imap(source=source, url=location)
    folder = Path(unquote(urlsplit(location).path) if scheme == "file" else location)
    report = FetchReport()
    for path in sorted(folder.glob("*.eml")):
        _handle(source=source, raw=path.read_bytes(), report=report, label=path.name)
    return report


def _handle(*, source, raw: bytes, report: FetchReport, label: str) -> bool:
    try:
        handled = inbound_message_handle(source=source, message=email_parse(raw))
    except Exception:
        # One bad message must not stop the others; it stays to be read again.
        logger.exception("Email %s from source %s could not be handled", label, source.code)
        report.failed += 1
        return False
    if not handled.is_new:
        report.already_seen += 1
    elif handled.action == "intake":
        report.opened.append(handled.case.code)
    else:
        report.appended.append(handled.case.code)
    return True


def _fetch_imap(*, source: ChannelSource, url: str) -> FetchReport:
    """Unread messages of the folder; each is marked read only once its case is committed."""
    parts = urlsplit(url)
    factory = imaplib.IMAP4_SSL if parts.scheme == "imaps" else imaplib.IMAP4
    client = factory(parts.hostname, parts.port or (993 if parts.scheme == "imaps" else 143))
    report = FetchReport()
    try:
        if parts.scheme == "imap":
            client.starttls()
        client.login(unquote(parts.username or ""), unquote(parts.password or ""))
        client.select(unquote(parts.path.lstrip("/")) or "INBOX")
        _status, data = client.uid("SEARCH", None, "UNSEEN")
        for uid in (data[0] or b"").split():
            _status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
            if raw is not None and _handle(source=source, raw=raw, report=report, label=uid.decode()):
                client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return report

