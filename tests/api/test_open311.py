"""Open311 GeoReport v2 (JSON): a civic-issue app lists services, files a request and follows it.

The shapes are checked against the spec (open311.org GeoReport v2) in test_open311_conformance.py;
here, what the product does with what a client sends.
"""

from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.integration_keys import integration_key_issue
from api.models import ChannelSource
from cases.models import Case, CaseKind, Channel

pytestmark = pytest.mark.django_db

BASE = "/api/v1/open311/v2"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture(autouse=True)
def one_jurisdiction(settings):
    settings.OPEN311_JURISDICTIONS = {"p.gov.vn": "P"}


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
        "api_key": key, "jurisdiction_id": "p.gov.vn", "service_code": "MT",
        "address_string": "Chợ An Bình, thôn 1", "lat": "21.85", "long": "106.76",
        "description": "Rác tồn đọng sau phiên chợ\nMùi hôi ảnh hưởng các hộ xung quanh.",
        "first_name": "Hoa", "last_name": "Nguyễn Thị", "phone": "0911222333",
        "media_url": "https://anh.example.vn/cho-an-binh.jpg",
    }
    form.update(overrides)
    form = {name: value for name, value in form.items() if value is not None}
    # GeoReport clients post url-encoded forms.
    return client.post(f"{BASE}/requests.json", urlencode(form), content_type="application/x-www-form-urlencoded")


def test_services_are_the_active_topics(client, portal, world):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    services = {s["service_code"]: s for s in response.json()}
    assert set(services) == {"MT", "GY"}
    assert services["MT"]["service_name"] == "Môi trường"
    assert (services["MT"]["metadata"], services["MT"]["type"], services["MT"]["group"]) == (True, "realtime", "Môi trường")


def test_a_service_definition_offers_the_kind_of_matter(client, world):
    definition = client.get(f"{BASE}/services/MT.json").json()
    [kind] = definition["attributes"]
    assert (definition["service_code"], kind["code"], kind["datatype"], kind["required"]) == (
        "MT", "kind", "singlevaluelist", False,
    )
    assert {value["key"] for value in kind["values"]} == set(CaseKind.values)
    missing = client.get(f"{BASE}/services/NOPE.json")
    assert (missing.status_code, missing.json()[0]["code"]) == (404, 404)


def test_filing_keeps_the_location_as_fields_and_logs_a_case(client, portal, key, world):
    response = file_request(client, key, **{"attribute[kind]": "proposal"})

    assert response.status_code == 201
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    case = Case.objects.get(code=created["service_request_id"])
    assert (case.channel.code, case.topic.code, case.locality.code, case.owner.code, case.kind) == (
        "portal", "MT", "P-A-T1", "P-A", "proposal",
    )
    assert case.title == "Rác tồn đọng sau phiên chợ"
    assert (str(case.latitude), str(case.longitude), case.address) == ("21.850000", "106.760000", "Chợ An Bình, thôn 1")
    assert case.media_url == "https://anh.example.vn/cho-an-binh.jpg"
    assert "Chợ An Bình" not in case.description  # a field now, not text added to the description
    assert case.reports.get().reporter.full_name == "Hoa Nguyễn Thị"
    intake = case.events.get(action="intake")
    assert intake.data["location"] == {"latitude": "21.850000", "longitude": "106.760000",
                                       "address": "Chợ An Bình, thôn 1",
                                       "media_url": "https://anh.example.vn/cho-an-binh.jpg"}


def test_a_posted_media_file_becomes_an_attachment(client, portal, key):
    form = {"api_key": key, "service_code": "MT", "address_id": "P-A", "description": "Ống nước vỡ",
            "media": SimpleUploadedFile("ong-nuoc.png", PNG, content_type="image/png")}
    response = client.post(f"{BASE}/requests.json", form)  # multipart
    assert response.status_code == 201
    case = Case.objects.get(code=response.json()[0]["service_request_id"])
    assert [(a.original_name, a.content_type) for a in case.attachments.all()] == [("ong-nuoc.png", "image/png")]

    refused = client.post(f"{BASE}/requests.json", {**form, "media": SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 64)})
    assert refused.status_code == 400
    assert Case.objects.count() == 1  # the refused file took its request with it: nothing half-filed


