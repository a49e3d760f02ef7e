"""Integration keys (issue 15, item 4): a machine's key for one channel source, never a person's token.

It files cases through Open311 and reads back the ones its source filed, and nothing else; it is kept
as a digest, shown once, and a rotated-out key stops working.
"""

import io
import re
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from api.integration_keys import integration_key_issue, integration_key_rotate
from api.models import ChannelSource, IntegrationKey
from cases.models import Case, Channel

from .conftest import person_token

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/open311/v2/requests.json"


@pytest.fixture
def portal(world):
    channel, _ = Channel.objects.get_or_create(code="portal", defaults={"name": "Cổng thông tin điện tử"})
    return ChannelSource.objects.create(
        code="xa-a", name="Cổng phản ánh xã A", kind=ChannelSource.Kind.OPEN311, channel=channel,
        acts_as=world.clerk, default_topic=world.topic, default_locality=world.hamlet_a,
    )


def file_request(key, **overrides):
    form = {"api_key": key, "service_code": "MT", "address_string": "Chợ thôn 1", "description": "Rác tồn đọng",
            **overrides}
    return Client().post(REQUESTS, urlencode(form), content_type="application/x-www-form-urlencoded")


def test_a_key_files_a_case_and_reads_in_full_only_what_its_source_filed(portal, world, new_case):
    _row, key = integration_key_issue(source=portal)
    filed = file_request(key)
    assert filed.status_code == 201
    code = filed.json()[0]["service_request_id"]
    assert Case.objects.get(code=code).owner == world.commune_a

    same_unit = new_case("Gọi đường dây nóng")  # commune A's clerk (the portal's account), on the phone
    listed = {r["service_request_id"]: r for r in Client().get(REQUESTS, {"api_key": key}).json()}
    assert set(listed) == {code, same_unit.code}  # what anyone may list, and its own
    assert listed[code]["description"] == "Rác tồn đọng"
    assert listed[same_unit.code]["description"] is None  # another's: public fields only, key or not
    assert Client().get(f"/api/v1/open311/v2/requests/{code}.json", {"api_key": key}).status_code == 200


def test_a_key_is_no_token_for_the_rest_of_the_api(portal, new_case):
    _row, key = integration_key_issue(source=portal)
    case = new_case()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/cases/").status_code == 401
    assert client.post(f"/api/v1/cases/{case.code}/transitions/verify/", {}, format="json").status_code == 401
    assert APIClient().get("/api/v1/cases/", {"api_key": key}).status_code == 401
    case.refresh_from_db()
    assert case.status == "received"


def test_a_persons_token_is_refused_as_api_key(portal, world):
    refused = file_request(person_token(world.clerk))
    assert refused.status_code == 403
    assert refused.json() == [{"code": 403, "description": "api_key không hợp lệ."}]
    assert Client().get(REQUESTS, {"api_key": person_token(world.clerk)}).status_code == 403
    assert not Case.objects.exists()


def test_a_rotated_out_key_is_refused_and_the_new_one_works(portal):
    _old_row, old = integration_key_issue(source=portal)
    _new_row, new = integration_key_rotate(source=portal)
    assert file_request(old).status_code == 403
    assert file_request(new).status_code == 201


def test_a_key_files_only_in_a_configured_jurisdiction(portal, settings):
    settings.OPEN311_JURISDICTIONS = {"p.gov.vn": "P", "b.gov.vn": "P-B"}
    _row, key = integration_key_issue(source=portal)
    assert file_request(key, jurisdiction_id="xa-a").status_code == 404  # a source's code is no jurisdiction
    assert file_request(key, jurisdiction_id="b.gov.vn").status_code == 400  # commune A's key, commune B's place
    assert file_request(key, jurisdiction_id="p.gov.vn").status_code == 201
    assert Case.objects.count() == 1


def test_keys_are_kept_as_digests_and_shown_once_in_the_admin(portal):
    root = get_user_model().objects.create_superuser("root", password="pw-for-tests-1")
    admin = Client()
    admin.force_login(root)
    shown = admin.post("/admin/api/channelsource/", {"action": "rotate_key", "_selected_action": [portal.pk]})
    assert shown.status_code == 200
    [key] = re.findall(r'data-testid="integration-key">([^<]+)<', shown.content.decode())
    assert file_request(key).status_code == 201

    stored = IntegrationKey.objects.get()
    secret = key.partition(".")[2]
    assert secret not in " ".join(str(value) for value in stored.__dict__.values())
    listing = admin.get("/admin/api/integrationkey/").content.decode()
    assert stored.prefix in listing and secret not in listing
    assert admin.get("/admin/api/integrationkey/add/").status_code == 403


def test_the_command_prints_a_key_that_works(portal):
    out = io.StringIO()
    call_command("integration_key_issue", "xa-a", stdout=out)
    assert file_request(out.getvalue().strip()).status_code == 201
