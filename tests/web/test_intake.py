"""Intake: one screen; the secret shown once; anonymity; attachments; duplicates suggested and merged."""

from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case, CaseReport

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _form(world, **extra):
    data = {
        "title": "Cống thoát nước bị tắc ở xóm Trại",
        "description": "Nước ứ đọng sau mưa.",
        "channel": world.channel.code,
        "topic": world.topic.code,
        "locality": f"{world.hamlet_a.name} ({world.hamlet_a.code})",
        "priority": "normal",
        "full_name": "Trần Thị B",
        "phone": "0987654321",
    }
    data.update(extra)
    return data


def test_the_intake_screen_offers_every_field(world, as_user, text):
    page = as_user("clerk").get("/cases/new/")
    assert page.status_code == 200
    seen = text(page)
    for label in ("Tiêu đề", "Kênh tiếp nhận", "Lĩnh vực", "Địa bàn", "Độ khẩn", "Ẩn danh", "Tệp đính kèm",
                  "Đường dây nóng", "Môi trường", "Hỏa tốc"):
        assert label in seen, label
    # The locality list holds the clerk's own area, not the other commune's.
    html = page.content.decode()
    assert world.hamlet_a.code in html and world.hamlet_b.code not in html


def test_a_person_without_an_intake_role_is_refused(world, as_user):
    assert as_user("handler").get("/cases/new/").status_code == 403


def test_logging_a_case_shows_the_secret_once_and_stores_the_attachment(world, as_user, text):
    client = as_user("clerk")
    upload = SimpleUploadedFile("anh-hien-truong.png", PNG, content_type="image/png")
    response = client.post("/cases/new/", {**_form(world), "attachments": [upload]})
    case = Case.objects.get(title="Cống thoát nước bị tắc ở xóm Trại")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.code}/"
    assert (case.status, case.locality, case.owner) == ("received", world.hamlet_a, world.commune_a)
    assert case.attachments.get().original_name == "anh-hien-truong.png"
    first = client.get(response["Location"])
    secret = first.content.decode().split('data-testid="new-secret">')[1].split("<")[0]
    assert len(secret) == 10 and "Mã bí mật chỉ hiện một lần" in text(first)
    assert "anh-hien-truong.png" in text(first)
    from cases.public_secret import public_secret_matches
    assert public_secret_matches(case=case, secret=secret)
    again = client.get(response["Location"])
    assert secret not in again.content.decode()


def test_anonymous_intake_keeps_no_reporter(world, as_user):
    client = as_user("clerk")
    client.post("/cases/new/", _form(world, anonymous="on", full_name="", phone=""))
    case = Case.objects.get(title="Cống thoát nước bị tắc ở xóm Trại")
    assert CaseReport.objects.get(case=case).reporter is None


def test_bad_input_shows_field_errors_and_logs_nothing(world, as_user, text):
    client = as_user("clerk")
    response = client.post("/cases/new/", _form(world, title="", locality="Nơi không có thật", full_name="", phone=""))
    assert response.status_code == 400
    seen = text(response)
    assert "Trường này là bắt buộc." in seen
    assert "Không tìm thấy địa bàn này trong phạm vi của bạn." in seen
    assert "Nhập thông tin người phản ánh, hoặc chọn “Ẩn danh”." in seen
    assert not Case.objects.exists()


def test_a_forbidden_file_type_is_refused_with_nothing_logged(world, as_user, text):
    upload = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" + b"\x00" * 60, content_type="application/octet-stream")
    response = as_user("clerk").post("/cases/new/", {**_form(world), "attachments": [upload]})
    assert response.status_code == 400 and "không thuộc loại được chấp nhận" in text(response)
    assert not Case.objects.exists()


def test_the_locality_can_be_found_without_diacritics(world, as_user):
    response = as_user("clerk").get("/units/options/", {"q": "thon 1"})
    assert world.hamlet_a.code in response.content.decode()
    assert world.hamlet_b.code not in response.content.decode()


def test_duplicates_are_suggested_while_typing(world, as_user, new_case, text):
    existing = new_case("Rác thải tồn đọng ở chợ Đồng Mỏ")
    elsewhere = new_case("Rác thải tồn đọng ở chợ Đồng Mỏ", by=world.clerk2, locality=world.hamlet_b)
    client = as_user("clerk")
    locality = f"{world.hamlet_a.name} ({world.hamlet_a.code})"
    found = client.get("/cases/new/duplicates/", {"title": "rac thai ton dong cho dong mo", "locality": locality})
    assert existing.code in text(found) and "Gộp vào" in text(found)
    assert elsewhere.code not in found.content.decode()
    unrelated = client.get("/cases/new/duplicates/", {"title": "đèn đường hỏng", "locality": locality})
    assert existing.code not in unrelated.content.decode()


def test_intake_can_merge_into_the_suggested_case(world, as_user, new_case, text):
    existing = new_case("Rác thải tồn đọng ở chợ Đồng Mỏ")
    client = as_user("clerk")
    response = client.post("/cases/new/", _form(world, title="Rác tồn đọng chợ Đồng Mỏ", merge_into=existing.code),
                           follow=True)
    new = Case.objects.get(title="Rác tồn đọng chợ Đồng Mỏ")
    existing.refresh_from_db()
    assert (new.status, new.merged_into) == ("merged", existing)
    assert existing.report_count == 2
    assert f"Đã tiếp nhận {new.code} và gộp vào {existing.code}." in text(response)