def test_reading_back_needs_no_key_and_shows_public_fields_only(client, portal, key, world, new_case):
    code = file_request(client, key).json()[0]["service_request_id"]

    [public] = client.get(f"{BASE}/requests/{code}.json").json()
    assert (public["service_request_id"], public["status"], public["service_code"], public["agency_responsible"]) == (
        code, "open", "MT", "Đảng ủy xã A",
    )
    assert (public["status_notes"], public["address"], public["address_id"]) == ("Tiếp nhận", "Thôn 1 xã A", "P-A-T1")
    # The resident's words, the exact place and the photo may say who or where someone is: not for anyone.
    assert (public["description"], public["lat"], public["long"], public["media_url"]) == (None, None, None, None)
    assert "Hoa" not in str(public) and "0911222333" not in str(public)

    [own] = client.get(f"{BASE}/requests/{code}.json", {"api_key": key}).json()
    assert own["description"].startswith("Rác tồn đọng") and (own["lat"], own["long"]) == (21.85, 106.76)
    assert own["address"] == "Chợ An Bình, thôn 1, Thôn 1 xã A"
    assert "Hoa" not in str(own) and "0911222333" not in str(own)  # never the reporter, even for the key

    bad_key = client.get(f"{BASE}/requests/{code}.json", {"api_key": "ik-nope.nope"})
    assert (bad_key.status_code, bad_key.json()[0]["code"]) == (403, 403)


def test_complaints_and_denunciations_are_never_listed_without_their_key(client, portal, key, world, new_case):
    reflection = new_case("Đèn đường hỏng")
    complaint = new_case("Khiếu nại về đền bù", kind=CaseKind.COMPLAINT)
    listed = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()]
    assert reflection.code in listed and complaint.code not in listed
    assert client.get(f"{BASE}/requests/{complaint.code}.json").status_code == 404


def test_comma_lists_and_status_filters(client, portal, key, world, new_case):
    environment = new_case("Rác ở chợ")
    suggestion = new_case("Góp ý giờ làm việc", topic=world.quiet_topic)

    def codes(**params):
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    assert codes(service_code="MT,GY") == {environment.code, suggestion.code}
    assert codes(service_code="GY") == {suggestion.code}
    assert codes(status="open,closed") == codes(status="open") == {environment.code, suggestion.code}
    assert codes(status="closed") == set()
    assert codes(service_request_id=f"{suggestion.code},{environment.code.lower()}") == {environment.code, suggestion.code}
    assert codes(service_request_id=suggestion.code, status="closed") == {suggestion.code}  # it overrides the rest
    bad = client.get(f"{BASE}/requests.json", {"status": "open,pending"})
    assert (bad.status_code, bad.json()[0]["code"]) == (400, 400) and "pending" in bad.json()[0]["description"]
    too_long = client.get(f"{BASE}/requests.json", {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"})
    assert too_long.status_code == 400 and "90" in too_long.json()[0]["description"]


def test_jurisdiction_is_checked_on_every_method(client, portal, key, settings):
    for path in ("services.json", "services/MT.json", "requests.json", "requests/DL-2026-000001.json"):
        response = client.get(f"{BASE}/{path}", {"jurisdiction_id": "elsewhere.gov.vn"})
        assert (response.status_code, response.json()[0]["code"]) == (404, 404), path
        assert "elsewhere.gov.vn" in response.json()[0]["description"]
    assert file_request(client, key, jurisdiction_id="elsewhere.gov.vn").status_code == 404
    assert not Case.objects.exists()

    settings.OPEN311_JURISDICTIONS = {"p.gov.vn": "P", "q.gov.vn": ""}
    missing = client.get(f"{BASE}/services.json")
    assert (missing.status_code, missing.json()[0]["code"]) == (400, 400)
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "q.gov.vn"}).status_code == 200


