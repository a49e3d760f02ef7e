"""Hostile input: archive bombs, hostile file names, HTML and script in every text field,
spreadsheet formulas in exports, SQL-looking filters, oversized bodies. Each is refused with a
clear 4xx (or shown as harmless text) and changes nothing.

Covered elsewhere and not repeated here: files disguised by their extension and oversized files
(tests/cases/test_intake.py, tests/web/test_intake.py), fuzzing of the whole API against its
OpenAPI schema (tests/api/test_schema.py, schemathesis).
"""

import csv
import io
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.audit import audit_verify
from cases.models import Attachment, Case, CaseEvent
from cases.services import (
    ReporterInput,
    attachment_add,
    case_assign,
    case_intake,
    case_orient,
    case_resolve,
    case_verify,
    reporter_reveal,
)
from cases.upload_checks import FALLBACK_NAME, upload_check_archive, upload_safe_name
from tests.api.conftest import person_token

MB = 1024 * 1024


# --- archives: bombs, traversal, corrupt files -------------------------------------------------


def office_zip(members: dict[str, bytes | int], *, suffix=".docx") -> SimpleUploadedFile:
    """A zip laid out like an Office file; an int member is that many zero bytes, written in chunks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        for name, content in members.items():
            if isinstance(content, int):
                with archive.open(name, "w", force_zip64=True) as member:
                    chunk = b"\x00" * MB
                    for _ in range(content // MB):
                        member.write(chunk)
            else:
                archive.writestr(name, content)
    return SimpleUploadedFile(f"tai-lieu{suffix}", buffer.getvalue())


@pytest.fixture
def check(monkeypatch):
    """`check(upload)` runs the archive check while any read of a member's content fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the check inflated an archive member")

    def run(upload):
        with monkeypatch.context() as patched:
            patched.setattr(zipfile.ZipFile, "open", refuse)
            patched.setattr(zipfile.ZipFile, "read", refuse)
            upload_check_archive(name=upload.name, uploaded_file=upload)

    return run


def test_an_ordinary_office_file_passes(check):
    upload = office_zip({"word/document.xml": b"<w:document>" + "Biên bản họp thôn. ".encode() * 500 + b"</w:document>"})
    check(upload)
    assert upload.tell() == 0  # left ready to be stored


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_a_zip_bomb_is_refused_from_its_declared_sizes_without_inflating_it(suffix, check):
    bomb = office_zip({"word/document.xml": 150 * MB}, suffix=suffix)  # ~150 KB on the wire
    assert bomb.size < MB
    with pytest.raises(ValidationError) as refused:
        check(bomb)
    assert "khi giải nén quá lớn" in refused.value.message_dict["attachments"][0]


def test_a_member_compressed_like_a_bomb_is_refused_even_under_the_total(settings, check):
    settings.ATTACHMENT_MAX_UNCOMPRESSED_BYTES = 500 * MB
    bomb = office_zip({"xl/worksheets/sheet1.xml": 20 * MB}, suffix=".xlsx")
    with pytest.raises(ValidationError) as refused:
        check(bomb)
    assert "nghi là bom nén" in refused.value.message_dict["attachments"][0]


@pytest.mark.parametrize("member", ["../../etc/cron.d/evil", "/etc/passwd", "C:\\Windows\\evil.dll", "word/../../x"])
def test_an_archive_whose_members_escape_the_folder_is_refused(member, check):
    upload = office_zip({member: b"x"})
    with pytest.raises(ValidationError) as refused:
        check(upload)
    assert "đường dẫn không hợp lệ" in refused.value.message_dict["attachments"][0]


def test_an_archive_of_too_many_members_is_refused(check):
    upload = office_zip({f"word/media/{n}.xml": b"" for n in range(5001)})
    with pytest.raises(ValidationError, match="quá nhiều thành phần"):
        check(upload)


@pytest.mark.parametrize("content", [b"PK\x03\x04 broken", b"not a zip at all", b""])
def test_a_corrupt_office_file_is_refused(content):
    with pytest.raises(ValidationError, match="bị hỏng"):
        upload_check_archive(name="hong.docx", uploaded_file=SimpleUploadedFile("hong.docx", content))


def test_an_intake_with_a_zip_bomb_attached_is_refused_and_logs_nothing(world, as_user):
    bomb = office_zip({"word/document.xml": 150 * MB})
    bomb.name = "bien-ban.docx"
    answer = as_user("clerk").post("/cases/new/", {
        "title": "Nước bẩn", "channel": "hotline", "topic": "MT", "locality": "P-A-T1", "priority": "normal",
        "anonymous": "on", "attachments": [bomb],
    })
    assert answer.status_code == 400 and "khi giải nén quá lớn" in answer.content.decode()
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_other_files_are_not_opened_as_archives():
    upload_check_archive(name="anh.png", uploaded_file=SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64))


