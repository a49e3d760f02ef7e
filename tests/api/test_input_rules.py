"""The input rules the schema states, one by one, as the server applies them (test_schema.py fuzzes them all)."""

import re

import pytest

from api.fields import NOT_BLANK, NOT_EMPTY
from api.idempotency import KEY_PATTERN
from cases.models import Case

pytestmark = pytest.mark.django_db


def test_text_is_a_json_string_not_a_number(api, intake_body):
    clerk = api("clerk")
    response = clerk.post("/api/v1/cases/", intake_body(title=0), format="json")
    assert response.status_code == 400 and "title" in response.json()["errors"]
    case = clerk.post("/api/v1/cases/", intake_body(), format="json").json()["code"]
    refused = api("leader").post(f"/api/v1/cases/{case}/transitions/reject/", {"reason": 0}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    assert Case.objects.get(code=case).status == "received"


def test_version_is_a_json_integer(api, intake_body):
    case = api("clerk").post("/api/v1/cases/", intake_body(), format="json").json()["code"]
    response = api("leader").post(f"/api/v1/cases/{case}/transitions/reject/", {"reason": "Trùng", "version": "0"},
                                  format="json")
    assert response.status_code == 400 and "version" in response.json()["errors"]


@pytest.mark.parametrize("key", [" padded", "padded ", "khóa-có-dấu", "tab\there"])
def test_an_idempotency_key_is_printable_ascii_without_spaces_at_its_ends(api, intake_body, key):
    assert not re.fullmatch(KEY_PATTERN, key)
    response = api("clerk").post("/api/v1/cases/", intake_body(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["errors"]
    assert re.fullmatch(KEY_PATTERN, "a b") and re.fullmatch(KEY_PATTERN, "x" * 255)


def test_the_text_patterns_mean_what_the_server_does():
    """`not blank` is what str.strip() leaves something of (ECMAScript's \\s is another set); no NUL anywhere."""
    for text in ("", " ", "\u3000\t", "\x1c", "\x85"):
        assert not re.fullmatch(NOT_BLANK, text) and not text.strip()
    for text in ("a", " a ", "\ufeff"):
        assert re.fullmatch(NOT_BLANK, text) and text.strip()
    assert not re.fullmatch(NOT_BLANK, "a\x00") and not re.fullmatch(NOT_EMPTY, "a\x00")


def test_an_empty_query_parameter_is_not_sent_and_a_bad_page_size_is_refused(api, intake_body):
    clerk = api("clerk")
    clerk.post("/api/v1/cases/", intake_body(), format="json")
    assert clerk.get("/api/v1/cases/", {"topic": "", "status": "", "received_after": ""}).json()["count"] == 1
    for size in ("abc", "0", "-1", "null"):
        response = clerk.get("/api/v1/cases/", {"page_size": size})
        assert response.status_code == 400 and "page_size" in response.json()["errors"], size
    assert clerk.get("/api/v1/cases/", {"page_size": 1000}).json()["count"] == 1


@pytest.mark.parametrize("path", ["/notifications/x%0A/read/", "/notifications/nowhere/", "/api/v1/reports/%0A",
                                  "/api/v1/reports/1/%0A/", "/api/v1/cases/%0A/"])
def test_unknown_paths_of_the_json_interfaces_are_json_404s(api, world, path):
    response = api("clerk").get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json") and response.json()["code"] == "not_found"


def test_the_bells_endpoints_answer_as_the_api(api, world):
    clerk = api("clerk")
    assert clerk.post("/notifications/999999/read/").json()["code"] == "not_found"
    refused = clerk.put("/notifications/preference/", {"email_mode": "weekly"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid"
    assert api().get("/notifications/").status_code == 401