def test_a_key_files_only_inside_its_unit(client, portal, key, world):
    into_b = file_request(client, key, address_id="P-B-K1")
    assert into_b.status_code == 400 and "phạm vi" in into_b.json()[0]["description"]

    # Even an account that could log cases anywhere in the province is held to its source's unit.
    portal.acts_as = world.supervisor
    portal.save()
    assert file_request(client, key).status_code == 403  # no intake role at all: refused before the form is read
    from cases.models import Role, Unit
    from cases.services import unit_role_grant
    unit_role_grant(user=world.supervisor, unit=Unit.objects.get(code="P"), role=Role.LEADER)
    portal.unit = world.commune_a
    portal.save()
    assert file_request(client, key, address_id="P-B-K1").status_code == 400
    assert file_request(client, key, address_id="P-A").status_code == 201
    assert not Case.objects.filter(locality__code__startswith="P-B").exists()


@pytest.mark.parametrize(
    ("overrides", "status", "words"),
    [
        ({"api_key": "not-a-key"}, 403, "api_key"),
        ({"service_code": "NOPE"}, 404, "service_code"),
        ({"service_code": None}, 400, "service_code"),
        ({"address_string": "", "lat": "", "long": ""}, 400, "vị trí"),
        ({"long": ""}, 400, "lat"),
        ({"lat": "300"}, 400, "lat"),
        ({"address_id": "KHONG-CO"}, 400, "address_id"),
        ({"attribute[color]": "red"}, 400, "color"),
        ({"attribute[kind]": "rumour"}, 400, "kind"),
        ({"description": "x" * 10_001}, 400, "description"),
    ],
)
def test_bad_requests_answer_in_georeport_error_format(client, portal, key, overrides, status, words):
    response = file_request(client, key, **overrides)
    assert response.status_code == status
    [error] = response.json()
    assert error["code"] == status
    assert words in error["description"]
    assert not Case.objects.exists()


def test_unknown_paths_under_the_facade_answer_as_georeport(client):
    as_json = client.get(f"{BASE}/nothing.json")
    assert (as_json.status_code, as_json.json()[0]["code"]) == (404, 404)
    as_xml = client.get(f"{BASE}/nothing/here")
    assert as_xml.status_code == 404 and as_xml["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<errors><error><code>404</code>" in as_xml.content


def test_keys_are_throttled_per_key_and_keyless_reads_per_address(client, portal, key, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "open311_key": "3/min", "open311_anon": "2/min"}}
    from django.core.cache import cache
    cache.clear()
    keyless = [client.get(f"{BASE}/services.json").status_code for _ in range(3)]
    assert keyless == [200, 200, 429]
    # A key has its own budget, not the address's.
    keyed = [client.get(f"{BASE}/requests.json", {"api_key": key}).status_code for _ in range(4)]
    assert keyed == [200, 200, 200, 429]
    assert client.get(f"{BASE}/requests.json", {"api_key": key}).json()[0]["code"] == 429


def test_staff_see_the_location_on_the_case_page_and_in_the_rest_api(client, portal, key, as_user, world):
    from rest_framework.test import APIClient

    from tests.api.conftest import person_token
    code = file_request(client, key).json()[0]["service_request_id"]

    page = as_user("clerk").get(f"/cases/{code}/").content.decode()
    assert "Chợ An Bình, thôn 1 · " in page and "mlat=21.850000&amp;mlon=106.760000" in page

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {person_token(world.clerk)}")
    case = api.get(f"/api/v1/cases/{code}/").json()
    assert (case["latitude"], case["longitude"], case["address"]) == (21.85, 106.76, "Chợ An Bình, thôn 1")
