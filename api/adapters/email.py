"""Email channel: read a mailbox (IMAP) or a folder of .eml files into cases.

One case per new thread (email channel, sender as reporter, attachments
kept); a reply, recognised by its In-Reply-To/References or by a case code
in its subject, is appended to that case. Vietnamese subjects and bodies
arrive in many encodings (RFC 2047 UTF-8 B/Q, windows-1258, ...); all are
decoded and brought to NFC so search and display work the same. HTML-only
mail becomes plain text through inscriptis (it renders what a reader would
see: no <style>, <script> or <head>).

A message the product refuses (no content, or an error of its own) is
recorded as refused and moved to a folder of its own, so it is reported once
and not read again; one that failed for a passing reason (the database or
the disk away) stays unread and is read again next time.
"""

import hashlib
import imaplib
import logging
import re
import ssl
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from email import policy
from email.headerregistry import HeaderRegistry
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.html_properties import Display
from inscriptis.model.config import ParserConfig
from inscriptis.model.html_element import HtmlElement

from cases.exceptions import CaseError
from cases.services import ReporterInput

from ..inbound import Inbound, InboundFile, MessageRefused, inbound_message_handle, inbound_message_refuse
from ..models import ChannelSource

logger = logging.getLogger("api.email")

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
FALLBACK_CHARSETS = ("utf-8", "cp1258", "latin-1")  # windows-1258 is the usual Vietnamese legacy one
ORIGINAL_NAME = "thu-goc.eml"
IMAP_TIMEOUT_SECONDS = 60
# The database or the disk away: the message stays unread and is read again next time.
PASSING_ERRORS = (OperationalError, InterfaceError, OSError)
# What a reader of the mail sees, as Firefox would lay it out; hidden elements give no text.
_HTML_CSS = {**CSS_PROFILES["strict"], **{tag: HtmlElement(display=Display.none)
                                          for tag in ("noscript", "template", "iframe", "object")}}
_HEADERS = HeaderRegistry()


# --- parsing ------------------------------------------------------------------


def email_parse(raw: bytes) -> Inbound:
    """One raw RFC 5322 message as an `Inbound`."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    message_id = _first_id(message.get("Message-ID", "")) or _raw_id(raw)
    references = MESSAGE_ID.findall(str(message.get("References", "")))
    replies_to = list(dict.fromkeys(MESSAGE_ID.findall(str(message.get("In-Reply-To", ""))) + references))
    name, address = _sender(message)
    return Inbound(
        external_id=message_id,
        # The thread is named by its first message, which every reply lists first in References.
        thread_id=references[0] if references else (replies_to[0] if replies_to else message_id),
        replies_to=replies_to,
        subject=_nfc(str(message.get("Subject", ""))),
        text=_nfc(_body_text(message)),
        sender=ReporterInput(full_name=name, email=address) if (name or address) else None,
        attachments=list(_attachments(message)),
        received_at=_sent_at(message.get("Date")),
        original=InboundFile(name=ORIGINAL_NAME, content=raw, content_type="message/rfc822"),
    )


def _first_id(value) -> str:
    found = MESSAGE_ID.findall(str(value))
    return found[0] if found else ""


def _raw_id(raw: bytes) -> str:
    """The id of a message without a Message-ID: its bytes' digest, so the same message is still seen once."""
    return f"<sha256:{hashlib.sha256(raw).hexdigest()}>"


def _decoded(text: str) -> str:
    """Encoded words (RFC 2047) in a piece of header text, decoded."""
    return str(_HEADERS("x-decoded", text))


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
    # windows-1258 text decodes to base letters plus combining tone marks; a NUL cannot be stored.
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\x00", "").strip()


def _sender(message) -> tuple[str, str]:
    header = message.get("Reply-To") or message.get("From")
    if header is None:
        return "", ""
    name, address = _first_address(header)
    return _nfc(name)[:200], address.strip()[:254]


def _first_address(header) -> tuple[str, str]:
    """(display name, address) of an address header, as headerregistry parses it.

    A sender that put all of "Name <address>" inside one encoded word (seen in the wild,
    though RFC 2047 forbids it) parses as one address with no domain whose local part is
    that decoded text: it is parsed again as an address header.
    """
    addresses = list(getattr(header, "addresses", ()))
    found = [a for a in addresses if a.domain]
    if not found:
        found = [a for broken in addresses if broken.username
                 for a in _HEADERS("from", broken.username).addresses if a.domain]
    if not found:
        return "", ""
    name, address = found[0].display_name, found[0].addr_spec
    # Raw 8-bit UTF-8 (RFC 6532) comes through the parser as escaped bytes.
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"), address


def _body_text(message) -> str:
    """The text/plain part, else the text/html one as the text a reader sees."""
    plain = html = None
    for part in message.walk():
        if part.is_multipart() or part.get_filename() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = _decode(part.get_payload(decode=True) or b"", part.get_content_charset())
        elif kind == "text/html" and html is None:
            html = _decode(part.get_payload(decode=True) or b"", part.get_content_charset())
    if plain is not None:
        return plain
    if html is not None:
        return _html_text(html)
    return ""


def _html_text(html: str) -> str:
    text = get_text(html, ParserConfig(css=_HTML_CSS))
    # Layout margins, not content: at most one blank line, no trailing blanks.
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _attachments(message):
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if not filename and part.get_content_disposition() != "attachment":
            continue
        name = _nfc(_decoded(filename)) if filename else "tep-dinh-kem"
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
    refused: int = 0  # recorded as refused and moved to the refused folder
    failed: int = 0  # left to be read again


