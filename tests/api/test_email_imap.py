"""The email channel against a real IMAP server (Dovecot on loopback, started here): nothing is lost.

Messages are put in with IMAP APPEND and read by `email_fetch` over verified TLS, as in production.
"""

import base64
import imaplib
import logging
import ssl
import uuid
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import translation

from api.adapters import email as email_adapter
from api.adapters.email import email_fetch
from api.models import ChannelSource, InboundMessage
from cases.models import Case, CaseEvent, Channel
from cases.validation import DESCRIPTION_MAX_CHARS
from tests.api.dovecot import dovecot_server

pytestmark = [pytest.mark.django_db, pytest.mark.dovecot]

FIXTURES = Path(__file__).parent / "fixtures" / "email"
WATER = "Phản ánh: nước sinh hoạt thôn Đông có mùi lạ"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def imap_server():
    with dovecot_server() as server:
        yield server


@pytest.fixture(autouse=True)
def _language_restored():
    """A request in English leaves English active in this thread; the next test must not inherit it."""
    before = translation.get_language()
    yield
    translation.activate(before) if before else translation.deactivate()


@pytest.fixture
def folder():
    """A folder of the mailbox for this test alone."""
    return f"hop-thu-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def mailbox(world, imap_server, folder, settings):
    settings.DLXH_IMAP_CA_FILE = str(imap_server.ca_file)
    settings.DLXH_EMAIL_REFUSED_FOLDER = f"{folder}-refused"
    channel, _ = Channel.objects.get_or_create(code="email", defaults={"name": "Thư điện tử"})
    return ChannelSource.objects.create(
        code="hop-thu-xa-a", name="Hộp thư tiếp nhận xã A", kind=ChannelSource.Kind.EMAIL, channel=channel,
        acts_as=world.clerk, default_topic=world.topic, default_locality=world.hamlet_a,
        mailbox=imap_server.url(folder),
    )


