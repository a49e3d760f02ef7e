"""Tokens, throttling, and errors that are always JSON and never leak a stack trace."""

import pytest
from rest_framework.test import APIClient

from api import views as api_views

pytestmark = pytest.mark.django_db


def test_token_from_username_and_password_opens_the_api(api):
    response = api().post("/api/v1/auth/token/", {"username": "clerk", "password": "pw-for-tests-1"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert token.startswith("dlxh_") and response.json()["expiry"]

    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/cases/").status_code == 200
    # Asking again gives a second token; the first one keeps working until it expires or is revoked.
    again = api().post("/api/v1/auth/token/", {"username": "clerk", "password": "pw-for-tests-1"}, format="json")
    assert again.json()["token"] != token
    assert client.get("/api/v1/cases/").status_code == 200


def test_wrong_password_is_a_json_400(api):
    response = api().post("/api/v1/auth/token/", {"username": "clerk", "password": "wrong"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]
    assert "token" not in body


def test_no_credentials_is_401_asking_for_a_token(api):
    response = api().get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_unknown_token_is_401(api):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_unknown_address_under_the_api_is_a_json_404(api):
    response = api("clerk").get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_a_post_to_an_unknown_address_is_a_json_404_too(api):
    client = APIClient(enforce_csrf_checks=True)  # as a real server: no HTML "CSRF failed" page either
    response = client.post("/api/v1/cases/DL%C2%84/transitions/verify/", {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_malformed_json_is_a_400(api):
    response = api("clerk").post("/api/v1/cases/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_only_json_bodies_are_accepted(api, intake_body):
    response = api("clerk").post("/api/v1/cases/", {"title": "x"})  # multipart form
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_an_unexpected_error_is_a_plain_json_500(api, new_case, monkeypatch):
    case = new_case()

    def broken(**kwargs):
        raise RuntimeError("internal detail that must not leak")

    monkeypatch.setattr(api_views, "case_get_for_user", broken)
    response = api("clerk").get(f"/api/v1/cases/{case.code}/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Hệ thống gặp lỗi không mong muốn. Vui lòng thử lại sau.", "code": "server_error",
    }
    assert b"internal detail" not in response.content
    assert b"Traceback" not in response.content


def test_each_person_has_a_request_budget(api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "3/min", "anon": None}}
    clerk = api("clerk")
    assert [clerk.get("/api/v1/cases/").status_code for _ in range(3)] == [200, 200, 200]

    refused = clerk.get("/api/v1/cases/")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    # Someone else's budget is untouched.
    assert api("leader").get("/api/v1/cases/").status_code == 200


def test_token_endpoint_is_throttled_per_address(api, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": "2/min"}}
    attempts = [
        api().post("/api/v1/auth/token/", {"username": "clerk", "password": "guess"}, format="json").status_code
        for _ in range(3)
    ]
    assert attempts == [400, 400, 429]
