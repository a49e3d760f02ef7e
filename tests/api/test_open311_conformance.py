"""Open311 GeoReport v2 conformance, from the spec's own text (open311.org GeoReport v2 and Service Discovery).

For every method, in both formats: the root and item elements, the fields of the
spec's Response table in its order, UTF-8 declared (XML) and in the
Content-Type, w3 datetimes with a timezone, `true`/`false`, and the XML saying
exactly what the JSON says (the spec's JSON is the Spark mapping of its XML).
The requests are shaped as the spec's examples are: a url-encoded POST to
`requests.xml` with `attribute[code]=value`, and reads with `jurisdiction_id`.
Then one stock client from PyPI (`georeport`) drives a live server.
"""

import re
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
import xmltodict

from api.integration_keys import integration_key_issue
from api.models import ChannelSource
from cases.models import Channel

BASE = "/api/v1/open311/v2"
JURISDICTION = "p.gov.vn"
W3_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")

# The spec's Response tables: root element, item element, the item's fields in order.
SERVICE = ("services", "service", ["service_code", "service_name", "description", "metadata", "type", "keywords",
                                   "group"])
DEFINITION_ATTRIBUTE = ["variable", "code", "datatype", "required", "datatype_description", "order", "description",
                        "values"]
CREATED = ("service_requests", "request", ["service_request_id", "service_notice", "account_id"])
TOKEN = ("service_requests", "request", ["service_request_id", "token"])
REQUEST = ("service_requests", "request", [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
])
ERROR = ("errors", "error", ["code", "description"])
DISCOVERY_FIELDS = ["changeset", "contact", "key_service", "endpoints"]
ENDPOINT_FIELDS = ["specification", "url", "changeset", "type", "formats"]


@pytest.fixture(autouse=True)
def one_jurisdiction(settings):
    settings.OPEN311_JURISDICTIONS = {JURISDICTION: "P"}


@pytest.fixture
def key(world):
    channel, _ = Channel.objects.get_or_create(code="portal", defaults={"name": "Cổng thông tin điện tử"})
    portal = ChannelSource.objects.create(
        code="xa-a", name="Cổng phản ánh xã A", kind=ChannelSource.Kind.OPEN311, channel=channel,
        acts_as=world.clerk, default_topic=world.topic, default_locality=world.hamlet_a,
    )
    return integration_key_issue(source=portal)[1]


def spec_example_post(key) -> str:
    """A body shaped as the spec's POST example: every field it sends, the attribute included."""
    return urlencode({
        "api_key": key, "jurisdiction_id": JURISDICTION, "service_code": "MT", "lat": "10.0452", "long": "105.7469",
        "address_string": "Số 12 đường 30/4, Thôn 1", "email": "dan@example.vn", "device_id": "tt222111",
        "account_id": "123456", "first_name": "Lan", "last_name": "Trần", "phone": "0912000111",
        "description": "Hố sụt lớn giữa đường", "media_url": "https://anh.example.vn/ho-sut.jpg",
        "attribute[kind]": "reflection",
    })


def get(client, path, fmt, **params):
    return client.get(f"{BASE}/{path}.{fmt}", {"jurisdiction_id": JURISDICTION, **params})


def xml_of(response) -> ElementTree.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ElementTree.fromstring(response.content)
    assert root.tag and not root.tag.startswith("{")  # no namespace, as the spec asks
    return root


def items_of(response, fmt, shape) -> list[dict]:
    """The items of a list answer, checked against the spec's root, item and field order; as JSON-like dicts."""
    root_name, item_name, fields = shape
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        items = response.json()
        assert isinstance(items, list)
        for item in items:
            assert list(item) == fields
        return items
    root = xml_of(response)
    assert root.tag == root_name
    assert all(child.tag == item_name for child in root)
    items = []
    for element in root:
        assert [child.tag for child in element] == fields
        items.append({child.tag: child.text for child in element})
    return items


def same_as_json(xml_items, json_items):
    """The XML's text is the JSON's value written out: `true`/`false`, numbers as written, null or "" as empty."""
    def written(value):
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)
    scalars = [{name: written(value) for name, value in item.items() if not isinstance(value, list)}
               for item in json_items]
    assert [{name: item[name] for name in wanted} for item, wanted in zip(xml_items, scalars, strict=True)] == scalars


pytestmark = pytest.mark.django_db