# --- file names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("..\\..\\Windows\\win.ini.txt", "win.ini.txt"),
        ("C:\\Users\\a\\Desktop\\bien-ban.pdf", "bien-ban.pdf"),
        ("bao\x00cao\r\n.pdf", "baocao.pdf"),
        ("..", FALLBACK_NAME),
        ("", FALLBACK_NAME),
        (".htaccess", "htaccess"),
        ("a" * 400 + ".pdf", "a" * 255),
        ("Bie\u0302\u0301n ba\u0309n.pdf", "Biến bản.pdf"),  # decomposed diacritics → one form
    ],
)
def test_upload_names_keep_only_a_plain_file_name(given, kept):
    assert upload_safe_name(given) == kept


@pytest.mark.parametrize("given", ["../../../../tmp/x.png", "..\\..\\Windows\\x.png", "x\x00.png"])
def test_a_traversal_name_never_reaches_the_disk_path(world, new_case, settings, given):
    case = new_case()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
    stored = attachment_add(case=case, by=world.clerk, uploaded_file=SimpleUploadedFile(given, png))
    assert stored.file.path.startswith(str(settings.MEDIA_ROOT / "attachments"))
    assert ".." not in stored.file.name and stored.original_name == "x.png"


def test_html_in_a_text_file_is_served_as_a_download_never_as_a_page(world, new_case, as_user):
    case = new_case()
    attachment_add(case=case, by=world.clerk,
                   uploaded_file=SimpleUploadedFile("ghi-chu.txt", b"<script>alert(document.cookie)</script>"))
    attachment = case.attachments.get()
    answer = as_user("clerk").get(f"/cases/{case.code}/attachments/{attachment.pk}/")
    assert answer["Content-Type"].startswith("text/plain")
    assert answer["Content-Disposition"].startswith("attachment;")
    assert answer["X-Content-Type-Options"] == "nosniff"


# --- HTML and script in every text field ----------------------------------------------------------

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'&'


@pytest.fixture
def hostile_case(world):
    """A case whose every free-text field carries markup, taken through every step."""
    case = case_intake(
        by=world.clerk, title=f"T {XSS}", description=f"D {XSS}", channel=world.channel, topic=world.topic,
        locality=world.hamlet_a, external_ref="ref-<b>1</b>",
        reporter=ReporterInput(full_name=f"N {XSS}", phone="0900<i>", email="a@b.vn", address=f"A {XSS}"),
    )
    case_verify(case=case, by=world.clerk, note=f"verify {XSS}")
    case_assign(case=case, by=world.leader, unit=world.hamlet_a, assignee=world.hamlet_handler, note=f"assign {XSS}")
    case_orient(case=case, by=world.hamlet_handler, response=f"R {XSS}")
    case_resolve(case=case, by=world.hamlet_handler, outcome=f"O {XSS}")
    return case


def assert_escaped(html: str, where: str):
    assert "<script>alert" not in html, where
    assert "<img src=x onerror" not in html, where
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html, where


def test_markup_in_every_field_is_shown_as_text_on_every_screen(world, hostile_case, as_user):
    code = hostile_case.code
    screens = {
        "clerk": [f"/cases/{code}/", "/cases/?tab=all", f"/cases/?tab=all&q={XSS}"],
        "leader": [f"/cases/{code}/", "/dashboard/"],
        "inspector": ["/inspection/", f"/cases/{code}/audit/"],
    }
    for username, urls in screens.items():
        client = as_user(username)
        for url in urls:
            answer = client.get(url)
            assert answer.status_code == 200, url
            html = answer.content.decode()
            assert "<script>alert" not in html and "<img src=x onerror" not in html, url
    case_page = as_user("clerk").get(f"/cases/{code}/").content.decode()
    for text in (f"T {XSS}", f"D {XSS}", f"verify {XSS}", f"R {XSS}", f"O {XSS}"):
        assert_escaped(case_page, text)
    clerk = as_user("clerk")
    revealed = clerk.post(f"/cases/{code}/reveal/", {"reason": f"lý do {XSS}"}, follow=True).content.decode()
    assert_escaped(revealed, "revealed reporter")
    assert "N &lt;script&gt;" in revealed


def test_markup_on_the_public_status_page_is_shown_as_text(world, new_case):
    case = case_intake(by=world.clerk, title=f"T {XSS}", channel=world.channel, topic=world.topic,
                       locality=world.hamlet_a)
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.hamlet_a)
    case_orient(case=case, by=world.hamlet_handler, response=f"R {XSS}")
    answer = Client().post("/tra-cuu/", {"code": case.code, "secret": case.public_secret})
    assert answer.status_code == 200
    assert_escaped(answer.content.decode(), "public status")


