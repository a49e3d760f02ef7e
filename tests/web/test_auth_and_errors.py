"""Log in, log out, change password; the error pages speak Vietnamese."""

import pytest
from django.template.loader import render_to_string
from django.test import Client


def test_screens_ask_for_a_login_first(db, text):
    client = Client()
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/cases/")
    page = client.get(response["Location"])
    assert "Tên đăng nhập" in text(page) and "Mật khẩu" in text(page)


def test_log_in_lands_on_the_queue_and_log_out_needs_a_post(world, text):
    client = Client()
    wrong = client.post("/login/", {"username": "clerk", "password": "sai-mat-khau"})
    assert wrong.status_code == 200 and "Tên đăng nhập hoặc mật khẩu không đúng" in text(wrong)
    response = client.post("/login/", {"username": "clerk", "password": "pw-for-tests-1"}, follow=True)
    assert response.redirect_chain[-1][0] == "/cases/"
    assert "Việc cần làm" in text(response)
    assert client.get("/logout/").status_code == 405  # a link cannot log someone out
    out = client.post("/logout/", follow=True)
    assert out.redirect_chain[-1][0] == "/login/"
    assert client.get("/cases/").status_code == 302


def test_change_password(world, as_user, text):
    client = as_user("clerk")
    refused = client.post("/password/", {"old_password": "sai", "new_password1": "Mat-khau-moi-2026",
                                         "new_password2": "Mat-khau-moi-2026"})
    assert refused.status_code == 200 and "Mật khẩu cũ không chính xác" in text(refused)
    done = client.post("/password/", {"old_password": "pw-for-tests-1", "new_password1": "Mat-khau-moi-2026",
                                      "new_password2": "Mat-khau-moi-2026"}, follow=True)
    assert "Đã đổi mật khẩu" in text(done)
    world.clerk.refresh_from_db()
    assert world.clerk.check_password("Mat-khau-moi-2026")


def test_unknown_address_gets_the_vietnamese_404_page(world, as_user, text):
    response = as_user("clerk").get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy" in text(response) and "Not Found" not in text(response)


def test_a_page_outside_ones_role_gets_the_vietnamese_403_page(world, as_user, text):
    response = as_user("clerk").get("/inspection/")
    assert response.status_code == 403
    assert "Không có quyền" in text(response)


def test_the_500_page_needs_no_context_and_speaks_vietnamese():
    html = render_to_string("500.html")
    assert "Lỗi hệ thống" in html and "Server Error" not in html


@pytest.mark.parametrize("path", ["/cases/", "/login/", "/tra-cuu/"])
def test_vietnamese_by_default_even_for_an_english_browser(world, path, text):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.force_login(world.clerk)
    page = client.get(path, follow=True)
    assert page.status_code == 200
    assert '<html lang="vi">' in page.content.decode()


def test_the_language_switch_keeps_english_once_chosen(world, as_user):
    client = as_user("clerk")
    client.post("/i18n/setlang/", {"language": "en", "next": "/cases/"})
    assert '<html lang="en">' in client.get("/cases/").content.decode()
    client.post("/i18n/setlang/", {"language": "vi", "next": "/cases/"})
    assert '<html lang="vi">' in client.get("/cases/").content.decode()
