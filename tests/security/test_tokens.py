"""People's API tokens (issue 15, item 4), through the real URLs: the second factor where the web asks for it,
hashed at rest, an expiry, and revoked by a password change, "sign out everywhere", logout and a role withdrawn."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from cases.models import Role
from cases.services import unit_role_grant, unit_role_revoke
from tests.api.conftest import person_token
from tests.web.conftest import visible_text

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _own_cache(private_cache):
    """Throttle counters of this test's own."""


@pytest.fixture
def two_factor_on(settings):
    settings.DLXH_REQUIRE_2FA = True


def device_of(user) -> TOTPDevice:
    """An authenticator the person confirmed on the web."""
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def ask_token(username, **extra):
    return APIClient().post(TOKEN_URL, {"username": username, "password": PASSWORD, **extra}, format="json")


def reads(token) -> int:
    """What the case list answers this token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/cases/").status_code


# --- the second factor --------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["leader", "supervisor", "inspector"])
def test_roles_that_give_a_code_on_the_web_get_no_token_without_it(two_factor_on, world, username):
    device = device_of(world.users[username])

    missing = ask_token(username)
    assert missing.status_code == 400
    assert missing.json()["errors"]["otp"] == ["Vai trò của bạn cần xác thực hai bước: gửi kèm mã 6 chữ số trong trường `otp`."]
    wrong = ask_token(username, otp="000000" if code_of(device) != "000000" else "111111")
    assert wrong.status_code == 400
    assert wrong.json()["errors"]["otp"] == ["Mã xác thực không đúng hoặc đã hết hạn. Hãy thử mã mới."]
    assert not AuthToken.objects.exists()

    with time_machine.travel(timezone.now() + timedelta(seconds=40)):  # past the wrong code's throttle delay
        given = ask_token(username, otp=code_of(device))
        assert given.status_code == 200
        assert reads(given.json()["token"]) == 200


def test_a_person_without_an_authenticator_is_told_to_enrol_on_the_web(two_factor_on, world):
    refused = ask_token("leader", otp="123456")
    assert refused.status_code == 400
    assert "chưa cài ứng dụng xác thực" in refused.json()["errors"]["otp"][0]
    assert "đăng nhập trên web" in refused.json()["errors"]["otp"][0]
    assert not AuthToken.objects.exists()


def test_the_wrong_password_says_nothing_about_the_second_factor(two_factor_on, world):
    device_of(world.leader)
    refused = APIClient().post(TOKEN_URL, {"username": "leader", "password": "sai-mat-khau"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert "otp" not in refused.json()["errors"]


def test_other_roles_need_no_code(two_factor_on, world):
    assert ask_token("clerk").status_code == 200


# --- expiry and storage ------------------------------------------------------------------------


def test_a_token_expires_after_a_working_day(world, settings):
    given = ask_token("clerk").json()
    expiry = timezone.datetime.fromisoformat(given["expiry"])
    assert abs(expiry - (timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))) < timedelta(minutes=1)
    with time_machine.travel(expiry - timedelta(minutes=1)):
        assert reads(given["token"]) == 200
    with time_machine.travel(expiry + timedelta(minutes=1)):
        assert reads(given["token"]) == 401


def test_a_person_holds_a_few_tokens_at_most_the_oldest_going_first(world, settings):
    settings.DLXH_API_TOKENS_PER_PERSON = 2
    first, second, third = (ask_token("clerk").json()["token"] for _ in range(3))
    assert (reads(first), reads(second), reads(third)) == (401, 200, 200)
    assert AuthToken.objects.filter(user=world.clerk).count() == 2


def test_the_token_table_holds_only_a_digest(world):
    token = ask_token("clerk").json()["token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        [row] = cursor.fetchall()
    assert token not in " ".join(map(str, row))
    assert hashlib.sha512(token.encode()).hexdigest() in row  # knox's digest: nothing to hand back


# --- revocation --------------------------------------------------------------------------------


def test_a_password_change_on_the_web_revokes_the_persons_tokens(world, as_user):
    token, other = person_token(world.clerk), person_token(world.handler)
    changed = as_user("clerk").post("/password/", {"old_password": PASSWORD, "new_password1": "Mat-khau-moi-2026",
                                                   "new_password2": "Mat-khau-moi-2026"})
    assert changed.status_code == 302
    assert reads(token) == 401
    assert reads(other) == 200  # someone else's is untouched


def test_a_password_set_anywhere_else_revokes_them_too(world):
    token = person_token(world.clerk)
    world.clerk.last_name = "Nguyễn"
    world.clerk.save()  # any other change keeps them
    assert reads(token) == 200
    world.clerk.set_password("Mat-khau-moi-2026")
    world.clerk.save()
    assert reads(token) == 401


def test_logout_revokes_that_token_only(world):
    token, second = person_token(world.clerk), person_token(world.clerk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert (reads(token), reads(second)) == (401, 200)


def test_sign_out_everywhere_over_the_api_revokes_every_token_and_session(world, as_user):
    token, second = person_token(world.clerk), person_token(world.clerk)
    browser = as_user("clerk")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/auth/logout-all/").status_code == 204
    assert (reads(token), reads(second)) == (401, 401)
    assert browser.get("/cases/").status_code == 302  # back to the login page


def test_sign_out_everywhere_on_the_web(world, as_user):
    token = person_token(world.clerk)
    elsewhere, here = as_user("clerk"), as_user("clerk")
    keeps = as_user("handler")
    page = here.get("/password/")
    assert "Đăng xuất mọi nơi" in visible_text(page)
    answer = here.post("/security/sign-out-everywhere/", follow=True)
    assert answer.redirect_chain[-1][0].startswith("/login/")
    assert "Đã đăng xuất mọi nơi: thu hồi 1 token API, kết thúc 2 phiên đăng nhập." in visible_text(answer)
    assert reads(token) == 401
    assert elsewhere.get("/cases/").status_code == 302 and here.get("/cases/").status_code == 302
    assert keeps.get("/cases/").status_code == 200


def test_a_role_withdrawn_revokes_the_persons_tokens(world):
    token, other = person_token(world.clerk), person_token(world.leader)
    unit_role_revoke(user=world.clerk, unit=world.commune_a, role=Role.INTAKE_CLERK)
    assert reads(token) == 401
    assert reads(other) == 200


def test_a_role_that_needs_the_second_factor_is_not_carried_by_an_older_token(world):
    token = person_token(world.clerk)
    unit_role_grant(user=world.clerk, unit=world.hamlet_a, role=Role.HANDLER)
    assert reads(token) == 200  # a role without the second factor changes nothing
    unit_role_grant(user=world.clerk, unit=world.hamlet_a, role=Role.LEADER)
    assert reads(token) == 401


def test_the_admin_lists_who_holds_a_token_and_never_the_token(world):
    from django.contrib.auth import get_user_model

    token = person_token(world.clerk)
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(root)
    listing = client.get("/admin/knox/authtoken/").content.decode()
    assert "clerk" in listing
    # Neither the token nor its lookup part; the digest (the row's key) cannot be turned back into a token.
    assert token not in listing and token[:15] not in listing
    assert client.get("/admin/knox/authtoken/add/").status_code == 403  # nobody is given a token for someone else