def test_the_api_returns_markup_as_json_strings_never_as_html(world, hostile_case):
    client = Client(HTTP_AUTHORIZATION=f"Token {person_token(world.clerk)}")
    answer = client.get(f"/api/v1/cases/{hostile_case.code}/")
    assert answer["Content-Type"] == "application/json"
    assert answer.json()["title"] == f"T {XSS}"


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"])
def test_exports_neutralise_spreadsheet_formulas(world, new_case, as_user, formula):
    new_case(formula)
    body = b"".join([as_user("clerk").get("/cases/export.csv").content]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    titles = [row[2] for row in rows[1:]]
    assert titles == ["'" + formula]


@pytest.mark.parametrize("formula", ["\t=1+1", "\r=1+1"])
def test_exports_neutralise_formulas_hidden_behind_whitespace(world, new_case, as_user, formula):
    new_case(f"x{formula}")  # the service strips the title's ends, so put it in the middle...
    case = Case.objects.get()
    Case.objects.filter(pk=case.pk).update(title=formula)  # ...and as a stored title would come from an import
    body = as_user("clerk").get("/cases/export.csv").content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body)))[1][2].startswith("'")


def test_emails_are_plain_text_and_carry_markup_as_text(world, settings):
    from notifications.models import OutboxMessage
    from notifications.services import message_deliver

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.leader.email = "leader@example.vn"
    world.leader.save()
    case = case_intake(by=world.clerk, title=f"T {XSS}\r\nBcc: evil@example.com", channel=world.channel,
                       topic=world.topic, locality=world.hamlet_a)
    email_row = OutboxMessage.objects.get(notification__case=case, channel="email")
    assert message_deliver(message_id=email_row.pk).status == "sent"
    sent = mail.outbox[-1]
    assert sent.content_subtype == "plain" and not getattr(sent, "alternatives", [])
    assert f"T {XSS}" in sent.body
    assert sent.bcc == [] and "evil@example.com" not in sent.message()["To"]
    assert "Bcc" not in sent.message()


# --- SQL-looking filters and other hostile requests -------------------------------------------------

SQLISH = ["' OR 1=1 --", "received' OR '1'='1", "1; DROP TABLE cases_case; --", "\") UNION SELECT * FROM auth_user --"]


@pytest.fixture
def api_client(world):
    return Client(HTTP_AUTHORIZATION=f"Token {person_token(world.clerk)}")


@pytest.mark.parametrize("value", SQLISH)
def test_sql_looking_filters_get_a_400_or_nothing_and_change_nothing(world, new_case, api_client, value):
    mine = new_case()
    new_case(by=world.clerk2, locality=world.hamlet_b)  # another commune's case must never leak
    before = (Case.objects.count(), CaseEvent.objects.count())
    for name in ("status", "priority", "received_after", "overdue"):
        answer = api_client.get("/api/v1/cases/", {name: value})
        assert answer.status_code == 400 and answer.json()["code"] == "invalid", name
    for name in ("q", "owner", "locality", "topic"):
        answer = api_client.get("/api/v1/cases/", {name: value})
        assert answer.status_code in (200, 400), name
        if answer.status_code == 200:
            assert answer.json()["results"] == []  # no case's text or code matches
    assert api_client.get(f"/api/v1/cases/{value}/").status_code == 404
    web = Client()
    web.force_login(world.clerk)
    page = web.get("/cases/", {"tab": "all", "q": value, "status": value})
    assert page.status_code == 200 and world.clerk2.username not in page.content.decode()
    assert (Case.objects.count(), CaseEvent.objects.count()) == before
    assert Case.objects.get(pk=mine.pk).status == "received"


def test_a_body_over_the_request_limit_gets_a_4xx(world, api_client):
    huge = {"title": "x", "description": "y" * (3 * MB), "channel": "hotline", "topic": "MT", "locality": "P-A-T1"}
    answer = api_client.post("/api/v1/cases/", huge, content_type="application/json")
    assert answer.status_code in (400, 413)
    assert not Case.objects.exists()


@pytest.mark.parametrize("field", ["title", "description"])
def test_nul_and_control_characters_are_refused_at_every_interface(world, api_client, as_user, field):
    body = {"title": "Nước bẩn", "channel": "hotline", "topic": "MT", "locality": "P-A-T1", field: "Nước\x00bẩn"}
    answer = api_client.post("/api/v1/cases/", body, content_type="application/json")
    assert answer.status_code == 400 and field in answer.json()["errors"]
    web = as_user("clerk").post("/cases/new/", {
        "title": "Nước bẩn", "channel": "hotline", "topic": "MT", "locality": "P-A-T1", "priority": "normal",
        "anonymous": "on", field: "Nước\x00bẩn",
    })
    assert web.status_code == 400
    assert not Case.objects.exists()


def test_a_huge_title_gets_a_field_error_and_no_case(world, api_client):
    answer = api_client.post("/api/v1/cases/", {"title": "Đ" * 100_000, "channel": "hotline", "topic": "MT",
                                                 "locality": "P-A-T1"}, content_type="application/json")
    assert answer.status_code == 400 and "title" in answer.json()["errors"]
    assert not Case.objects.exists() and audit_verify().ok
