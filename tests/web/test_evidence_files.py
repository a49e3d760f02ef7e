"""Files on orient and resolve, public resolution files, thumbnails and previews, through the real URLs."""

import hashlib
import io

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from cases.audit import audit_verify
from cases.models import Attachment, Case, CaseEvent
from cases.services import attachment_add, attachment_thumbnail_make, case_assign, case_orient, case_verify
from cases.tasks import attachment_thumbnail


def _png(size=(800, 600), color="blue") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def _pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), "red").save(out, "PDF")  # Pillow writes a one-page PDF
    return out.getvalue()


def _upload(name, content, content_type):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def assigned(world, new_case):
    """A case of commune A assigned to its handler; `.secret` opens its public page."""
    case = new_case()
    secret = case.public_secret
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a, assignee=world.handler)
    case.secret = secret
    return case


@pytest.fixture
def oriented(world, assigned):
    """The same case after its public response: ready to resolve."""
    case_orient(case=assigned, by=world.handler, response="Đã thông báo lịch nạo vét")
    return assigned


@pytest.fixture
def thumbnails_run(monkeypatch, django_capture_on_commit_callbacks):
    """Run the thumbnail task in the request's place once its transaction commits (as a worker would)."""
    monkeypatch.setattr(attachment_thumbnail, "apply_async", lambda args, **kwargs: attachment_thumbnail(*args))
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _resolve(client, case, *, outcome="Đã nạo vét rãnh thoát nước", files=(), public_files=()):
    return client.post(f"/cases/{case.code}/move/resolve/", {
        "resolve-outcome": outcome, "resolve-files": list(files), "resolve-public_files": list(public_files)})


def _public_page(case):
    return Client(HTTP_ACCEPT_LANGUAGE="vi").post("/tra-cuu/", {"code": case.code, "secret": case.secret})


def test_orient_keeps_its_files_internal_tied_to_its_event_which_lists_them(world, as_user, assigned, text):
    pdf = _pdf()
    client = as_user("handler")
    posted = client.post(f"/cases/{assigned.code}/move/orient/", {
        "orient-response": "Đã thông báo lịch nạo vét", "orient-files": [_upload("cong-van.pdf", pdf, "application/pdf")]})
    assert posted.status_code == 302
    attachment = Attachment.objects.get(case=assigned)
    event = CaseEvent.objects.get(case=assigned, action="orient")
    assert (attachment.event, attachment.is_public, attachment.content_type) == (event, False, "application/pdf")
    assert event.data["files"] == [{"name": "cong-van.pdf", "size": len(pdf), "sha256": hashlib.sha256(pdf).hexdigest()}]
    page = client.get(f"/cases/{assigned.code}/")
    grid = text(page.content.decode().split('data-testid="attachments"')[1].split("</ul>")[0])
    assert "cong-van.pdf" in grid and "Định hướng, trả lời" in grid and "Công khai" not in grid
    assert "Tệp đính kèm: cong-van.pdf" in text(page.content.decode().split('data-testid="timeline"')[1])
    assert audit_verify(case_ids=[assigned.pk]).ok


def test_a_public_resolution_file_shows_on_the_public_page_and_an_internal_one_does_not(
        world, as_user, oriented, text):
    photo, report = _png(), _pdf()
    posted = _resolve(as_user("handler"), oriented, files=[_upload("bien-ban-noi-bo.pdf", report, "application/pdf")],
                      public_files=[_upload("ranh-da-sua.png", photo, "image/png")])
    assert posted.status_code == 302
    assert Case.objects.get(pk=oriented.pk).status == "resolved"
    event = CaseEvent.objects.get(case=oriented, action="resolve")
    assert [(f["name"], f.get("public", False)) for f in event.data["files"]] == [
        ("bien-ban-noi-bo.pdf", False), ("ranh-da-sua.png", True)]

    public = _public_page(oriented)
    seen = text(public)
    assert "Hình ảnh, tệp kết quả" in seen and "ranh-da-sua.png" in seen and "bien-ban-noi-bo.pdf" not in seen
    link = public.content.decode().split('data-testid="public-files"')[1].split('href="')[1].split('"')[0]
    opened = Client().get(link)
    assert opened.status_code == 200 and b"".join(opened.streaming_content) == photo
    assert opened["Content-Type"] == "image/png"


def test_a_public_file_link_cannot_be_forged_or_bent_to_an_internal_file(world, as_user, oriented):
    _resolve(as_user("handler"), oriented, files=[_upload("noi-bo.pdf", _pdf(), "application/pdf")],
             public_files=[_upload("anh.png", _png(), "image/png")])
    internal = Attachment.objects.get(case=oriented, is_public=False)
    signed_internal = signing.TimestampSigner(salt="web.public-file").sign(str(internal.pk))
    assert Client().get(f"/tra-cuu/tep/{signed_internal}/").status_code == 404
    public = Attachment.objects.get(case=oriented, is_public=True)
    assert Client().get(f"/tra-cuu/tep/{public.pk}:forged/").status_code == 404
    assert Client().get(f"/tra-cuu/tep/{signing.Signer().sign(str(public.pk))}/").status_code == 404  # another salt


