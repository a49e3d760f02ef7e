"""A move this caller may not make now is refused before its body is read.

The order, for every move: a case out of reach is 404; a move not legal from the case's state is 409;
a move the role table refuses is 403; a condition of the move unmet is 409 with its reason; only then
is the body checked (400). Nothing is written on any refusal.
"""

import pytest

from cases.models import Case

from .transitions import move

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(api, new_case):
    case = new_case()
    assert move(api("clerk"), case, "verify").status_code == 200
    return case


def test_a_handler_assigning_with_an_empty_body_is_403_not_400(api, verified):
    response = move(api("handler"), verified, "assign")
    assert response.status_code == 403
    assert response.json() == {"detail": "Bạn không có quyền thực hiện thao tác này.", "code": "permission_denied"}
    # The leader, who may assign, is told what the body lacks.
    missing = move(api("leader"), verified, "assign")
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"unit"}
    assert Case.objects.get(pk=verified.pk).event_count == 2


# No escalation: the supervisor directs nothing yet.
REFUSED_BY_THE_ROLE_TABLE = [
    ("handler", "reject"), ("handler", "merge"), ("handler", "transfer"), ("clerk", "assign"),
    ("handler", "assign"), ("secretariat", "assign"), ("inspector", "assign"),
    ("supervisor", "pull_up"), ("supervisor", "instruct"), ("supervisor", "extend"),
]
NOT_LEGAL_FROM_VERIFIED = [
    ("handler", "resolve"), ("handler", "orient"), ("leader", "reopen"), ("leader", "reassign"),
    ("clerk", "verify"), ("clerk", "reporter_notified"), ("leader", "keep_closed"), ("handler", "verify"),
]


def test_a_move_the_role_table_refuses_is_403_whatever_the_body(api, verified):
    for username, name in REFUSED_BY_THE_ROLE_TABLE:
        for body in ({}, {"unit": "NOPE", "reason": "", "version": -1, "new_due": "x"}):
            response = move(api(username), verified, name, body)
            assert (response.status_code, response.json()["code"]) == (403, "permission_denied"), (username, name)
    assert Case.objects.get(pk=verified.pk).event_count == 2


def test_a_move_not_legal_from_the_state_is_409_whatever_the_body(api, verified):
    for username, name in NOT_LEGAL_FROM_VERIFIED:
        response = move(api(username), verified, name)
        assert response.status_code == 409, (username, name)
        assert response.json() == {
            "detail": "Thao tác này không hợp lệ ở trạng thái hiện tại của vụ việc.", "code": "transition_not_allowed",
        }
    assert Case.objects.get(pk=verified.pk).event_count == 2


def test_an_unmet_condition_is_409_with_its_reason_before_the_body(api, new_case):
    case = new_case()
    clerk, leader, handler = api("clerk"), api("leader"), api("handler")
    move(clerk, case, "verify")
    move(leader, case, "assign", {"unit": "P-A"})

    no_instruction = move(handler, case, "acknowledge")
    assert (no_instruction.status_code, no_instruction.json()["detail"]) == (
        409, "Không có chỉ đạo nào đang chờ tiếp thu.",
    )
    needs_response = move(handler, case, "resolve")
    assert (needs_response.status_code, needs_response.json()["detail"]) == (
        409, "Lĩnh vực này yêu cầu trả lời, định hướng công khai trước khi giải quyết.",
    )
    move(handler, case, "orient", {"response": "Đã trả lời"})
    move(handler, case, "resolve", {"outcome": "Đã xong"})
    no_decision = move(leader, case, "keep_closed")
    assert (no_decision.status_code, no_decision.json()["detail"]) == (
        409, "Không có đề nghị xem lại nào đang chờ quyết định.",
    )
    assert Case.objects.get(pk=case.pk).event_count == 5


NEW_MOVES = {
    "keep_closed": {"reason": "x"},
    "transfer": {"agency": "x", "legal_basis": "y"},
    "reporter_notified": {"how": "x"},
    "pull_up": {"reason": "x"},
    "instruct": {"instruction": "x"},
    "acknowledge": {},
    "extend": {"new_due": "2026-12-01T09:00:00+07:00", "decision_ref": "1/QĐ", "reason": "x"},
}


def test_the_new_moves_on_an_invisible_case_are_404(api, new_case):
    case = new_case()
    for name, body in NEW_MOVES.items():
        response = move(api("clerk2"), case, name, body)
        assert response.status_code == 404, name
        assert response.json() == {"detail": "Không tìm thấy vụ việc.", "code": "not_found"}
    assert Case.objects.get(pk=case.pk).event_count == 1


def test_the_body_is_still_checked_for_a_move_that_is_allowed(api, new_case):
    case = new_case(kind="complaint")
    clerk = api("clerk")
    missing = move(clerk, case, "transfer")
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"agency", "legal_basis"}
    not_text = move(clerk, case, "transfer", {"agency": ["a"], "legal_basis": {"b": 1}})
    assert set(not_text.json()["errors"]) == {"agency", "legal_basis"}
    assert Case.objects.get(pk=case.pk).event_count == 1


@pytest.mark.parametrize("body", [{}, {"title": "", "locality": "NOPE", "channel": 7}])
def test_intake_by_someone_with_no_intake_role_is_403_whatever_the_body(api, world, body):
    for username in ("handler", "inspector", "secretariat"):
        response = api(username).post("/api/v1/cases/", body, format="json")
        assert response.status_code == 403, (username, response.json())
        assert response.json()["code"] == "permission_denied"
    assert not Case.objects.exists()
    # A clerk sending the same body is told what it lacks.
    assert api("clerk").post("/api/v1/cases/", body, format="json").status_code == 400
