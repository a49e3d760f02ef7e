"""Access rules, one test each: lockout, password rules, two-factor login for leaders and above,
session and CSRF settings, security headers and CSP, and a clean `check --deploy` in production."""

import json
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.enrolment import enrolment_code_issue

ROOT = Path(django_settings.BASE_DIR)
GOOD_PASSWORD = "pw-for-tests-1"


def login(client, username, password=GOOD_PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


# --- lockout (django-axes) ---------------------------------------------------------


def test_five_wrong_passwords_lock_that_name_from_that_address_and_nowhere_else(world, text):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(4):
        wrong = login(attacker, "leader", "doan-bua-mat-khau")
        assert wrong.status_code == 200 and "không đúng" in text(wrong)
    fifth = login(attacker, "leader", "doan-bua-mat-khau")
    assert fifth.status_code == 429 and "Tạm khóa đăng nhập" in text(fifth)

    locked = login(attacker, "leader")  # even the right password is refused now
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in text(locked)
    assert "_auth_user_id" not in attacker.session

    colleague = Client(REMOTE_ADDR="198.51.100.20")  # the real leader, at the office
    assert login(colleague, "leader").status_code == 302
    assert login(Client(REMOTE_ADDR="203.0.113.7"), "clerk").status_code == 302  # other names from there still work


def test_a_lockout_ends_after_the_cool_off(world):
    attacker = Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(5):
        login(attacker, "clerk", "sai-mat-khau")
    assert login(attacker, "clerk").status_code == 429
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        assert login(attacker, "clerk").status_code == 302


def test_a_success_resets_the_count_of_failures(world):
    client = Client(REMOTE_ADDR="192.0.2.1")
    for _ in range(4):
        login(client, "handler", "sai-mat-khau")
    assert login(client, "handler").status_code == 302
    client.post("/logout/")
    for _ in range(4):
        login(client, "handler", "sai-mat-khau")
    assert login(client, "handler").status_code == 302


def test_the_api_token_endpoint_counts_failures_too(world):
    from axes.models import AccessAttempt

    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        answer = client.post("/api/v1/auth/token/", {"username": "leader", "password": "sai"}, content_type="application/json")
        assert answer.status_code == 400
    assert AccessAttempt.objects.get(username="leader", ip_address="203.0.113.9").failures_since_start == 3


def test_only_trusted_proxy_hops_name_the_client_address(settings, rf):
    from security.client_ip import client_ip

    forged = rf.get("/", HTTP_X_FORWARDED_FOR="10.9.9.9", REMOTE_ADDR="198.51.100.1")
    assert client_ip(forged) == "198.51.100.1"  # no proxy configured: a header is not believed
    settings.DLXH_PROXY_COUNT = 1
    proxied = rf.get("/", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.50", REMOTE_ADDR="127.0.0.1")
    assert client_ip(proxied) == "203.0.113.50"  # the address our proxy saw, not the one the client wrote


# --- password rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ngan-1234", "password_too_short"),  # 9 characters
        ("password123", "password_too_common"),
        ("20262027202820", "password_entirely_numeric"),
        ("thanhtrung1", "password_too_similar"),  # like the email address
    ],
)
def test_weak_passwords_are_refused(world, password, code):
    world.clerk.email = "thanhtrung@example.vn"
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=world.clerk)
    assert code in {error.code for error in refused.value.error_list}


def test_a_strong_password_passes_and_the_change_form_applies_the_rules(world, as_user):
    validate_password("Mat-khau-moi-2026", user=world.clerk)
    client = as_user("clerk")
    refused = client.post("/password/", {"old_password": GOOD_PASSWORD, "new_password1": "Ngan-1234",
                                         "new_password2": "Ngan-1234"})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    world.clerk.refresh_from_db()
    assert world.clerk.check_password(GOOD_PASSWORD)  # unchanged


# --- two-factor login ------------------------------------------------------------------


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def two_factor_on(settings):
    settings.DLXH_REQUIRE_2FA = True


@pytest.mark.parametrize("username", ["leader", "supervisor", "inspector", "administrator"])
def test_leaders_and_above_must_give_a_second_factor(two_factor_on, world, as_user, username):
    client = as_user(username)
    answer = client.get("/cases/")
    assert answer.status_code == 302 and answer["Location"] == "/security/2fa/?next=%2Fcases%2F"
    assert client.get("/dashboard/").status_code == 302
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403 and api.json()["code"] == "otp_required"


@pytest.mark.parametrize("username", ["clerk", "handler", "secretariat"])
def test_other_roles_work_with_a_password(two_factor_on, world, as_user, username):
    assert as_user(username).get("/cases/").status_code == 200


def test_superusers_need_the_second_factor_too(two_factor_on, world):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password=GOOD_PASSWORD)
    client = Client()
    client.force_login(root)
    assert client.get("/admin/").status_code == 302


