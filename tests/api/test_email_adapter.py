"""The email channel on real .eml files: Vietnamese in several encodings, attachments, replies."""

import shutil
import unicodedata
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from api.adapters.email import email_fetch, email_parse
from api.models import ChannelSource, InboundMessage
from api.tasks import fetch_email
from cases.models import Case, CaseEvent, Channel

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "email"
WATER = "Phản ánh: nước sinh hoạt thôn Đông có mùi lạ"


@pytest.fixture
def mailbox(world, tmp_path):
    folder = tmp_path / "inbox"
    shutil.copytree(FIXTURES, folder)
    email_channel, _ = Channel.objects.get_or_create(code="email", defaults={"name": "Thư điện tử"})
    source = ChannelSource.objects.create(
        code="hop-thu-xa-a", name="Hộp thư tiếp nhận xã A", kind=ChannelSource.Kind.EMAIL, channel=email_channel,
        acts_as=world.clerk, default_topic=world.topic, default_locality=world.hamlet_a, mailbox=str(folder),
    )
    return source


def test_subjects_and_bodies_decode_from_every_encoding():
    expected = {
        "01-utf8-base64-with-pdf.eml": (WATER, "Nguyễn Văn An"),
        "02-reply-utf8-qp-with-jpeg.eml": (f"Re: {WATER}", "Nguyễn Văn An"),
        "03-windows-1258.eml": ("Đường liên thôn xuống cấp, nhiều ổ gà", "Trần Thị Bình"),
        "04-html-only-with-exe.eml": ("Góp ý: lắp thêm đèn chiếu sáng ngã ba", ""),
        "05-raw-utf8-headers-no-message-id.eml": ("Đèn đường khu chợ bị hỏng", "Lê Văn Cường"),
    }
    for name, (subject, sender) in expected.items():
        message = email_parse((FIXTURES / name).read_bytes())
        assert message.subject == subject, name
        assert message.sender.full_name == sender, name
        # Composed characters, as typed on a modern keyboard (windows-1258 arrives decomposed).
        assert unicodedata.is_normalized("NFC", message.text), name

    legacy = email_parse((FIXTURES / "03-windows-1258.eml").read_bytes())
    assert legacy.text == "Đoạn đường từ thôn Đông sang thôn Đoài có nhiều ổ gà, trời mưa rất nguy hiểm."
    html = email_parse((FIXTURES / "04-html-only-with-exe.eml").read_bytes())
    assert html.text == "Đề nghị lắp thêm đèn chiếu sáng tại ngã ba chợ.\n\nXin cảm ơn & trân trọng."


def test_a_mailbox_becomes_one_case_per_thread(mailbox):
    report = email_fetch(source=mailbox)

    assert len(report.opened) == 4 and report.failed == 0
    water = Case.objects.get(title=WATER)
    assert report.appended == [water.code]
    assert water.channel.code == "email"
    assert water.description.startswith("Kính gửi Đảng ủy xã An Bình,")
    assert set(Case.objects.values_list("title", flat=True)) == {
        WATER, "Đường liên thôn xuống cấp, nhiều ổ gà", "Góp ý: lắp thêm đèn chiếu sáng ngã ba",
        "Đèn đường khu chợ bị hỏng",
    }
    reporter = water.reports.get().reporter
    assert (reporter.full_name, reporter.email) == ("Nguyễn Văn An", "nguyenvanan@example.vn")


def test_attachments_are_kept_and_a_reply_is_appended(mailbox):
    email_fetch(source=mailbox)
    water = Case.objects.get(title=WATER)

    files = {a.original_name: a.content_type for a in water.attachments.all()}
    assert files == {"Biên bản họp thôn.pdf": "application/pdf", "Ảnh bể nước.jpg": "image/jpeg"}
    reply = CaseEvent.objects.get(case=water, action="message")
    assert "Nước vẫn còn đục." in reply.note
    assert reply.data["from_reporter"] is True  # same address as the first message
    assert (reply.from_status, reply.to_status) == ("received", "received")
    assert water.events.count() == 2


def test_a_refused_attachment_does_not_lose_the_message(mailbox):
    email_fetch(source=mailbox)
    case = Case.objects.get(title="Góp ý: lắp thêm đèn chiếu sáng ngã ba")
    assert not case.attachments.exists()  # the .exe was refused
    assert case.description == "Đề nghị lắp thêm đèn chiếu sáng tại ngã ba chợ.\n\nXin cảm ơn & trân trọng."
    refused = CaseEvent.objects.get(case=case, action="attachments_refused")
    assert refused.data["refused"] == [{"name": "chuong-trinh.exe", "reason": "type"}]


def test_reading_the_mailbox_again_changes_nothing(mailbox):
    email_fetch(source=mailbox)
    before = (Case.objects.count(), CaseEvent.objects.count())

    again = email_fetch(source=mailbox)
    assert (again.opened, again.appended, again.already_seen) == ([], [], 5)
    assert (Case.objects.count(), CaseEvent.objects.count()) == before


def _reply(folder, *, subject, message_id, text="Bổ sung thông tin."):
    raw = (
        f"From: cuong@example.vn\nTo: tiepnhan@example.vn\nSubject: {subject}\nMessage-ID: <{message_id}>\n"
        f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n{text}\n"
    )
    (folder / f"{message_id}.eml").write_bytes(raw.encode())


def test_a_case_code_in_the_subject_appends_only_to_a_case_the_source_may_see(mailbox, new_case, world, tmp_path):
    mine = new_case("Ô nhiễm tiếng ồn")
    elsewhere = new_case("Ngập úng", by=world.clerk2, locality=world.hamlet_b)
    folder = tmp_path / "more"
    folder.mkdir()
    _reply(folder, subject=f"Về vụ việc {mine.code}", message_id="a@x")
    _reply(folder, subject=f"Về vụ việc {elsewhere.code}", message_id="b@x")

    report = email_fetch(source=mailbox, location=str(folder))

    assert report.appended == [mine.code]
    assert len(report.opened) == 1 and report.opened[0] != elsewhere.code
    assert not CaseEvent.objects.filter(case=elsewhere, action="message").exists()


def test_the_command_reads_a_folder_and_reports(mailbox, capsys):
    call_command("fetch_email", "--source", mailbox.code, "--dir", str(FIXTURES))
    out = capsys.readouterr().out
    assert "hop-thu-xa-a: 4 vụ việc mới, 1 thư bổ sung, 0 thư đã đọc trước đó, 0 thư bị từ chối, 0 lỗi" in out
    with pytest.raises(CommandError):
        call_command("fetch_email", "--source", "no-such-source")


def test_the_periodic_task_reads_every_active_mailbox(mailbox, settings):
    assert settings.CELERY_BEAT_SCHEDULE["api-email-fetch"]["task"] == fetch_email.name
    assert fetch_email.apply().get() == 4
    assert fetch_email.apply().get() == 0
    assert InboundMessage.objects.filter(source=mailbox).count() == 5
