"""Issue 15, item 8: the small holes, each through the real URLs.

A NUL in an address is a 400 before any view runs; JSON nested too deep is a 400; every error
under /api/ is JSON, even with DEBUG on; a move the role table refuses is a 403 whatever the
body; the caller's DEMO_PASSWORD changes nothing in a test.
"""

import json
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpResponseNotAllowed, HttpResponseServerError
from django.test import Client

from api.parsers import MAX_DEPTH, nesting_depth
from cases.demo import DEFAULT_DEMO_PASSWORD, USERS
from security.middleware import ApiErrorsAsJsonMiddleware
from tests.api.transitions import move

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000


@pytest.fixture(autouse=True)
def _own_cache(private_cache):
    """Throttle counters of this test's own (the token endpoint counts per address)."""


@pytest.fixture
def anonymous():
    return Client(HTTP_ACCEPT_LANGUAGE="vi", raise_request_exception=False)


def _json_error(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["code"] == code
    assert body["detail"]


# --- a NUL in the address ------------------------------------------------------


@pytest.mark.parametrize("url", ["/cases/%00/", "/cases/DL-2026-000001%00/move/verify/", "/reports/%00/", "/%00"])
def test_a_nul_in_a_web_path_is_a_400_page(world, as_user, anonymous, url):
    for client in (anonymous, as_user("clerk")):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response["Content-Type"].startswith("text/html")


def test_a_nul_in_the_duplicate_search_is_a_400(world, as_user, new_case):
    new_case("Rác thải tồn đọng ở chợ thôn một")
    clerk = as_user("clerk")
    label = world.hamlet_a.name
    found = clerk.get("/cases/new/duplicates/", {"title": "Rác thải tồn đọng ở chợ", "locality": label})
    assert found.status_code == 200
    for query in ({"title": "Rác thải\x00 tồn đọng ở chợ", "locality": label}, {"title": "Rác thải", "locality": "\x00"}):
        assert clerk.get("/cases/new/duplicates/", query).status_code == 400


def test_a_nul_in_the_public_lookup_or_the_queue_is_a_400(world, as_user, anonymous):
    assert anonymous.get("/tra-cuu/", {"code": "DL-2026\x00"}).status_code == 400
    assert as_user("clerk").get("/cases/", {"q": "rác\x00"}).status_code == 400


def test_a_nul_in_an_api_path_or_query_is_a_json_400(api):
    _json_error(api("clerk").get("/api/v1/cases/%00/"), 400, "bad_request")
    _json_error(api("clerk").get("/api/v1/cases/", {"q": "a\x00b"}), 400, "bad_request")
    _json_error(api().post("/api/v1/auth/token/?x=%00", {}, format="json"), 400, "bad_request")
    # Open311 in GeoReport's shape, as its own errors.
    response = api().get("/api/v1/open311/v2/requests.json", {"status": "open\x00"})
    assert (response.status_code, response.json()[0]["code"]) == (400, 400)


# --- JSON nested too deep --------------------------------------------------------


def test_json_nested_far_too_deep_is_a_400_even_to_the_anonymous_token_endpoint(api):
    for client, url in ((api(), "/api/v1/auth/token/"), (api("clerk"), "/api/v1/cases/")):
        response = client.generic("POST", url, DEEP, content_type="application/json")
        _json_error(response, 400, "parse_error")


def test_json_just_past_the_limit_is_a_400_and_within_it_reaches_the_serializer(api, intake_body):
    too_deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    _json_error(api("clerk").generic("POST", "/api/v1/cases/", too_deep, content_type="application/json"),
                400, "parse_error")
    # Nested within the limit, in a field: the serializer's own error, not the parser's.
    nested = {"title": [[[["x"]]]]}
    _json_error(api("clerk").post("/api/v1/cases/", intake_body(**nested), format="json"), 400, "invalid")
    assert api("clerk").post("/api/v1/cases/", intake_body(), format="json").status_code == 201


def test_a_move_with_json_far_too_deep_is_a_400(api, new_case):
    case = new_case()
    response = api("clerk").generic("POST", f"/api/v1/cases/{case.code}/transitions/verify/", DEEP,
                                    content_type="application/json")
    _json_error(response, 400, "parse_error")


def test_the_inbound_adapters_answer_deep_json_without_a_500(api):
    response = api().generic("POST", "/api/v1/open311/v2/requests.json", DEEP, content_type="application/json")
    assert 400 <= response.status_code < 500
    response = api().generic("POST", "/api/v1/channels/email/messages/", DEEP, content_type="application/json")
    assert 400 <= response.status_code < 500


def test_nesting_depth():
    assert nesting_depth("x", limit=5) == 0
    assert nesting_depth({"a": [1, {"b": []}]}, limit=5) == 4
    assert nesting_depth([[[[[[[[]]]]]]]], limit=3) == 4  # stops counting past the limit


# --- every /api/ error as JSON, DEBUG on -----------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/cases/x%0A/", "/api/v1/cases/x%0A/events/", "/api/v1/reports/x%0A/",
                                 "/api/v1/nothing-here/", "/api/v2/cases/", "/api/"])
def test_an_api_address_that_is_nothing_is_a_json_404_even_with_debug(api, settings, url):
    settings.DEBUG = True
    response = api("clerk").get(url)
    _json_error(response, 404, "not_found")
    assert b"URLconf" not in response.content


def test_an_error_page_under_api_becomes_json_and_elsewhere_stays_a_page(rf):
    """What Django itself answers (with DEBUG, its technical 500 page) under /api/: the API's JSON."""
    page = HttpResponseServerError("<html>Traceback …</html>")
    middleware = ApiErrorsAsJsonMiddleware(lambda request: page)
    _json_error(middleware(rf.post("/api/v1/cases/")), 500, "server_error")
    assert middleware(rf.get("/cases/")) is page
    refused = HttpResponseNotAllowed(["GET"])
    answer = ApiErrorsAsJsonMiddleware(lambda request: refused)(rf.put("/api/v1/x/"))
    _json_error(answer, 405, "bad_request")
    assert answer["Allow"] == "GET"


# --- authorization before validation -------------------------------------------


@pytest.mark.parametrize("name", ["verify", "reject", "merge", "transfer"])
def test_an_inspectors_move_without_its_fields_is_a_403(api, new_case, name):
    case = new_case()
    for body in ({}, {"unit": "", "reason": "", "into": "", "version": "x"}):
        response = move(api("inspector"), case, name, body)
        _json_error(response, 403, "permission_denied")
    # The clerk, who may make the move, is told what the body lacks (verify needs nothing).
    if name != "verify":
        _json_error(move(api("clerk"), case, name), 400, "invalid")


# --- the caller's environment ------------------------------------------------------


def test_the_callers_demo_password_is_not_seen_by_a_test():
    assert "DEMO_PASSWORD" not in os.environ


def test_seed_demo_takes_demo_password_when_a_test_sets_it(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "xyz-mat-khau-1")
    call_command("seed_demo", verbosity=0)
    users = get_user_model().objects.filter(username__in=[username for username, _, _ in USERS])
    assert users.count() == len(USERS)
    assert all(user.check_password("xyz-mat-khau-1") for user in users)


def test_seed_demo_without_it_gives_the_default_password_the_login_tests_use(anonymous):
    call_command("seed_demo", verbosity=0)
    assert get_user_model().objects.get(username="clerk").check_password(DEFAULT_DEMO_PASSWORD)
    response = anonymous.post("/login/", {"username": "clerk", "password": DEFAULT_DEMO_PASSWORD})
    assert response.status_code == 302
