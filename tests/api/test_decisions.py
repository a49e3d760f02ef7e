"""A resident's "not fixed" waits for the leader's decision, which the API offers and records: `reopen`, or
`keep_closed` with a reason that the case then carries."""

import pytest

from cases.services import case_public_feedback

from .transitions import move

pytestmark = pytest.mark.django_db


def moves(client, code):
    return {row["name"]: row["label"] for row in client.get(f"/api/v1/cases/{code}/transitions/").json()}


@pytest.fixture
def not_fixed(api, new_case):
    """A resolved case whose reporter answered "not fixed" on the public page."""
    case = new_case()
    clerk, leader, handler = api("clerk"), api("leader"), api("handler")
    move(clerk, case.code, "verify")
    move(leader, case.code, "assign", unit="P-A")
    move(handler, case.code, "orient", response="Đã thông báo tại nhà văn hóa")
    assert move(handler, case.code, "resolve", outcome="Đã nạo vét cống").status_code == 200
    assert moves(leader, case.code) == {"reopen": "Mở lại"}
    case.refresh_from_db()  # the moves above went through HTTP
    case_public_feedback(case=case, secret=case.public_secret, fixed=False, comment="Cống vẫn tắc")
    return case.code


def test_keep_closed_answers_the_resident_with_a_reason(api, not_fixed):
    leader = api("leader")
    assert leader.get(f"/api/v1/cases/{not_fixed}/").json()["reopen_requested"] is True
    assert moves(leader, not_fixed) == {"reopen": "Mở lại", "keep_closed": "Giữ kết quả, không mở lại"}
    assert move(api("handler"), not_fixed, "keep_closed").status_code == 403  # before the missing reason

    blank = move(leader, not_fixed, "keep_closed", reason=" ")
    assert blank.json()["errors"] == {"reason": ["Cần nêu lý do giữ kết quả giải quyết."]}
    kept = move(leader, not_fixed, "keep_closed", reason="Đã kiểm tra thực địa, cống thông; tắc do mưa lớn hôm qua")
    assert kept.status_code == 200, kept.json()
    body = kept.json()
    assert (body["status"], body["reopen_requested"], body["kept_closed_reason"]) == (
        "resolved", False, "Đã kiểm tra thực địa, cống thông; tắc do mưa lớn hôm qua",
    )
    assert moves(leader, not_fixed) == {"reopen": "Mở lại"}
    assert move(leader, not_fixed, "keep_closed", reason="Lần nữa").status_code == 409
    events = leader.get(f"/api/v1/cases/{not_fixed}/events/").json()
    assert [e["action"] for e in events][-2:] == ["public_feedback", "keep_closed"]


def test_reopen_answers_it_too(api, not_fixed):
    leader = api("leader")
    reopened = move(leader, not_fixed, "reopen", reason="Người dân báo cống vẫn tắc")
    assert reopened.status_code == 200
    assert (reopened.json()["status"], reopened.json()["reopen_requested"]) == ("assigned", False)
