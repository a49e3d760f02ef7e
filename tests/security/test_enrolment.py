"""Enrolling a second factor needs a one-time code an administrator issues (issue 15, item 8): a password
alone shows no secret and makes no device; the code works once, for its person, until it expires."""

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.enrolment import enrolment_code_issue
from security.models import EnrolmentCode
from tests.web.conftest import visible_text

pytestmark = pytest.mark.django_db

PAGE = "/security/2fa/"
REFUSED = "Mã đăng ký không đúng, đã dùng hoặc đã hết hạn. Hãy liên hệ quản trị viên để được cấp mã mới."


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    settings.DLXH_REQUIRE_2FA = True


def test_without_a_code_no_device_is_made_and_no_secret_shown(world, as_user):
    leader = as_user("leader")
    page = leader.get(PAGE)
    assert page.status_code == 200
    assert "mã đăng ký mà quản trị viên đã cấp" in visible_text(page)
    assert "otp-secret" not in page.content.decode() and "data:image/svg" not in page.content.decode()
    for wrong in ("", "ABCD-EFGH-JKMN-PQRS"):
        answer = leader.post(PAGE, {"enrolment_code": wrong})
        assert answer.status_code == 400
    assert REFUSED in visible_text(answer)
    assert leader.post(PAGE, {"token": "123456"}).status_code == 400  # no device to confirm either
    assert not TOTPDevice.objects.exists()


def test_the_admin_issued_code_enrols_once(world, as_user, settings):
    settings.DLXH_REQUIRE_2FA = False  # the administrator's own second factor is not what this test is about
    root = get_user_model().objects.create_superuser("root", password="pw-for-tests-1")
    admin = Client()
    admin.force_login(root)
    issued = admin.post("/admin/security/enrolmentcode/add/", {"user": world.leader.pk})
    assert issued.status_code == 200
    [code] = re.findall(r'data-testid="enrolment-code">([^<]+)<', issued.content.decode())
    stored = EnrolmentCode.objects.get()
    assert (stored.user, stored.created_by) == (world.leader, root)
    assert code not in str(stored.__dict__) and code.replace("-", "") not in str(stored.__dict__)
    assert code not in admin.get("/admin/security/enrolmentcode/").content.decode()

    settings.DLXH_REQUIRE_2FA = True
    leader = as_user("leader")
    enrolled = leader.post(PAGE, {"enrolment_code": code.lower()}, follow=True)  # as typed, any case
    assert enrolled.status_code == 200
    assert re.search(r'data-testid="otp-secret">[A-Z2-7]+<', enrolled.content.decode())
    assert TOTPDevice.objects.filter(user=world.leader, confirmed=False).count() == 1

    again = as_user("leader")  # someone else with the password, the same code
    reused = again.post(PAGE, {"enrolment_code": code})
    assert reused.status_code == 400 and REFUSED in visible_text(reused)
    assert "otp-secret" not in again.get(PAGE).content.decode()  # the secret stays with the session that enrolled
    assert TOTPDevice.objects.filter(user=world.leader).count() == 1


def test_a_code_is_for_its_person_and_expires(world, as_user):
    _row, code = enrolment_code_issue(user=world.leader)
    assert as_user("supervisor").post(PAGE, {"enrolment_code": code}).status_code == 400
    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        assert as_user("leader").post(PAGE, {"enrolment_code": code}).status_code == 400
    assert not TOTPDevice.objects.exists()
    _row, newer = enrolment_code_issue(user=world.leader)
    assert as_user("leader").post(PAGE, {"enrolment_code": newer}).status_code == 302


def test_a_new_code_replaces_the_unused_one(world, as_user):
    _row, first = enrolment_code_issue(user=world.leader)
    out = io.StringIO()
    call_command("enrolment_code_issue", "leader", stdout=out)
    second = out.getvalue().strip().rsplit(" ", 1)[-1]
    assert as_user("leader").post(PAGE, {"enrolment_code": first}).status_code == 400
    assert as_user("leader").post(PAGE, {"enrolment_code": second}).status_code == 302
