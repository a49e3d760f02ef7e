"""Escalation with authority, through the API: time moved past a step's deadline, the sweep run, and the tier
above then holds real moves (pull_up, reassign, extend, instruct), each checked for its result.

Commune A's case is assigned to itself on Mon 2 Mar 2026 09:00; its public response is due three working
days later, Thu 5 Mar 09:00, and past that it goes to the province (P). A case handed down to hamlet T1
goes first to commune A, then, three working days on (Tue 10 Mar 09:00), to the province.
"""

from datetime import datetime

import pytest
from django.contrib.auth import get_user_model

from cases.models import Case, CaseEvent, Role
from cases.services import unit_role_grant
from workflow.services import clocks_sweep

from ..workflow.conftest import at
from .transitions import available, move

pytestmark = pytest.mark.django_db

DIRECTION_MOVES = ["reassign", "pull_up", "instruct", "extend"]  # in the order the API lists them


def case_of(client, code):
    response = client.get(f"/api/v1/cases/{code}/")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def province_leader(world):
    """A leader on the province: someone there who can work a case pulled up."""

    def grant():
        user = get_user_model().objects.create_user(username="province_leader", password="pw-for-tests-1")
        unit_role_grant(user=user, unit=world.province, role=Role.LEADER)
        world.users["province_leader"] = user
        return user

    return grant


@pytest.fixture
def overdue_case(api, intake_body, time_machine):
    """A case assigned on Monday, its public response left undone until past Thursday's deadline, swept."""

    def make(*, unit="P-A", assignee="handler", title="Nước thải tràn ra đường thôn 1"):
        time_machine.move_to(at(2026, 3, 2, 9), tick=False)
        clerk, leader = api("clerk"), api("leader")
        response = clerk.post("/api/v1/cases/", intake_body(title=title), format="json")
        assert response.status_code == 201
        code = response.json()["code"]
        assert move(clerk, code, "verify").status_code == 200
        assert move(leader, code, "assign", unit=unit, assignee=assignee).status_code == 200
        time_machine.move_to(at(2026, 3, 5, 8, 59), tick=False)
        clocks_sweep()
        assert case_of(leader, code)["escalated_to"] == []
        assert available(api("supervisor"), code) == ["reassign"]  # not escalated yet: nothing to direct
        time_machine.move_to(at(2026, 3, 5, 9, 1), tick=False)
        clocks_sweep()
        return code

    return make


def test_the_supervisor_gets_the_direction_moves_once_the_case_is_escalated(api, overdue_case):
    code = overdue_case()
    supervisor = api("supervisor")
    case = case_of(supervisor, code)
    assert (case["escalation_level"], case["escalated_to"], case["overdue"], case["owner"]) == (1, ["P"], True, "P-A")
    labels = {row["name"]: row["label"] for row in supervisor.get(f"/api/v1/cases/{code}/transitions/").json()}
    assert labels == {"reassign": "Giao lại", "pull_up": "Rút lên cấp trên xử lý", "instruct": "Chỉ đạo đơn vị xử lý",
                      "extend": "Gia hạn"}
    # The list says the same as the detail (it reads a whole page at once).
    listed = supervisor.get("/api/v1/cases/", {"overdue": "true"}).json()["results"]
    assert [(row["code"], row["escalated_to"]) for row in listed] == [(code, ["P"])]
    escalation = CaseEvent.objects.get(case__code=code, action="escalate")
    assert (escalation.data["clock"], escalation.data["to_units"]) == ("orient", ["P"])
    # The owner's own moves do not change.
    assert available(api("leader"), code) == ["reassign", "orient", "extend"]


def test_pull_up_makes_the_directing_unit_the_owner(api, overdue_case, province_leader):
    code = overdue_case()
    supervisor = api("supervisor")

    nobody = move(supervisor, code, "pull_up", reason="Vụ việc kéo dài, tỉnh trực tiếp xử lý")
    assert nobody.status_code == 400  # nobody on the province could work the case
    assert set(nobody.json()["errors"]) == {"reason"}
    assert Case.objects.get(code=code).owner.code == "P-A"

    province_leader()
    pulled = move(supervisor, code, "pull_up", reason="Vụ việc kéo dài, tỉnh trực tiếp xử lý")
    assert pulled.status_code == 200, pulled.json()
    body = pulled.json()
    assert (body["owner"], body["status"], body["assignee"], body["escalated_to"]) == ("P", "assigned", None, [])
    assert available(api("province_leader"), code) == ["reassign", "orient", "extend"]
    assert available(supervisor, code) == ["reassign"]
    event = CaseEvent.objects.get(case__code=code, action="pull_up")
    assert (event.actor.username, event.note, event.data["from_unit"], event.data["to_unit"]) == (
        "supervisor", "Vụ việc kéo dài, tỉnh trực tiếp xử lý", "P-A", "P",
    )


def test_reassign_by_the_tier_above_moves_the_owner(api, overdue_case):
    code = overdue_case()
    reassigned = move(api("supervisor"), code, "reassign", unit="P-B", assignee="handler2",
                      reason="Địa bàn giáp ranh, phường B xử lý")
    assert reassigned.status_code == 200, reassigned.json()
    body = reassigned.json()
    assert (body["owner"], body["assignee"], body["escalated_to"]) == ("P-B", "handler2", [])
    assert available(api("handler2"), code) == ["orient"]
    assert available(api("supervisor"), code) == ["reassign"]


