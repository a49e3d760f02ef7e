"""Each kind of case end to end through the API, as the people of the test world.

Opinions, proposals and reflections follow the main line to a submitted report. Complaints and
denunciations are not settled here: the clerk transfers them to the competent agency with the legal
basis, then records how the reporter was told, which closes the case; each of those steps has its
own clock. A reflection outside this body's competence takes the same way out from `verified`.
"""

from datetime import datetime
from unittest.mock import ANY

import pytest

from cases.models import Case, CaseStatus
from workflow.models import CaseClock, ClockKind

from ..workflow.conftest import at
from .transitions import available, move

pytestmark = pytest.mark.django_db

AGENCY = "Thanh tra huyện Đông Anh"
LEGAL_BASIS = "Luật Khiếu nại 2011, Điều 17; Thông tư 05/2021/TT-TTCP"


def intake(client, intake_body, **overrides):
    response = client.post("/api/v1/cases/", intake_body(**overrides), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def running_step_clocks(code):
    return list(CaseClock.objects.filter(case__code=code, kind=ClockKind.STEP, stopped_at__isnull=True)
                .values_list("clock", flat=True))


def running_clocks(code):
    return list(CaseClock.objects.filter(case__code=code, stopped_at__isnull=True).values_list("clock", flat=True))


def test_intake_takes_the_kind_and_reflection_is_the_default(api, intake_body):
    clerk = api("clerk")
    body = intake_body()
    assert "kind" not in body
    unsaid = intake(clerk, intake_body)
    assert unsaid["kind"] == "reflection"
    for kind in ("opinion", "proposal", "reflection", "complaint", "denunciation"):
        case = intake(clerk, intake_body, kind=kind)
        assert case["kind"] == kind
        assert Case.objects.get(code=case["code"]).kind == kind
    # The new fields are there from the start, empty.
    assert {name: unsaid[name] for name in (
        "transfer_agency", "transfer_legal_basis", "reporter_notified_at", "reporter_notified_how",
        "kept_closed_reason", "instruction_pending", "reopen_requested", "escalated_to",
    )} == {
        "transfer_agency": "", "transfer_legal_basis": "", "reporter_notified_at": None, "reporter_notified_how": "",
        "kept_closed_reason": "", "instruction_pending": False, "reopen_requested": False, "escalated_to": [],
    }


@pytest.mark.parametrize("kind", ["petition", "", None, 3])
def test_an_unknown_kind_is_a_field_error_and_nothing_is_logged(api, intake_body, kind):
    response = api("clerk").post("/api/v1/cases/", intake_body(kind=kind), format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"kind"}
    assert not Case.objects.exists()


def test_opinion_proposal_and_reflection_follow_the_main_line_to_the_report(api, intake_body, world, time_machine):
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    clerk, leader, handler = api("clerk"), api("leader"), api("handler")
    codes = {}
    for kind in ("opinion", "proposal", "reflection"):
        code = intake(clerk, intake_body, kind=kind, title=f"Một {kind} về nước sạch")["code"]
        codes[kind] = code
        assert running_step_clocks(code) == ["verify"]
        assert available(clerk, code) == ["verify", "reject", "merge", "transfer"]
        assert move(clerk, code, "verify").json()["status"] == "verified"
        assert move(leader, code, "assign", unit="P-A", assignee="handler").json()["status"] == "assigned"
        assert running_step_clocks(code) == ["orient"]
        assert move(handler, code, "orient", response="Đã trả lời tại hội nghị thôn").json()["status"] == "oriented"
        resolved = move(handler, code, "resolve", outcome="Đã thay đường ống")
        assert (resolved.status_code, resolved.json()["status"], resolved.json()["kind"]) == (200, "resolved", kind)
        assert running_step_clocks(code) == []

    time_machine.move_to(at(2026, 4, 3, 9), tick=False)
    secretariat = api("secretariat")
    draft = secretariat.post("/api/v1/reports/", {"unit": "P-A", "kind": "monthly", "period_start": "2026-03-02"},
                             format="json")
    assert draft.status_code == 201, draft.json()
    submitted = secretariat.post(f"/api/v1/reports/{draft.json()['id']}/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert sorted(submitted.json()["versions"][0]["marked_cases"]) == sorted(codes.values())
    for kind, code in codes.items():
        case = clerk.get(f"/api/v1/cases/{code}/").json()
        assert (case["status"], case["kind"]) == ("reported", kind)
        events = clerk.get(f"/api/v1/cases/{code}/events/").json()
        assert [e["action"] for e in events] == ["intake", "verify", "assign", "orient", "resolve", "report"]


@pytest.mark.parametrize("kind", ["complaint", "denunciation"])
def test_complaints_and_denunciations_are_transferred_and_closed_once_the_reporter_is_told(
    api, intake_body, kind, time_machine,
):
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    clerk = api("clerk")
    case = intake(clerk, intake_body, kind=kind)
    code = case["code"]
    # Its own step clock replaces verification: a time limit to transfer, with its legal basis.
    assert running_step_clocks(code) == ["transfer"]
    transfer_clock = CaseClock.objects.get(case__code=code, clock="transfer")
    assert transfer_clock.policy.legal_basis
    deadline = clerk.get(f"/api/v1/cases/{code}/").json()["deadline"]
    assert datetime.fromisoformat(deadline) == transfer_clock.due_at
    assert {"name": "transfer", "label": "Chuyển đơn"} in clerk.get(f"/api/v1/cases/{code}/transitions/").json()

    missing = move(clerk, code, "transfer", agency=AGENCY, legal_basis=" ")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"legal_basis": ["Cần nêu căn cứ pháp lý của việc chuyển đơn."]}
    assert Case.objects.get(code=code).status == CaseStatus.RECEIVED

    time_machine.move_to(at(2026, 3, 3, 10), tick=False)
    transferred = move(clerk, code, "transfer", agency=AGENCY, legal_basis=LEGAL_BASIS, note="Gửi kèm hồ sơ")
    assert transferred.status_code == 200, transferred.json()
    body = transferred.json()
    assert (body["status"], body["transfer_agency"], body["transfer_legal_basis"]) == (
        "transferred", AGENCY, LEGAL_BASIS,
    )
    assert running_step_clocks(code) == ["notify_reporter"]
    # It now waits in the clerk's hands for one move only.
    assert clerk.get(f"/api/v1/cases/{code}/transitions/").json() == [
        {"name": "reporter_notified", "label": "Đã báo người phản ánh"},
    ]
    assert available(api("handler"), code) == []

    time_machine.move_to(at(2026, 3, 4, 15), tick=False)
    told_at = at(2026, 3, 4, 14, 30)
    notified = move(clerk, code, "reporter_notified", how="Gọi điện thoại cho người phản ánh",
                    notified_at=told_at.isoformat())
    assert notified.status_code == 200, notified.json()
    body = notified.json()
    assert (body["status"], body["reporter_notified_how"], body["reporter_notified_at"]) == (
        "transfer_closed", "Gọi điện thoại cho người phản ánh", told_at.isoformat(),
    )
    assert body["overdue"] is False and body["deadline"] is None
    assert running_clocks(code) == []  # final: no step clock, and the legal reply clock is answered too
    assert available(clerk, code) == []
    assert move(clerk, code, "reporter_notified", how="Lần nữa").status_code == 409

    events = clerk.get(f"/api/v1/cases/{code}/events/").json()
    assert [(e["action"], e["from"], e["to"], e["actor"]) for e in events] == [
        ("intake", "", "received", "clerk"),
        ("transfer", "received", "transferred", "clerk"),
        ("reporter_notified", "transferred", "transfer_closed", "clerk"),
    ]
    assert events[1]["data"] == {"agency": AGENCY, "legal_basis": LEGAL_BASIS, "deadline": ANY}  # the notify step's
    assert events[1]["note"] == "Gửi kèm hồ sơ"
    assert events[2]["data"] == {"how": "Gọi điện thoại cho người phản ánh", "notified_at": "2026-03-04T14:30+07:00",
                                 "deadline": None}


def test_a_reflection_outside_competence_is_transferred_from_verified(api, intake_body):
    clerk, leader = api("clerk"), api("leader")
    code = intake(clerk, intake_body)["code"]
    move(clerk, code, "verify")
    assert available(leader, code) == ["reject", "merge", "transfer", "assign", "extend"]

    transferred = move(leader, code, "transfer", agency="Công ty Cấp nước tỉnh P",
                       legal_basis="Nghị định 20/2008/NĐ-CP")
    assert transferred.status_code == 200
    assert (transferred.json()["status"], transferred.json()["kind"]) == ("transferred", "reflection")
    notified = move(clerk, code, "reporter_notified", how="Thư trả lời")
    assert notified.status_code == 200
    assert notified.json()["status"] == "transfer_closed"
    assert notified.json()["reporter_notified_at"]


def test_reporter_notified_checks_the_time(api, intake_body, time_machine):
    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    clerk = api("clerk")
    code = intake(clerk, intake_body, kind="denunciation")["code"]
    move(clerk, code, "transfer", agency=AGENCY, legal_basis=LEGAL_BASIS)

    future = move(clerk, code, "reporter_notified", how="Gọi điện", notified_at=at(2026, 3, 3, 9).isoformat())
    assert future.json()["errors"] == {"notified_at": ["Thời điểm báo không được ở tương lai."]}
    before = move(clerk, code, "reporter_notified", how="Gọi điện", notified_at=at(2026, 3, 1, 9).isoformat())
    assert before.json()["errors"] == {"notified_at": ["Thời điểm báo không được trước khi tiếp nhận."]}
    blank = move(clerk, code, "reporter_notified", how="")
    assert blank.json()["errors"] == {"how": ["Cần nêu hình thức đã báo cho người phản ánh."]}
    assert Case.objects.get(code=code).status == CaseStatus.TRANSFERRED
