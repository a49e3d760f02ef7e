"""Moving cases through the API: the legal moves succeed, the others answer 400, 403, 404 or 409
and change nothing."""

import pytest

from cases.models import Case, CaseEvent, CaseStatus

from .transitions import available, move

pytestmark = pytest.mark.django_db


def test_a_case_followed_from_intake_to_resolution(api, intake_body, world):
    clerk, leader, handler = api("clerk"), api("leader"), api("handler")
    code = clerk.post("/api/v1/cases/", intake_body(), format="json").json()["code"]
    case = Case.objects.get(code=code)

    verified = move(clerk, case, "verify", priority="urgent", note="Đã xác minh qua điện thoại")
    assert verified.status_code == 200
    assert (verified.json()["status"], verified.json()["priority"]) == ("verified", "urgent")

    assigned = move(leader, case, "assign", unit="P-A", assignee="handler", note="Giao anh Hùng")
    assert assigned.status_code == 200
    assert (assigned.json()["status"], assigned.json()["owner"], assigned.json()["assignee"]) == (
        "assigned", "P-A", "handler",
    )

    assert available(handler, case) == ["orient"]  # resolving first needs a public response here
    oriented = move(handler, case, "orient", response="Đã trả lời tại hội nghị thôn ngày 5/3")
    assert oriented.json()["status"] == "oriented"
    assert oriented.json()["public_response"] == "Đã trả lời tại hội nghị thôn ngày 5/3"

    resolved = move(handler, case, "resolve", outcome="Công ty nước đã thay đường ống")
    assert resolved.status_code == 200
    assert (resolved.json()["status"], resolved.json()["outcome"]) == ("resolved", "Công ty nước đã thay đường ống")

    events = clerk.get(f"/api/v1/cases/{code}/events/").json()
    assert [e["action"] for e in events] == ["intake", "verify", "assign", "orient", "resolve"]
    assert [e["actor"] for e in events] == ["clerk", "clerk", "leader", "handler", "handler"]


def test_available_moves_depend_on_state_and_role(api, new_case):
    case = new_case()
    assert available(api("clerk"), case) == ["verify", "reject", "merge", "transfer"]
    assert available(api("handler"), case) == []
    assert available(api("inspector"), case) == []


def test_reject_needs_a_reason(api, new_case):
    case = new_case()
    clerk = api("clerk")

    missing = move(clerk, case, "reject")
    assert missing.status_code == 400
    assert "reason" in missing.json()["errors"]
    blank = move(clerk, case, "reject", reason="  ")
    assert blank.status_code == 400
    assert blank.json()["errors"] == {"reason": ["Cần nêu lý do không thụ lý."]}
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RECEIVED

    rejected = move(clerk, case, "reject", reason="Tin nhắn quảng cáo")
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["closing_reason"]) == ("rejected", "Tin nhắn quảng cáo")


def test_verify_may_correct_topic_locality_and_priority(api, new_case, world):
    case = new_case()
    response = move(api("clerk"), case, "verify", topic="GY", locality="P-A", priority="flash")
    assert response.status_code == 200
    assert (response.json()["topic"], response.json()["locality"], response.json()["priority"]) == ("GY", "P-A", "flash")
    verify = CaseEvent.objects.get(case=case, action="verify")
    assert verify.data["changes"]["topic"] == ["MT", "GY"]


def test_verify_with_unknown_codes_is_400(api, new_case):
    case = new_case()
    response = move(api("clerk"), case, "verify", topic="NOPE", priority="someday")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"topic", "priority"}
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RECEIVED


def test_a_move_the_role_does_not_allow_is_403(api, new_case):
    case = new_case()
    response = move(api("handler"), case, "verify")
    assert response.status_code == 403
    assert response.json() == {"detail": "Bạn không có quyền thực hiện thao tác này.", "code": "permission_denied"}
    assert Case.objects.get(pk=case.pk).event_count == 1


def test_a_move_not_legal_from_the_current_state_is_409(api, new_case):
    case = new_case()
    response = move(api("handler"), case, "resolve", outcome="Xong")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Thao tác này không hợp lệ ở trạng thái hiện tại của vụ việc.", "code": "transition_not_allowed",
    }
    clerk = api("clerk")
    assert move(clerk, case, "verify").status_code == 200
    assert move(clerk, case, "verify").status_code == 409
    assert CaseEvent.objects.filter(case=case, action="verify").count() == 1


def test_a_stale_version_is_a_409_conflict(api, new_case):
    case = new_case()
    clerk = api("clerk")
    seen = clerk.get(f"/api/v1/cases/{case.code}/").json()["version"]
    assert move(clerk, case, "verify", version=seen).status_code == 200

    stale = move(clerk, case, "reject", reason="Trùng", version=seen)
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.VERIFIED


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("verify", {}),
        ("reject", {"reason": "x"}),
        ("merge", {"into": "DL-1999-000001"}),
        ("assign", {"unit": "P-A"}),
        ("reassign", {"unit": "P-A", "reason": "x"}),
        ("orient", {"response": "x"}),
        ("resolve", {"outcome": "x"}),
        ("reopen", {"reason": "x"}),
    ],
)
def test_every_move_on_an_invisible_case_is_404(api, new_case, name, body):
    case = new_case()
    response = move(api("clerk2"), case, name, **body)
    assert response.status_code == 404
    assert response.json() == {"detail": "Không tìm thấy vụ việc.", "code": "not_found"}
    assert Case.objects.get(pk=case.pk).event_count == 1