def test_service_discovery_in_both_formats(client):
    as_json = client.get(f"{BASE}/discovery.json").json()
    assert list(as_json) == DISCOVERY_FIELDS
    [endpoint] = as_json["endpoints"]
    assert list(endpoint) == ENDPOINT_FIELDS
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith(BASE) and endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}

    root = xml_of(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery" and [child.tag for child in root] == DISCOVERY_FIELDS
    xml_endpoint = root.find("endpoints/endpoint")
    assert [child.tag for child in xml_endpoint] == ENDPOINT_FIELDS
    assert [f.text for f in xml_endpoint.findall("formats/format")] == endpoint["formats"]
    assert xmltodict.parse(client.get(f"{BASE}/discovery.xml").content)["discovery"]["contact"] == as_json["contact"]


def test_service_list_in_both_formats(client, world):
    json_items = items_of(get(client, "services", "json"), "json", SERVICE)
    xml_items = items_of(get(client, "services", "xml"), "xml", SERVICE)
    assert {item["service_code"] for item in json_items} == {"MT", "GY"}
    assert {item["type"] for item in json_items} <= {"realtime", "batch", "blackbox"}
    same_as_json(xml_items, json_items)


def test_service_definition_in_both_formats(client, world):
    definition = get(client, "services/MT", "json").json()
    assert list(definition) == ["service_code", "attributes"]
    for attribute in definition["attributes"]:
        assert list(attribute) == DEFINITION_ATTRIBUTE
        assert attribute["datatype"] in {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
        assert all(list(value) == ["key", "name"] for value in attribute["values"])
    root = xml_of(get(client, "services/MT", "xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "MT"
    [attribute] = root.findall("attributes/attribute")
    assert [child.tag for child in attribute] == DEFINITION_ATTRIBUTE
    assert (attribute.findtext("variable"), attribute.findtext("required")) == ("true", "false")
    assert [v.findtext("key") for v in attribute.findall("values/value")] == [
        v["key"] for v in definition["attributes"][0]["values"]
    ]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_post_then_read_back_in_each_format(client, key, fmt):
    posted = client.post(f"{BASE}/requests.{fmt}", spec_example_post(key),
                         content_type="application/x-www-form-urlencoded; charset=utf-8")
    assert posted.status_code == 201
    [created] = items_of(posted, fmt, CREATED)
    code = created["service_request_id"]
    assert created["account_id"] == "123456"

    [one] = items_of(get(client, f"requests/{code}", fmt, api_key=key), fmt, REQUEST)
    listed = items_of(get(client, "requests", fmt, api_key=key), fmt, REQUEST)
    assert [r["service_request_id"] for r in listed] == [code]
    assert (one["status"], one["service_code"]) == ("open", "MT")
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3_DATETIME.match(one[name]), (name, one[name])
    assert str(one["lat"]) == "10.0452" and str(one["long"]) == "105.7469"
    assert one["description"] == "Hố sụt lớn giữa đường"  # UTF-8 both ways

    [token] = items_of(get(client, f"tokens/{code}", fmt), fmt, TOKEN)
    assert token == {"service_request_id": code, "token": code}


def test_requests_say_the_same_in_both_formats(client, key):
    client.post(f"{BASE}/requests.json", spec_example_post(key), content_type="application/x-www-form-urlencoded")
    json_items = items_of(get(client, "requests", "json"), "json", REQUEST)
    xml_items = items_of(get(client, "requests", "xml"), "xml", REQUEST)
    assert len(json_items) == 1
    same_as_json(xml_items, json_items)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_errors_in_each_format(client, key, fmt):
    """The spec's error list: 403 for a wrong key, 404 for what does not exist, 400 for what is missing."""
    wrong_key = client.post(f"{BASE}/requests.{fmt}", urlencode({"api_key": "xyz", "service_code": "MT"}),
                            content_type="application/x-www-form-urlencoded")
    missing_code = client.post(f"{BASE}/requests.{fmt}", urlencode({"api_key": key, "address_id": "P-A"}),
                               content_type="application/x-www-form-urlencoded")
    for response, status in ((wrong_key, 403), (get(client, "requests/DL-2000-000001", fmt), 404),
                             (get(client, "services", fmt, jurisdiction_id="nowhere.vn"), 404),
                             (missing_code, 400), (client.get(f"{BASE}/no/such/thing.{fmt}"), 404)):
        assert response.status_code == status
        [error] = items_of(response, fmt, ERROR)
        assert str(error["code"]) == str(status) and error["description"]


@pytest.mark.django_db(transaction=True)
def test_a_stock_georeport_client_lists_files_and_reads_back(live_server, key):
    """`georeport` (PyPI) lists services and definitions and reads requests, in JSON and XML; it cannot file,
    so the request is posted as the spec's example is, with `requests` (which georeport itself uses)."""
    import requests
    from georeport import GeoReport

    root = f"{live_server.url}{BASE}"

    posted = requests.post(f"{root}/requests.xml", data=spec_example_post(key), timeout=30,
                           headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert posted.status_code == 201
    code = xmltodict.parse(posted.content)["service_requests"]["request"]["service_request_id"]

    for fmt in ("json", "xml"):
        client = GeoReport(root, jurisdiction=JURISDICTION, output_format=fmt)
        services = client.get_service_list()
        assert {s["service_code"] for s in services} == {"MT", "GY"}
        definition = client.get_service_definition("MT")
        assert definition["service_code"] == "MT"
        one = client.get_service_request(code)
        assert (one["service_request_id"], one["status"], one["service_code"]) == (code, "open", "MT")
        listed = client.get_service_requests(service_request_id=code, status="open")
        listed = [listed] if isinstance(listed, dict) else listed  # xmltodict gives one item as a dict
        assert [r["service_request_id"] for r in listed] == [code]