def test_set_up_once_then_a_code_at_every_login(two_factor_on, world, text):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    first = login(client, "leader", follow=True)
    assert first.redirect_chain[-1][0].startswith("/security/2fa/")
    assert "mã đăng ký" in text(first) and "otp-secret" not in first.content.decode()  # the password alone: no QR
    _row, code = enrolment_code_issue(user=world.leader)
    enrolled = client.post("/security/2fa/", {"enrolment_code": code, "next": "/cases/"}, follow=True)
    assert "Quét mã" in text(enrolled)
    page = enrolled.content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    device = TOTPDevice.objects.get(user=world.leader, confirmed=False)
    assert re.search(r'data-testid="otp-secret">([A-Z2-7]+)<', page)

    wrong = client.post("/security/2fa/", {"token": "000000" if current_code(device) != "000000" else "111111", "next": "/cases/"})
    assert wrong.status_code == 400 and "không đúng" in text(wrong)
    assert client.get("/cases/").status_code == 302

    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=40)):  # after the failure's throttle delay
        device.refresh_from_db()
        done = client.post("/security/2fa/", {"token": current_code(device), "next": "/cases/"})
        assert done.status_code == 302 and done["Location"] == "/cases/"
        assert client.get("/cases/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    client.post("/logout/")
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=2)):
        again = login(client, "leader", follow=True)
        assert again.redirect_chain[-1][0].startswith("/security/2fa/")
        assert "otp-secret" not in again.content.decode()  # no new device with a password alone
        assert TOTPDevice.objects.filter(user=world.leader).count() == 1
        device.refresh_from_db()
        assert client.post("/security/2fa/", {"token": current_code(device)}).status_code == 302
        assert client.get("/dashboard/").status_code == 200


def test_the_2fa_page_refuses_an_outside_next_address(two_factor_on, world, as_user):
    client = as_user("leader")
    _row, code = enrolment_code_issue(user=world.leader)
    client.post("/security/2fa/", {"enrolment_code": code})
    device = TOTPDevice.objects.get(user=world.leader)
    answer = client.post("/security/2fa/", {"token": current_code(device), "next": "https://evil.example/"})
    assert answer["Location"] == "/"


def test_demo_mode_needs_no_second_factor(world, as_user, settings):
    settings.DLXH_REQUIRE_2FA = False
    assert as_user("leader").get("/cases/").status_code == 200


def test_production_requires_2fa_and_debug_does_not():
    assert production_settings()["DLXH_REQUIRE_2FA"] is True
    assert production_settings(DEBUG="true")["DLXH_REQUIRE_2FA"] is False
    assert production_settings(DLXH_REQUIRE_2FA="false")["DLXH_REQUIRE_2FA"] is False


# --- sessions, CSRF, headers, CSP --------------------------------------------------------


def production_env(**overrides) -> dict:
    # Not the test session's own relaxations either (the browser tests allow async-unsafe ORM calls).
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="dlxh.example.vn",
        FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        VAR_DIR=os.environ.get("VAR_DIR", str(ROOT / "var")),
    )
    env.update(overrides)
    return env


NAMES = [
    "DLXH_REQUIRE_2FA", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF", "DEBUG",
]


def production_settings(**overrides) -> dict:
    code = ("import json, django; from django.conf import settings; django.setup(); "
            f"print(json.dumps({{n: getattr(settings, n) for n in {NAMES!r}}}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**production_env(**overrides), "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_http_only_and_short_lived():
    values = production_settings()
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["SESSION_COOKIE_AGE"] <= 8 * 3600
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]


def test_the_session_cookie_a_login_sets_carries_the_flags(world, settings):
    settings.SESSION_COOKIE_SECURE = True
    answer = login(Client(), "clerk", secure=True)
    cookie = answer.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_a_post_without_the_csrf_token_is_refused(world, new_case):
    case = new_case()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.clerk)
    answer = client.post(f"/cases/{case.code}/move/verify/", {"verify-note": "x"})
    assert answer.status_code == 403
    case.refresh_from_db()
    assert case.status == "received"


def test_security_headers_and_a_policy_without_inline_script(db):
    answer = Client().get("/login/")
    policy = answer["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert answer["X-Frame-Options"] == "DENY"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "same-origin"
    assert answer["Cross-Origin-Opener-Policy"] == "same-origin"


def test_https_requests_get_hsts(db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    answer = Client().get("/login/", secure=True)
    assert answer["Strict-Transport-Security"].startswith("max-age=31536000")


class _ScriptFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.inline.append(f"<script> without src at {self.getpos()}")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.inline.append(f"{name}= on <{tag}> at {self.getpos()}")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.inline.append(f"javascript: URL on <{tag}>")


def test_no_screen_carries_inline_script(world, new_case, as_user):
    """The policy forbids inline script: every screen must work without it."""
    from cases.services import case_verify

    case = new_case()
    case_verify(case=case, by=world.clerk)
    pages = {
        None: ["/login/", "/tra-cuu/"],
        "clerk": ["/cases/", "/cases/?tab=all&period=custom", "/cases/new/", f"/cases/{case.code}/", "/password/"],
        "leader": [f"/cases/{case.code}/", "/dashboard/"],
        "inspector": ["/inspection/", f"/cases/{case.code}/audit/"],
    }
    found = {}
    for username, urls in pages.items():
        client = as_user(username) if username else Client()
        for url in urls:
            answer = client.get(url)
            assert answer.status_code == 200, url
            finder = _ScriptFinder()
            finder.feed(answer.content.decode())
            if finder.inline:
                found[url] = finder.inline
    assert found == {}


# --- the deployment checklist ----------------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=production_env(VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_refuses_to_start_without_its_secrets():
    for missing in ("SECRET_KEY", "FIELD_ENCRYPTION_KEY"):
        env = production_env()
        env.pop(missing)
        done = subprocess.run([sys.executable, "-c", "import config.settings"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode != 0 and missing in done.stderr
