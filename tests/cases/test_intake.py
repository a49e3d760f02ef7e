"""Intake: codes, anonymous reporters, encrypted contact data, attachments, bad input."""

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from cases.exceptions import PermissionDenied
from cases.models import Attachment, Case, CaseCodeCounter, CaseEvent, CaseReport, Reporter
from cases.services import ReporterInput, case_code_allocate, case_intake

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def intake(world, **overrides):
    fields = dict(
        by=world.clerk, title="Đường ngập nước", channel=world.channel, topic=world.topic, locality=world.hamlet_a
    )
    fields.update(overrides)
    return case_intake(**fields)


def test_case_code_is_human_readable_and_sequential(world):
    first, second = intake(world), intake(world)
    year = timezone.localtime(first.received_at).year
    assert re.fullmatch(rf"DL-{year}-\d{{6}}", first.code)
    # Numbers follow each other (on PostgreSQL a year's sequence outlives test databases' flushes, so the
    # first number of a test is not always 1).
    assert int(second.code[-6:]) == int(first.code[-6:]) + 1


def test_codes_continue_above_numbers_the_counter_already_issued(db):
    # A database that issued codes before the per-year sequence existed never issues them again.
    CaseCodeCounter.objects.create(year=2097, last_number=41)
    assert [case_code_allocate(year=2097) for _ in range(2)] == ["DL-2097-000042", "DL-2097-000043"]


def test_anonymous_intake_stores_no_reporter(world):
    case = intake(world)
    report = CaseReport.objects.get(case=case)
    assert report.reporter is None and report.is_representative
    assert Reporter.objects.count() == 0
    assert CaseEvent.objects.get(case=case).data["anonymous"] is True


def test_reporter_contact_is_encrypted_at_rest(world):
    case = intake(world, reporter=ReporterInput(full_name="Trần Thị Bình", phone="0987654321", email="binh@example.vn"))
    reporter = CaseReport.objects.get(case=case).reporter
    assert (reporter.full_name, reporter.phone) == ("Trần Thị Bình", "0987654321")
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, phone, email FROM cases_reporter WHERE id = %s", [reporter.pk])
        stored = cursor.fetchone()
    assert all(value and "Bình" not in value and "0987654321" not in value and "@" not in value for value in stored)


def test_blank_title_is_refused_and_nothing_is_written(world):
    with pytest.raises(ValidationError) as refused:
        intake(world, title="   ")
    assert refused.value.message_dict["title"] == ["Cần nhập tiêu đề."]
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_a_person_without_an_intake_role_cannot_log_cases(world):
    with pytest.raises(PermissionDenied):
        intake(world, by=world.handler)
    assert Case.objects.count() == 0


def test_intake_goes_to_the_clerks_own_unit(world):
    case = intake(world, by=world.clerk2, locality=world.hamlet_b)
    assert case.owner == world.commune_b


def test_attachments_are_stored_on_disk_with_their_digest(world, settings):
    case = intake(world, attachments=[
        SimpleUploadedFile("anh hien truong.png", PNG, content_type="image/png"),
        SimpleUploadedFile("don.pdf", PDF, content_type="application/pdf"),
    ])
    stored = list(Attachment.objects.filter(case=case).order_by("original_name"))
    assert [(a.original_name, a.content_type) for a in stored] == [
        ("anh hien truong.png", "image/png"), ("don.pdf", "application/pdf"),
    ]
    path = stored[0].file.path
    assert path.startswith(str(settings.MEDIA_ROOT)) and "anh hien truong" not in path
    with open(path, "rb") as handle:
        assert handle.read() == PNG


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bao-cao.pdf", b"MZ\x90\x00" + b"\x00" * 100, "an executable disguised as a PDF"),
        ("anh.png", PDF, "a PDF disguised as an image"),
        ("ghi-chu.txt", b"\x00\x01\x02binary", "binary disguised as text"),
        ("script.html", b"<script>alert(1)</script>", "a type that is not accepted"),
    ],
)
def test_disguised_or_unaccepted_files_are_refused_and_no_case_is_created(world, name, content, reason):
    with pytest.raises(ValidationError) as refused:
        intake(world, attachments=[SimpleUploadedFile(name, content)])
    assert "không thuộc loại được chấp nhận" in refused.value.message_dict["attachments"][0], reason
    assert Case.objects.count() == 0 and Attachment.objects.count() == 0


def test_oversized_attachment_is_refused(world, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        intake(world, attachments=[SimpleUploadedFile("lon.pdf", PDF + b"0" * 2048)])
    assert "quá lớn" in refused.value.message_dict["attachments"][0]
    assert Case.objects.count() == 0


def test_path_traversal_names_are_kept_only_as_a_plain_name(world, settings):
    case = intake(world, attachments=[SimpleUploadedFile("../../etc/passwd.png", PNG)])
    attachment = Attachment.objects.get(case=case)
    assert attachment.original_name == "passwd.png"
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))


def test_zip_archives_are_not_accepted(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "0" * 10000)
    with pytest.raises(ValidationError):
        intake(world, attachments=[SimpleUploadedFile("tai-lieu.zip", buffer.getvalue())])


def test_a_reception_time_far_in_the_past_is_refused(world):
    import datetime

    with pytest.raises(ValidationError) as refused:
        intake(world, received_at=datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc))
    assert "received_at" in refused.value.message_dict
    assert Case.objects.count() == 0


def test_a_nul_character_gets_a_field_error_and_nothing_is_written(world):
    with pytest.raises(ValidationError) as refused:
        intake(world, title="Đường\x00 ngập")
    assert refused.value.message_dict["title"] == ["Nội dung có ký tự không hợp lệ."]
    assert Case.objects.count() == 0
