"""The development mailbox: in the embedded default, email is kept, one .eml file per message, never sent.

`DevMailboxBackend` is the email backend the settings choose when DEBUG is on and EMAIL_URL is unset; it
writes under EMAIL_FILE_PATH (VAR_DIR/mail). Any mail program opens the files; staff read them on the
page /dev/mailbox/ (web.views.dev_mailbox), which reads them back with the functions below.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

BACKEND = "notifications.dev_mailbox.DevMailboxBackend"
# What the backend names its files; anything else asked for by name is refused (no path tricks).
FILE_NAME = re.compile(r"^\d{8}-\d{6}-\d{6}-[0-9a-f]{8}\.eml$")


class DevMailboxBackend(BaseEmailBackend):
    def __init__(self, *, file_path=None, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.folder = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.eml"
            partial = self.folder / f".{name}.part"
            partial.write_bytes(message.message().as_bytes(linesep="\n"))
            partial.rename(self.folder / name)  # whole or not at all, for the page that lists them
        return len(email_messages)


def dev_mailbox_active() -> bool:
    return settings.EMAIL_BACKEND == BACKEND


def _folder() -> Path:
    return Path(settings.EMAIL_FILE_PATH)


@dataclass(frozen=True)
class StoredMail:
    name: str
    sent_at: datetime | None
    to: str
    subject: str
    body: str = ""


def _read(path: Path, *, with_body: bool) -> StoredMail:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes(), headersonly=not with_body)
    try:
        sent_at = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        sent_at = None
    body = ""
    if with_body:
        part = message.get_body(preferencelist=("plain", "html"))
        body = part.get_content() if part is not None else ""
    return StoredMail(name=path.name, sent_at=sent_at, to=str(message["To"] or ""),
                      subject=str(message["Subject"] or ""), body=body)


def dev_mailbox_list(*, limit: int = 200) -> list[StoredMail]:
    """The newest stored messages first (file names start with the time they were written)."""
    folder = _folder()
    if not folder.is_dir():
        return []
    names = sorted((p.name for p in folder.iterdir() if FILE_NAME.match(p.name)), reverse=True)[:limit]
    return [_read(folder / name, with_body=False) for name in names]


def dev_mailbox_get(*, name: str) -> StoredMail | None:
    path = _folder() / name
    if not FILE_NAME.match(name) or not path.is_file():
        return None
    return _read(path, with_body=True)