HANDLED, REFUSED, FAILED = "handled", "refused", "failed"


def email_fetch(*, source: ChannelSource, location: str | None = None) -> FetchReport:
    """Read `location` (default: the source's mailbox) and handle every message in it."""
    location = location or source.mailbox
    scheme = urlsplit(location).scheme
    if scheme in ("imap", "imaps"):
        return _fetch_imap(source=source, url=location)
    folder = Path(unquote(urlsplit(location).path) if scheme == "file" else location)
    report = FetchReport()
    for path in sorted(folder.glob("*.eml")):
        if _handle(source=source, raw=path.read_bytes(), report=report, label=path.name) == REFUSED:
            _move_file(path, folder / settings.DLXH_EMAIL_REFUSED_FOLDER)
    return report


def _handle(*, source, raw: bytes, report: FetchReport, label: str) -> str:
    message = None
    try:
        message = email_parse(raw)
        handled = inbound_message_handle(source=source, message=message)
    except PASSING_ERRORS:
        # One bad moment must not stop the others; the message stays to be read again.
        logger.exception("Email %s from source %s could not be handled; it will be read again", label, source.code)
        report.failed += 1
        return FAILED
    except Exception as exc:  # whatever this message does wrong, it is refused and the next ones are read
        return _refuse(source=source, raw=raw, message=message, exc=exc, report=report, label=label)
    if not handled.is_new:
        report.already_seen += 1
    elif handled.action == "intake":
        report.opened.append(handled.case.code)
    else:
        report.appended.append(handled.case.code)
    return HANDLED


def _refuse(*, source, raw, message, exc, report, label) -> str:
    expected = isinstance(exc, (MessageRefused, ValidationError, CaseError))
    if isinstance(exc, ValidationError):
        reason = " ".join(exc.messages)
    elif expected:
        reason = str(getattr(exc, "message", exc))
    else:
        reason = f"{type(exc).__name__}: {exc}"
    try:
        inbound_message_refuse(source=source, external_id=message.external_id if message else _raw_id(raw),
                               thread_id=message.thread_id if message else "", reason=reason)
    except PASSING_ERRORS:
        logger.exception("Email %s from source %s could not be recorded as refused", label, source.code)
        report.failed += 1
        return FAILED
    logger.warning("Email %s from source %s refused: %s", label, source.code, reason, exc_info=not expected)
    report.refused += 1
    return REFUSED


def _move_file(path: Path, folder: Path) -> None:
    try:
        folder.mkdir(exist_ok=True)
        path.rename(folder / path.name)
    except OSError:
        logger.warning("Refused email %s could not be moved to %s", path, folder)


def imap_tls_context() -> ssl.SSLContext:
    """Certificates and host names verified: the system's CAs, or only DLXH_IMAP_CA_FILE's when it is set."""
    return ssl.create_default_context(cafile=settings.DLXH_IMAP_CA_FILE or None)


def _connect(url: str):
    """`imaps://` TLS from the start; `imap://` upgraded with STARTTLS, or plain only with `?tls=off`."""
    parts = urlsplit(url)
    tls = parse_qs(parts.query).get("tls", ["on"])[-1]
    if tls not in ("on", "off") or (tls == "off" and parts.scheme == "imaps"):
        raise ValueError(f"mailbox URL: tls={tls} is not understood here (tls=off, on imap:// only)")
    if parts.scheme == "imaps":
        return imaplib.IMAP4_SSL(parts.hostname, parts.port or 993, ssl_context=imap_tls_context(),
                                 timeout=IMAP_TIMEOUT_SECONDS)
    client = imaplib.IMAP4(parts.hostname, parts.port or 143, timeout=IMAP_TIMEOUT_SECONDS)
    if tls == "on":
        client.starttls(ssl_context=imap_tls_context())  # refused: an error, never a silent plain login
    return client


def _fetch_imap(*, source: ChannelSource, url: str) -> FetchReport:
    """Unread messages of the folder; each is marked read once its case is committed, or moved once refused."""
    parts = urlsplit(url)
    client = _connect(url)
    report = FetchReport()
    try:
        client.login(unquote(parts.username or ""), unquote(parts.password or ""))
        client.select(_quoted(unquote(parts.path.lstrip("/")) or "INBOX"))
        _status, data = client.uid("SEARCH", None, "UNSEEN")
        for uid in (data[0] or b"").split():
            _status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
            if raw is None:
                continue
            outcome = _handle(source=source, raw=raw, report=report, label=f"UID {uid.decode()}")
            if outcome == HANDLED:
                client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            elif outcome == REFUSED:
                _move_message(client, uid, settings.DLXH_EMAIL_REFUSED_FOLDER)
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return report


def _move_message(client, uid: bytes, folder: str) -> None:
    """Out of the inbox into `folder` (created when missing); where MOVE is missing, copied and flagged."""
    target = _quoted(folder)
    client.create(target)  # "NO" when it exists already
    try:
        moved, _data = client.uid("MOVE", uid, target)
    except imaplib.IMAP4.error:
        moved = "NO"
    if moved != "OK":
        copied, _data = client.uid("COPY", uid, target)
        # Read (never searched again) and deleted from the inbox where the server could copy it.
        flags = "(\\Seen \\Deleted)" if copied == "OK" else "(\\Seen)"
        client.uid("STORE", uid, "+FLAGS", flags)
        if copied != "OK":
            logger.warning("Refused email UID %s could not be moved to %s; marked read instead", uid.decode(), folder)


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
