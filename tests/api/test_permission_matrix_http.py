"""Every cell of the permission matrix, through HTTP.

Reads and moves go through the REST API with a token (a case out of reach
is 404, a move the role does not allow is 403, an allowed one 200); export
and the reporter identity vault go through the web screens with a session.
The service-layer half is tests/cases/test_permission_matrix.py.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases.permission_matrix import ACTIONS, RELATIONS, ROLES, expected, reaches
from tests.api.conftest import person_token
from tests.cases.test_permission_matrix import MatrixWorld

CELLS = [(role, relation) for role in ROLES for relation in RELATIONS]

MOVES = {
    # action: (state the case must be in, request body)
    "verify": ("received", {}),
    "reject": ("received", {"reason": "Không thuộc phạm vi"}),
    "merge": ("received", None),  # the body names a second case, made per attempt
    "assign": ("verified", {"unit": "M-A"}),
    "reassign": ("assigned", {"unit": "M-A-1", "reason": "Thôn xử lý"}),
    "orient": ("assigned", {"response": "Đã trả lời"}),
    "resolve": ("oriented", {"outcome": "Đã xong"}),
    "reopen": ("resolved", {"reason": "Chưa xong"}),
}


@pytest.fixture
def matrix(db):
    return MatrixWorld()


def api_as(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {person_token(user)}")
    return client


def web_as(user):
    client = Client()
    client.force_login(user)
    return client


def observe_http(action, actor, matrix, case):
    """(allowed?, HTTP status) for one cell."""
    api = api_as(actor)
    if action == "list":
        response = api.get("/api/v1/cases/", {"page_size": 100})
        assert response.status_code == 200
        return case.code in {row["code"] for row in response.json()["results"]}, 200
    if action == "detail":
        response = api.get(f"/api/v1/cases/{case.code}/")
        return response.status_code == 200, response.status_code
    if action == "export":
        response = web_as(actor).get("/cases/export.csv")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return case.code in body.decode("utf-8-sig"), response.status_code
    if action == "reporter_contact":
        response = web_as(actor).post(f"/cases/{case.code}/reveal/", {"reason": "Kiểm tra ma trận"}, follow=True)
        return response.status_code == 200 and "0900000001" in response.content.decode(), response.status_code
    state, body = MOVES[action]
    target = matrix.case_in(state)
    if action == "merge":
        body = {"into": matrix.case_in("received", "Vụ giữ lại").code}
    response = api.post(f"/api/v1/cases/{target.code}/transitions/{action}/", body, format="json")
    assert response.status_code in (200, 403, 404), (action, response.status_code, response.content)
    return response.status_code == 200, response.status_code


@pytest.mark.parametrize(("role", "relation"), CELLS, ids=[f"{r}-{rel}" for r, rel in CELLS])
def test_matrix_row_through_http(role, relation, matrix):
    actor = matrix.actor(role, relation)
    case = matrix.case_in("received")
    observed, statuses = {}, {}
    for action in ACTIONS:
        observed[action], statuses[action] = observe_http(action, actor, matrix, case)
    assert observed == {action: expected(role, relation, action) for action in ACTIONS}
    # Out of reach looks like missing (404); within reach, a refused move is 403.
    for action in ("detail", *MOVES):
        if not observed[action]:
            assert statuses[action] == (403 if reaches(role, relation) else 404), (action, statuses[action])