def test_assign_checks_the_unit_and_the_person(api, new_case):
    case = new_case()
    move(api("clerk"), case, "verify")
    leader = api("leader")

    assert move(leader, case, "assign", unit="NOPE").json()["errors"] == {"unit": ["Không có đơn vị mã “NOPE”."]}
    assert move(leader, case, "assign", unit="P-A", assignee="nobody").json()["errors"] == {
        "assignee": ["Không có người dùng “nobody”."],
    }
    outside = move(leader, case, "assign", unit="P-B")
    assert outside.status_code == 400
    assert outside.json()["errors"] == {"unit": ["Chỉ được giao cho đơn vị thuộc phạm vi mình phụ trách."]}
    not_there = move(leader, case, "assign", unit="P-A", assignee="handler2")
    assert not_there.json()["errors"] == {"assignee": ["Người được giao không thuộc đơn vị xử lý."]}
    assert Case.objects.get(pk=case.pk).status == CaseStatus.VERIFIED

    to_hamlet = move(leader, case, "assign", unit="P-A-T1", assignee="hamlet_handler")
    assert to_hamlet.status_code == 200
    assert (to_hamlet.json()["owner"], to_hamlet.json()["assignee"]) == ("P-A-T1", "hamlet_handler")


def test_reassign_and_reopen_need_a_reason(api, new_case):
    case = new_case()
    move(api("clerk"), case, "verify")
    leader = api("leader")
    move(leader, case, "assign", unit="P-A")

    assert move(leader, case, "reassign", unit="P-A-T1").status_code == 400
    reassigned = move(leader, case, "reassign", unit="P-A-T1", reason="Thôn xử lý nhanh hơn")
    assert reassigned.status_code == 200
    assert (reassigned.json()["status"], reassigned.json()["owner"]) == ("assigned", "P-A-T1")

    hamlet = api("hamlet_handler")
    move(hamlet, case, "orient", response="Đã thông báo ở nhà văn hóa")
    assert move(hamlet, case, "resolve", outcome="").json()["errors"] == {"outcome": ["Cần nhập kết quả giải quyết."]}
    assert move(hamlet, case, "resolve", outcome="Đã xử lý").status_code == 200

    assert move(leader, case, "reopen", reason=" ").json()["errors"] == {"reason": ["Cần nêu lý do mở lại."]}
    reopened = move(leader, case, "reopen", reason="Người dân báo vẫn còn")
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "assigned"


def test_orient_needs_the_response_text(api, new_case):
    case = new_case()
    move(api("clerk"), case, "verify")
    move(api("leader"), case, "assign", unit="P-A")
    response = move(api("handler"), case, "orient", response="")
    assert response.status_code == 400
    assert response.json()["errors"] == {"response": ["Cần nhập nội dung định hướng, trả lời."]}


def test_resolve_without_public_response_only_where_the_topic_allows(api, new_case, world):
    loud, quiet = new_case("Ô nhiễm"), new_case("Góp ý", topic=world.quiet_topic)
    for case in (loud, quiet):
        move(api("clerk"), case, "verify")
        move(api("leader"), case, "assign", unit="P-A")
    handler = api("handler")

    refused = move(handler, loud, "resolve", outcome="Xong")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Lĩnh vực này yêu cầu trả lời, định hướng công khai trước khi giải quyết."
    assert move(handler, quiet, "resolve", outcome="Đã tiếp thu").json()["status"] == "resolved"


def test_merge_folds_a_duplicate_into_a_visible_case(api, new_case, world):
    survivor, duplicate = new_case("Rác ở chợ"), new_case("Rác ở chợ (lần 2)")
    elsewhere = new_case("Đèn hỏng", by=world.clerk2, locality=world.hamlet_b)
    clerk = api("clerk")

    hidden = move(clerk, duplicate, "merge", into=elsewhere.code)
    assert hidden.status_code == 400
    assert hidden.json()["errors"] == {"into": [f"Không tìm thấy vụ việc mã “{elsewhere.code}”."]}
    itself = move(clerk, duplicate, "merge", into=duplicate.code)
    assert itself.json()["errors"] == {"into": ["Không thể gộp vụ việc vào chính nó."]}

    merged = move(clerk, duplicate, "merge", into=survivor.code, note="Cùng nội dung")
    assert merged.status_code == 200
    assert (merged.json()["status"], merged.json()["merged_into"]) == ("merged", survivor.code)
    assert clerk.get(f"/api/v1/cases/{survivor.code}/").json()["report_count"] == 2
