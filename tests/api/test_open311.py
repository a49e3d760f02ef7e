"""Open311 GeoReport v2: a civic-issue app lists services, files a request and follows it."""

from urllib.parse import urlencode

import pytest

from api.integration_keys import integration_key_issue
from api.models import ChannelSource
from cases.models import Case, Channel

pytestmark = pytest.mark.django_db

BASE = "/api/v1/open311/v2"


@pytest.fixture
def portal(world):
    channel, _ = Channel.objects.get_or_create(code="portal", defaults={"name": "Cổng thông tin điện tử"})
    return ChannelSource.objects.create(
        code="xa-a", name="Cổng phản ánh xã A", kind=ChannelSource.Kind.OPEN311, channel=channel,
        acts_as=world.clerk, default_topic=world.topic, default_locality=world.hamlet_a,
    )


@pytest.fixture
def key(portal):
    """The portal's integration key, as the administrator issued it."""
    _row, raw = integration_key_issue(source=portal)
    return raw


def file_request(client, key, **overrides):
    form = {
        "api_key": key, "jurisdiction_id": "xa-a", "service_code": "MT",
        "address_string": "Chợ An Bình, thôn 1", "lat": "21.85", "long": "106.76",
        "description": "Rác tồn đọng sau phiên chợ\nMùi hôi ảnh hưởng các hộ xung quanh.",
        "first_name": "Hoa", "last_name": "Nguyễn Thị", "phone": "0911222333",
    }
    form.update(overrides)
    # GeoReport clients post url-encoded forms.
    return client.post(f"{BASE}/requests.json", urlencode(form), content_type="application/x-www-form-urlencoded")


def test_services_are_the_active_topics(client, portal, world):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    services = {s["service_code"]: s for s in response.json()}
    assert set(services) == {"MT", "GY"}
    assert services["MT"]["service_name"] == "Môi trường"
    assert (services["MT"]["metadata"], services["MT"]["type"], services["MT"]["group"]) == (False, "realtime", "Môi trường")


def test_filing_a_request_logs_a_case(client, portal, key):
    response = file_request(client, key)

    assert response.status_code == 201
    [created] = response.json()
    case = Case.objects.get(code=created["service_request_id"])
    assert (case.channel.code, case.topic.code, case.locality.code, case.owner.code) == ("portal", "MT", "P-A-T1", "P-A")
    assert case.title == "Rác tồn đọng sau phiên chợ"
    assert "Địa chỉ: Chợ An Bình, thôn 1" in case.description and "Tọa độ: 21.85, 106.76" in case.description
    assert case.reports.get().reporter.full_name == "Hoa Nguyễn Thị"


def test_address_id_may_name_the_locality_and_multipart_works_too(client, portal, key):
    form = {"api_key": key, "jurisdiction_id": "xa-a", "service_code": "MT", "address_id": "P-A", "description": "x"}
    response = client.post(f"{BASE}/requests.json", form)
    assert response.status_code == 201
    assert Case.objects.get(code=response.json()[0]["service_request_id"]).locality.code == "P-A"


def test_following_requests(client, portal, key, world, new_case):
    code = file_request(client, key).json()[0]["service_request_id"]
    hidden = new_case("Việc của phường B", by=world.clerk2, locality=world.hamlet_b)

    [one] = client.get(f"{BASE}/requests/{code}.json", {"api_key": key}).json()
    assert (one["service_request_id"], one["status"], one["service_code"], one["agency_responsible"]) == (
        code, "open", "MT", "Đảng ủy xã A",
    )
    assert one["status_notes"] == "Tiếp nhận"
    listed = client.get(f"{BASE}/requests.json", {"api_key": key}).json()
    assert [r["service_request_id"] for r in listed] == [code]  # commune B's case is not there
    assert client.get(f"{BASE}/requests.json", {"api_key": key, "status": "closed"}).json() == []
    missing = client.get(f"{BASE}/requests/{hidden.code}.json", {"api_key": key})
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "Không tìm thấy vụ việc."}]


@pytest.mark.parametrize(
    ("overrides", "status", "words"),
    [
        ({"api_key": "not-a-key"}, 403, "api_key"),
        ({"service_code": "NOPE"}, 400, "service_code"),
        ({"jurisdiction_id": "elsewhere"}, 404, "jurisdiction_id"),
        ({"address_string": "", "lat": "", "long": ""}, 400, "vị trí"),
        ({"lat": "300"}, 400, "lat"),
    ],
)
def test_bad_requests_answer_in_georeport_error_format(client, portal, key, overrides, status, words):
    response = file_request(client, key, **overrides)
    assert response.status_code == status
    [error] = response.json()
    assert error["code"] == status
    assert words in error["description"]
    assert not Case.objects.exists()


def test_reading_needs_an_api_key(client, portal):
    response = client.get(f"{BASE}/requests.json")
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400