def test_extend_by_the_tier_above_moves_the_deadline_and_records_the_decision(api, overdue_case):
    code = overdue_case()
    supervisor = api("supervisor")
    too_early = move(supervisor, code, "extend", new_due=at(2026, 3, 4, 17).isoformat(),
                     decision_ref="123/QĐ-UBND", reason="Chờ kết quả quan trắc")
    assert too_early.json()["errors"] == {"new_due": ["Hạn mới phải sau hạn hiện tại."]}
    no_decision = move(supervisor, code, "extend", new_due=at(2026, 3, 12, 17).isoformat(), decision_ref="",
                       reason="Chờ kết quả quan trắc")
    assert set(no_decision.json()["errors"]) == {"decision_ref"}
    years = move(supervisor, code, "extend", new_due=at(2036, 3, 12, 17).isoformat(), decision_ref="123/QĐ-UBND",
                 reason="Chờ kết quả quan trắc")
    assert set(years.json()["errors"]) == {"new_due"}

    extended = move(supervisor, code, "extend", new_due=at(2026, 3, 12, 17).isoformat(),
                    decision_ref="123/QĐ-UBND", reason="Chờ kết quả quan trắc")
    assert extended.status_code == 200, extended.json()
    body = extended.json()
    assert datetime.fromisoformat(body["deadline"]) == at(2026, 3, 12, 17)
    assert (body["overdue"], body["escalated_to"], body["owner"]) == (False, [], "P-A")
    event = CaseEvent.objects.get(case__code=code, action="extend")
    assert (event.actor.username, event.note) == ("supervisor", "Chờ kết quả quan trắc")
    assert (event.data["decision_ref"], event.data["clock"], event.data["after_breach"]) == (
        "123/QĐ-UBND", "orient", True,
    )
    assert available(supervisor, code) == ["reassign"]


def test_a_stale_version_cannot_extend(api, overdue_case):
    code = overdue_case()
    supervisor = api("supervisor")
    seen = case_of(supervisor, code)["version"]
    move(supervisor, code, "instruct", instruction="Báo cáo tiến độ trước thứ Sáu")
    stale = move(api("leader"), code, "extend", new_due=at(2026, 3, 12, 17).isoformat(), decision_ref="7/QĐ",
                 reason="Cần thêm thời gian", version=seen)
    assert (stale.status_code, stale.json()["code"]) == (409, "conflict")
    assert not CaseEvent.objects.filter(case__code=code, action="extend").exists()


def test_instruct_waits_for_the_owner_to_acknowledge(api, overdue_case):
    code = overdue_case()
    supervisor, leader = api("supervisor"), api("leader")
    assert "acknowledge" not in available(leader, code)

    instructed = move(supervisor, code, "instruct", instruction="Trả lời người dân trước thứ Sáu, báo cáo tỉnh")
    assert instructed.status_code == 200, instructed.json()
    body = instructed.json()
    assert (body["instruction_pending"], body["escalated_to"], body["owner"]) == (True, [], "P-A")
    offered = leader.get(f"/api/v1/cases/{code}/transitions/").json()
    assert {"name": "acknowledge", "label": "Tiếp thu chỉ đạo"} in offered
    assert "acknowledge" in available(api("handler"), code)
    assert "acknowledge" not in available(supervisor, code)

    acknowledged = move(leader, code, "acknowledge", note="Đã tiếp thu, giao anh Hùng làm ngay")
    assert acknowledged.status_code == 200, acknowledged.json()
    assert acknowledged.json()["instruction_pending"] is False
    assert "acknowledge" not in available(leader, code)
    assert move(leader, code, "acknowledge").status_code == 409
    actions = [(e["action"], e["actor"], e["note"]) for e in leader.get(f"/api/v1/cases/{code}/events/").json()]
    assert actions[-2:] == [
        ("instruct", "supervisor", "Trả lời người dân trước thứ Sáu, báo cáo tỉnh"),
        ("acknowledge", "leader", "Đã tiếp thu, giao anh Hùng làm ngay"),
    ]


def test_a_second_escalation_goes_one_tier_higher(api, overdue_case, province_leader, time_machine):
    province_leader()
    code = overdue_case(unit="P-A-T1", assignee="hamlet_handler")
    commune_leader, supervisor, top = api("leader"), api("supervisor"), api("province_leader")

    first = case_of(commune_leader, code)
    assert (first["owner"], first["escalation_level"], first["escalated_to"]) == ("P-A-T1", 1, ["P-A"])
    assert available(commune_leader, code) == DIRECTION_MOVES
    assert available(supervisor, code) == DIRECTION_MOVES  # a supervisor's reach covers commune A
    assert available(top, code) is None  # the province's leader is not concerned yet: not even visible

    time_machine.move_to(at(2026, 3, 10, 9, 1), tick=False)
    clocks_sweep()
    second = case_of(top, code)
    assert (second["escalation_level"], second["escalated_to"]) == (2, ["P", "P-A"])
    assert available(top, code) == DIRECTION_MOVES
    assert available(commune_leader, code) == DIRECTION_MOVES
    escalations = CaseEvent.objects.filter(case__code=code, action="escalate").order_by("seq")
    assert [event.data["to_units"] for event in escalations] == [["P-A"], ["P"]]

    pulled = move(top, code, "pull_up", reason="Tỉnh trực tiếp chỉ đạo giải quyết")
    assert pulled.status_code == 200, pulled.json()
    assert (pulled.json()["owner"], pulled.json()["escalated_to"]) == ("P", [])
    # Answered at one tier, answered at every tier: nobody below directs a case the province now owns.
    assert available(commune_leader, code) == ["reassign"]  # it keeps watch over what it assigned
    assert available(top, code) == ["reassign", "orient", "extend"]
