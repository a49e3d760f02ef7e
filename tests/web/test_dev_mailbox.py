"""The embedded default keeps email as files under var/mail instead of printing it; staff read it on /dev/mailbox/."""

import os
import subprocess
import sys
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse

from notifications.dev_mailbox import BACKEND


@pytest.fixture
def mailbox(settings, tmp_path):
    settings.EMAIL_BACKEND = BACKEND
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


def test_each_message_is_one_file_a_mail_program_opens(mailbox):
    with mail.get_connection() as connection:
        mail.EmailMessage("Vụ việc mới DL-1", "Nội dung một", to=["a@example.vn"], connection=connection).send()
        mail.EmailMessage("Vụ việc mới DL-2", "Nội dung hai", to=["b@example.vn"], connection=connection).send()
    files = sorted(mailbox.glob("*.eml"))
    assert len(files) == 2
    read = [BytesParser(policy=policy.default).parsebytes(path.read_bytes()) for path in files]
    assert {(m["Subject"], m["To"], m.get_content().strip()) for m in read} == {
        ("Vụ việc mới DL-1", "a@example.vn", "Nội dung một"), ("Vụ việc mới DL-2", "b@example.vn", "Nội dung hai"),
    }
    assert not list(mailbox.glob(".*"))  # no half-written file left behind


def test_staff_see_the_list_and_each_message(mailbox, world, client, text):
    mail.send_mail("Nhắc hạn vụ việc DL-7", "Thời hạn sắp hết.", None, ["leader@example.vn"])
    staff = world.administrator
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    listing = client.get(reverse("web:dev_mailbox"), HTTP_ACCEPT_LANGUAGE="vi")
    assert listing.status_code == 200
    assert "Nhắc hạn vụ việc DL-7" in text(listing) and "leader@example.vn" in text(listing)
    name = next(mailbox.glob("*.eml")).name
    opened = client.get(reverse("web:dev_mailbox_message", args=[name]))
    assert opened.status_code == 200 and "Thời hạn sắp hết." in text(opened)
    assert client.get(reverse("web:dev_mailbox_message", args=["..%2Fdb.sqlite3"])).status_code == 404


def test_others_and_real_email_get_no_mailbox(mailbox, world, client, settings):
    mail.send_mail("Vụ việc mới DL-8", "Nội dung.", None, ["x@example.vn"])
    assert client.get(reverse("web:dev_mailbox")).status_code == 404  # not logged in
    client.force_login(world.leader)
    assert client.get(reverse("web:dev_mailbox")).status_code == 404  # not staff
    world.leader.is_staff = True
    world.leader.save(update_fields=["is_staff"])
    assert client.get(reverse("web:dev_mailbox")).status_code == 200
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # real email configured
    assert client.get(reverse("web:dev_mailbox")).status_code == 404


def _email_backend(**environment) -> str:
    """The email backend the settings choose in a fresh process with exactly these variables."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                               "print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)"],
        env={**keep, "DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": "/tmp/dlxh-var-x", **environment},
        cwd=Path(django_settings.BASE_DIR), capture_output=True, text=True, check=True,
    )
    return result.stdout.split("\n")[-2]


def test_the_embedded_default_keeps_mail_and_email_url_sends_it():
    assert _email_backend() == f"{BACKEND} /tmp/dlxh-var-x/mail"
    assert _email_backend(EMAIL_URL="smtp://mail.example.vn:25").startswith("django.core.mail.backends.smtp.")