def mail(subject="Đèn đường khu chợ bị hỏng", text="Ba bóng đèn không sáng từ tuần trước.", *, message_id=None,
         sender='"Lê Văn Cường" <cuong@example.vn>', html=None, files=(), **headers) -> bytes:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = "tiepnhan@example.vn"
    if subject:
        message["Subject"] = subject
    message["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@example.vn>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if html is not None:
        message.set_content(html, subtype="html")
    elif text:
        message.set_content(text)
    for name, content, (maintype, subtype) in files:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def source_now(mailbox):
    return ChannelSource.objects.get(pk=mailbox.pk)


def test_every_encoding_attachments_and_threads_come_in_once(mailbox, imap_server, folder):
    imap_server.append(folder, *(path.read_bytes() for path in sorted(FIXTURES.glob("*.eml"))))

    first = email_fetch(source=source_now(mailbox))

    assert (len(first.opened), first.failed, first.refused) == (4, 0, 0)
    water = Case.objects.get(title=WATER)
    assert first.appended == [water.code]  # the reply, by In-Reply-To
    assert {a.original_name for a in water.attachments.all()} == {"Biên bản họp thôn.pdf", "Ảnh bể nước.jpg"}
    legacy = Case.objects.get(title="Đường liên thôn xuống cấp, nhiều ổ gà")
    assert legacy.description == "Đoạn đường từ thôn Đông sang thôn Đoài có nhiều ổ gà, trời mưa rất nguy hiểm."
    assert legacy.reports.get().reporter.full_name == "Trần Thị Bình"
    assert imap_server.uids(folder, "UNSEEN") == []

    # A case code in the subject, without In-Reply-To, follows that case too.
    imap_server.append(folder, mail(f"Bổ sung cho vụ việc {legacy.code}", "Đã có thêm hai ổ gà mới."))
    second = email_fetch(source=source_now(mailbox))
    assert (second.opened, second.appended) == ([], [legacy.code])

    # Read again (every message unread once more, as after a server migration): nothing new.
    imap_server.mark_unread(folder)
    before = (Case.objects.count(), CaseEvent.objects.count(), InboundMessage.objects.count())
    again = email_fetch(source=source_now(mailbox))
    assert (again.opened, again.appended, again.already_seen) == ([], [], 6)
    assert (Case.objects.count(), CaseEvent.objects.count(), InboundMessage.objects.count()) == before


def test_two_message_ids_sharing_their_first_255_characters_are_two_cases(mailbox, imap_server, folder):
    common = "a" * 300
    first_id, second_id = f"<{common}.1@example.vn>", f"<{common}.2@example.vn>"
    imap_server.append(folder, mail("Rác thải ở chợ", message_id=first_id),
                       mail("Nước thải ở kênh", message_id=second_id))

    report = email_fetch(source=source_now(mailbox))
    assert len(report.opened) == 2
    assert set(Case.objects.values_list("title", flat=True)) == {"Rác thải ở chợ", "Nước thải ở kênh"}

    # A reply to the second one follows the second case, not the first.
    imap_server.append(folder, mail("Re: Nước thải ở kênh", "Vẫn còn mùi.", In_Reply_To=second_id,
                                    References=second_id))
    reply = email_fetch(source=source_now(mailbox))
    assert reply.appended == [Case.objects.get(title="Nước thải ở kênh").code]
    imap_server.mark_unread(folder)
    assert email_fetch(source=source_now(mailbox)).already_seen == 3
    assert Case.objects.count() == 2


def test_refused_attachments_are_named_in_the_history(mailbox, imap_server, folder, settings, as_user):
    settings.ATTACHMENT_MAX_BYTES = 50_000  # an over-size PDF without 25 MB of test data
    long_name = ("biên-bản-họp-thôn-" * 20)[:300] + ".pdf"  # 304 characters
    imap_server.append(folder, mail("Hồ sơ kèm theo", files=[
        ("anh.png", PNG, ("image", "png")),
        ("chuong-trinh.exe", b"MZ\x90\x00" + bytes(200), ("application", "octet-stream")),
        ("bao-cao.pdf", PDF + bytes(60_000), ("application", "pdf")),
        (long_name, PDF, ("application", "pdf")),
    ]))

    email_fetch(source=source_now(mailbox))

    case = Case.objects.get(title="Hồ sơ kèm theo")
    assert [a.original_name for a in case.attachments.all()] == ["anh.png"]
    event = CaseEvent.objects.get(case=case, action="attachments_refused")
    assert event.data["refused"] == [
        {"name": "chuong-trinh.exe", "reason": "type"},
        {"name": "bao-cao.pdf", "reason": "too_large"},
        {"name": long_name, "reason": "name_too_long"},
    ]
    page = as_user("clerk").get(f"/cases/{case.code}/").content.decode()
    assert "Tệp đính kèm không được nhận" in page
    assert "chuong-trinh.exe (loại tệp không được chấp nhận); bao-cao.pdf (quá lớn)" in page
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(case.created_by)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = english.get(f"/cases/{case.code}/").content.decode()
    assert "Attachments not accepted" in page
    assert "chuong-trinh.exe (type not accepted); bao-cao.pdf (too large)" in page
    assert f"{long_name} (file name too long)" in page


def test_html_only_mail_becomes_the_text_a_reader_sees(mailbox, imap_server, folder):
    html = (
        "<html><head><title>Thư góp ý</title><style>p { color: red; font-family: Arial }</style>"
        "<script>var tracker = 'x';</script></head><body>"
        "<p>Đề nghị sửa <b>cầu</b> thôn Đông.</p><!-- mẫu thư -->"
        "<ul><li>Lan can gãy</li><li>Mặt cầu lún</li></ul><p>Trân trọng &amp; cảm ơn.</p>"
        "<script>alert('x')</script></body></html>"
    )
    imap_server.append(folder, mail("Góp ý: sửa cầu", html=html))

    email_fetch(source=source_now(mailbox))

    description = Case.objects.get(title="Góp ý: sửa cầu").description
    assert description == "Đề nghị sửa cầu thôn Đông.\n\n  * Lan can gãy\n  * Mặt cầu lún\n\nTrân trọng & cảm ơn."
    for leftover in ("color", "tracker", "alert", "Thư góp ý", "<", "mẫu thư"):
        assert leftover not in description


def test_a_long_mail_keeps_its_first_part_with_a_note_and_the_whole_mail_attached(mailbox, imap_server, folder):
    paragraph = "Người dân thôn Đông phản ánh nước sinh hoạt có mùi lạ và màu vàng đục kéo dài nhiều ngày. "
    text = paragraph * 400  # about 37,000 characters
    imap_server.append(folder, mail("Phản ánh dài về nước sạch", text))
    received = imap_server.raw(folder, imap_server.uids(folder)[0])

    email_fetch(source=source_now(mailbox))

    case = Case.objects.get(title="Phản ánh dài về nước sạch")
    assert len(case.description) <= DESCRIPTION_MAX_CHARS
    head, _, note = case.description.partition("\n\n[…] ")
    assert text.startswith(head) and len(head) > DESCRIPTION_MAX_CHARS - 300
    assert f"Nội dung dài {len(text.strip())} ký tự" in note and "thu-goc.eml" in note
    kept = case.attachments.get()
    assert (kept.original_name, kept.content_type) == ("thu-goc.eml", "message/rfc822")
    with kept.file.open("rb") as stored:
        assert stored.read() == received  # the whole mail, byte for byte


def test_a_sender_in_one_encoded_word_and_an_encoded_subject_are_decoded(mailbox, imap_server, folder):
    sender = base64.b64encode("Nguyễn Thị Hoa <hoa@example.vn>".encode()).decode()
    raw = (
        f"From: =?UTF-8?B?{sender}?=\r\nTo: tiepnhan@example.vn\r\n"
        "Subject: =?utf-8?q?C=C3=A2y_=C4=91=E1=BB=95_ch=E1=BA=AFn_=C4=91=C6=B0=E1=BB=9Dng?=\r\n"
        "Message-ID: <one-word@example.vn>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Cây đổ sau bão.\r\n"
    ).encode()
    imap_server.append(folder, raw)

    email_fetch(source=source_now(mailbox))

    case = Case.objects.get()
    assert case.title == "Cây đổ chắn đường"
    reporter = case.reports.get().reporter
    assert (reporter.full_name, reporter.email) == ("Nguyễn Thị Hoa", "hoa@example.vn")


def test_a_refused_message_is_moved_reported_and_not_read_again(mailbox, imap_server, folder, settings, caplog):
    imap_server.append(folder, mail(subject="", text=""), mail("Đèn đường hỏng"))

    with caplog.at_level(logging.WARNING, logger="api.email"):
        report = email_fetch(source=source_now(mailbox))

    assert (len(report.opened), report.refused, report.failed) == (1, 1, 0)
    refused = InboundMessage.objects.get(action=InboundMessage.Action.REFUSED)
    assert refused.case is None and refused.reason == "Thư không có tiêu đề, nội dung hay tệp đính kèm."
    assert any(r.levelno == logging.WARNING and "refused" in r.getMessage() for r in caplog.records)
    assert len(imap_server.uids(folder)) == 1  # the case's message, read
    assert len(imap_server.uids(settings.DLXH_EMAIL_REFUSED_FOLDER)) == 1

    again = email_fetch(source=source_now(mailbox))
    assert (again.opened, again.refused, again.already_seen) == ([], 0, 0)


def test_a_message_refused_for_the_sources_setup_comes_in_once_moved_back(mailbox, imap_server, folder, settings):
    mailbox.default_topic.is_active = False  # an administrator retired the source's topic
    mailbox.default_topic.save()
    imap_server.append(folder, mail("Cống bị tắc"))

    assert email_fetch(source=source_now(mailbox)).refused == 1
    assert InboundMessage.objects.get().reason == "Lĩnh vực này không còn sử dụng."
    assert not Case.objects.exists()

    # Fixed, and the message moved back to the inbox: it is read again, once.
    mailbox.default_topic.is_active = True
    mailbox.default_topic.save()
    imap_server.move_all(settings.DLXH_EMAIL_REFUSED_FOLDER, folder)
    report = email_fetch(source=source_now(mailbox))
    assert (len(report.opened), report.refused) == (1, 0)
    row = InboundMessage.objects.get()
    assert (row.action, row.reason, row.case.title) == ("intake", "", "Cống bị tắc")


def test_a_passing_failure_leaves_the_message_unread_for_the_next_fetch(mailbox, imap_server, folder, monkeypatch):
    imap_server.append(folder, mail("Rác ở chợ", message_id="<cho@example.vn>"),
                       mail("Đèn hỏng", message_id="<den@example.vn>"))
    real_handle = email_adapter.inbound_message_handle

    def database_down_for_the_lamp(*, source, message):
        if message.external_id == "<den@example.vn>":
            raise OperationalError("server closed the connection unexpectedly")
        return real_handle(source=source, message=message)

    monkeypatch.setattr(email_adapter, "inbound_message_handle", database_down_for_the_lamp)
    first = email_fetch(source=source_now(mailbox))
    assert (len(first.opened), first.failed, first.refused) == (1, 1, 0)
    assert len(imap_server.uids(folder, "UNSEEN")) == 1

    monkeypatch.setattr(email_adapter, "inbound_message_handle", real_handle)
    second = email_fetch(source=source_now(mailbox))
    assert (len(second.opened), second.failed) == (1, 0)
    assert imap_server.uids(folder, "UNSEEN") == []


def test_an_untrusted_certificate_is_refused_unless_its_ca_is_configured(mailbox, imap_server, folder, settings):
    imap_server.append(folder, mail("Đường ngập"))
    settings.DLXH_IMAP_CA_FILE = ""  # the system's CAs only: the private CA is unknown

    for url in (imap_server.url(folder), imap_server.url(folder, scheme="imap")):  # TLS, then STARTTLS
        with pytest.raises(ssl.SSLCertVerificationError):
            email_fetch(source=source_now(mailbox), location=url)
    assert not Case.objects.exists() and len(imap_server.uids(folder, "UNSEEN")) == 1

    settings.DLXH_IMAP_CA_FILE = str(imap_server.ca_file)
    assert len(email_fetch(source=source_now(mailbox), location=imap_server.url(folder, scheme="imap")).opened) == 1
    # Plain IMAP only when the URL asks for it, and never with imaps://.
    imap_server.append(folder, mail("Đường ngập lần hai"))
    plain = imap_server.url(folder, scheme="imap", query="tls=off")
    assert len(email_fetch(source=source_now(mailbox), location=plain).opened) == 1
    with pytest.raises(ValueError):
        email_fetch(source=source_now(mailbox), location=imap_server.url(folder, query="tls=off"))
    with pytest.raises(imaplib.IMAP4.error):  # a wrong password is an error, not an empty mailbox
        email_fetch(source=source_now(mailbox), location=imap_server.url(folder).replace(":mat-khau-thu@", ":sai@"))