def test_a_refused_file_on_resolve_says_why_and_changes_nothing(world, as_user, oriented, text):
    before = Case.objects.get(pk=oriented.pk)
    response = _resolve(as_user("handler"), oriented,
                        public_files=[_upload("anh.png", b"MZ\x90\x00 not an image", "image/png")])
    assert response.status_code == 400
    assert "Tệp “anh.png” không thuộc loại được chấp nhận." in text(response)
    after = Case.objects.get(pk=oriented.pk)
    assert (after.status, after.version, after.event_count) == (before.status, before.version, before.event_count)
    assert not Attachment.objects.filter(case=oriented).exists()


def test_thumbnails_of_a_png_and_a_pdf_are_made_in_the_background_and_previewed(
        world, as_user, oriented, thumbnails_run):
    client = as_user("handler")
    with thumbnails_run():
        _resolve(client, oriented, files=[_upload("bien-ban.pdf", _pdf(), "application/pdf")],
                 public_files=[_upload("ranh.png", _png(), "image/png")])
    page = client.get(f"/cases/{oriented.code}/").content.decode()
    for attachment in Attachment.objects.filter(case=oriented):
        assert attachment.thumbnail.name == f"{attachment.file.name}.thumb.jpg"  # beside the file
        url = f"/cases/{oriented.code}/attachments/{attachment.pk}/preview/"
        assert f'src="{url}"' in page
        preview = client.get(url)
        assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
        image = Image.open(io.BytesIO(b"".join(preview.streaming_content)))
        assert image.format == "JPEG" and max(image.size) == 320
        full = client.get(f"/cases/{oriented.code}/attachments/{attachment.pk}/?inline=1")
        assert full.status_code == 200 and full["Content-Disposition"].startswith("inline")
    pdf_preview = Attachment.objects.get(case=oriented, content_type="application/pdf")
    red = Image.open(pdf_preview.thumbnail.open("rb")).convert("RGB").getpixel((100, 100))
    assert red[0] > 200 and red[1] < 60  # the PDF's page, rendered
    public = _public_page(oriented).content.decode()
    assert "/xem-truoc/" in public.split('data-testid="public-files"')[1]


def test_another_communes_preview_and_download_answer_not_found(world, as_user, oriented, new_case, thumbnails_run):
    with thumbnails_run():
        _resolve(as_user("handler"), oriented, files=[_upload("ranh.png", _png(), "image/png")])
    attachment = Attachment.objects.get(case=oriented)
    assert attachment.thumbnail
    preview = f"/cases/{oriented.code}/attachments/{attachment.pk}/preview/"
    download = f"/cases/{oriented.code}/attachments/{attachment.pk}/"
    for url in (preview, download):
        assert as_user("clerk2").get(url).status_code == 404
        assert as_user("handler").get(url).status_code == 200
    other = new_case("Vụ việc khác")
    assert as_user("clerk").get(f"/cases/{other.code}/attachments/{attachment.pk}/preview/").status_code == 404
    assert Client().get(preview).status_code == 302  # to the login page


def test_a_damaged_image_gets_no_thumbnail_and_a_second_run_changes_nothing(world, assigned):
    case_orient(case=assigned, by=world.handler, response="Đã trả lời",
                files=[_upload("hong.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")])
    damaged = Attachment.objects.get(case=assigned)
    assert attachment_thumbnail_make(attachment_id=damaged.pk) is False and not damaged.thumbnail
    fine = attachment_add(case=assigned, by=world.handler, uploaded_file=_upload("ranh.png", _png(), "image/png"))
    assert attachment_thumbnail_make(attachment_id=fine.pk) is True
    first = Attachment.objects.get(pk=fine.pk).thumbnail.name
    assert attachment_thumbnail_make(attachment_id=fine.pk) is True
    assert Attachment.objects.get(pk=fine.pk).thumbnail.name == first


def test_the_command_makes_the_thumbnails_still_missing_and_a_second_run_finds_none(world, assigned):
    from django.core.management import call_command

    kept = attachment_add(case=assigned, by=world.handler, uploaded_file=_upload("anh.png", _png(), "image/png"))
    attachment_add(case=assigned, by=world.handler, uploaded_file=_upload("ghi-chu.txt", b"van ban", "text/plain"))
    out = io.StringIO()
    call_command("attachment_thumbnails", stdout=out)
    assert out.getvalue().strip() == "1 of 1 files without a thumbnail now have one."
    assert Attachment.objects.get(pk=kept.pk).thumbnail
    call_command("attachment_thumbnails", stdout=out)
    assert out.getvalue().strip().endswith("0 of 0 files without a thumbnail now have one.")
