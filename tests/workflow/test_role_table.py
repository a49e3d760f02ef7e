"""The role table (workflow/roles.py) is the only source of "who may act" (issue 13, item 5).

For every step of the flow, a real case is driven to it through the services;
then for every role, a person holding just that role on the unit whose queue
holds the step's task must find that

(a) the flow's own permission check (`can_assign`) and the queue "Việc của tôi"
    let them take the task exactly when the role table names their role for it;
(b) the moves offered to them (`case_available_transitions`) are exactly the
    moves the state machine finds legal now whose seat in the role table they fill;
(c) the API's move list says the same as (b);

and (d) no second role table is left: no `workflow/process_sync.py`, no `STEP_ROLES`.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient
from viewflow.workflow.models import Task

from cases.lifecycle import TRANSITION_NAMES, transition_of
from cases.models import SUBTREE_ROLES, Case, CaseKind, Role, Unit
from cases.permission_matrix import ACTIONS, MOVES_ELSEWHERE
from cases.selectors import case_available_transitions
from cases.services import (
    ReporterInput,
    case_assign,
    case_instruct,
    case_intake,
    case_orient,
    case_public_feedback,
    case_resolve,
    case_transfer,
    case_verify,
    unit_role_grant,
)
from workflow.engine import OPEN_TASK_STATUSES, case_process
from workflow.flows import CaseFlow
from workflow.queues import my_tasks
from workflow.roles import (
    ABOVE_OWNER,
    ASSIGNEE,
    ASSIGNER,
    DIRECTING,
    MOVE_RULES,
    NOT_OFFERED_ON_THE_CASE,
    OWNER,
    STEPS,
)
from workflow.services import clocks_sweep

from .conftest import at

# --- a case standing at each step -----------------------------------------------------------


def _logged(world, kind=CaseKind.REFLECTION):
    return case_intake(by=world.clerk, title="Đèn đường hỏng cả tháng", description="Nội dung phản ánh.",
                       channel=world.channel, topic=world.topic, locality=world.hamlet_a, kind=kind,
                       reporter=ReporterInput(full_name="Nguyễn Văn A", phone="0912345678"))


def _received(world, tm):
    return _logged(world)


def _verified(world, tm):
    case = _logged(world)
    case_verify(case=case, by=world.clerk)
    return case


def _assigned(world, tm):
    case = _verified(world, tm)
    case_assign(case=case, by=world.leader, unit=world.commune_a)  # nobody in particular: the queue holds it
    return case


def _oriented(world, tm):
    case = _assigned(world, tm)
    case_orient(case=case, by=world.handler, response="Đã trả lời tại buổi tiếp dân.")
    return case


def _resolved(world, tm):
    case = _oriented(world, tm)
    case_resolve(case=case, by=world.handler, outcome="Đã thay bóng đèn.")
    return case


def _not_fixed(world, tm):
    case = _resolved(world, tm)
    case_public_feedback(case=case, secret=case.public_secret, fixed=False, comment="Vẫn tối.")
    return case


def _complaint(world, tm):
    return _logged(world, kind=CaseKind.COMPLAINT)


def _transferred(world, tm):
    case = _complaint(world, tm)
    case_transfer(case=case, by=world.clerk, agency="Thanh tra huyện", legal_basis="Luật Khiếu nại 2011")
    return case


def _escalated(world, tm):
    """Logged on Monday morning, never verified: the next morning the sweep escalates it to the province."""
    tm.move_to(at(2026, 3, 2, 9), tick=False)
    case = _logged(world)
    tm.move_to(at(2026, 3, 3, 9, 1), tick=False)
    clocks_sweep()
    return case


def _instructed(world, tm):
    case = _escalated(world, tm)
    case_instruct(case=case, by=world.supervisor, instruction="Xác minh ngay trong ngày.")
    return case


CASE_AT = {
    "verify_step": _received,
    "assign_step": _verified,
    "transfer_step": _complaint,
    "notify_step": _transferred,
    "orient_step": _assigned,
    "resolve_step": _oriented,
    "report_step": _resolved,
    "decide_step": _not_fixed,
    "direct_step": _escalated,
    "acknowledge_step": _instructed,
}


def _open_task(case, step: str) -> Task:
    tasks = list(Task.objects.filter(process=case_process(case), flow_task=getattr(CaseFlow, step),
                                     status__in=OPEN_TASK_STATUSES))
    assert len(tasks) == 1, (step, tasks)
    return tasks[0]


# --- what the role table says, read as a specification ---------------------------------------


def _reaches(role: str, held_on: Unit, unit: Unit | None) -> bool:
    """A role on `held_on` reaches `unit`: the same unit, or below it for the subtree roles."""
    if unit is None:
        return False
    return unit.pk == held_on.pk or (role in SUBTREE_ROLES and unit.path.startswith(held_on.path))


def _directing_units(case) -> list[Unit]:
    """The units whose direction task for this case is open, read from the flow's tasks."""
    ids = Task.objects.filter(process=case_process(case), flow_task=CaseFlow.direct_step,
                              status__in=OPEN_TASK_STATUSES).values_list("owner_permission_obj_pk", flat=True)
    return list(Unit.objects.filter(pk__in=[int(pk) for pk in ids]))


def _fills(seat, *, role, held_on, case, user, directing) -> bool:
    if seat.seat == ASSIGNEE:
        return case.assignee_id == user.pk
    if role not in seat.roles:
        return False
    if seat.seat == OWNER:
        return _reaches(role, held_on, case.owner)
    if seat.seat == ASSIGNER:
        return _reaches(role, held_on, case.assigned_by_unit)
    if seat.seat == ABOVE_OWNER:
        return case.owner.path.startswith(held_on.path)
    if seat.seat == DIRECTING:
        return any(_reaches(role, held_on, unit) for unit in directing)
    raise AssertionError(f"a seat the test does not know: {seat.seat}")


def _expected_moves(case, *, role, held_on, user) -> list[str]:
    directing = _directing_units(case)
    legal = [name for name in TRANSITION_NAMES
             if name not in NOT_OFFERED_ON_THE_CASE and transition_of(case, name).can_proceed()]
    return [name for name in legal
            if any(_fills(seat, role=role, held_on=held_on, case=case, user=user, directing=directing)
                   for seat in MOVE_RULES[name])]


def _fresh(case) -> Case:
    """The case as a new request reads it (no memo of an earlier check)."""
    return Case.objects.select_related("owner", "assigned_by_unit", "topic").get(pk=case.pk)


def _api_moves(user, case) -> list[str]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/cases/{case.code}/transitions/")
    if response.status_code == 404:  # out of the person's sight: nothing to offer
        return []
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()]


@pytest.mark.parametrize("step", list(STEPS))
def test_the_flow_the_services_and_the_api_read_one_role_table(step, world, time_machine):
    case = CASE_AT[step](world, time_machine)
    task = _open_task(case, step)
    unit = task.flow_task.task_unit(task)
    assert unit is not None
    User = get_user_model()
    disagreements = []
    offered_to_someone = False
    for role in Role.values:
        person = User.objects.create_user(username=f"{step}-{role}")
        unit_role_grant(user=person, unit=unit, role=role)
        person = User.objects.get(pk=person.pk)  # a fresh user, as a new request loads it
        takes = role in STEPS[step].roles

        may_take = task.flow_task.can_assign(person, task)
        in_my_queue = my_tasks(user=person).filter(pk=task.pk).exists()
        offered = case_available_transitions(case=_fresh(case), user=person)
        wanted = _expected_moves(_fresh(case), role=role, held_on=unit, user=person)
        listed = _api_moves(person, case)
        offered_to_someone |= bool(offered)

        if may_take != takes:
            disagreements.append(f"{role}: can_assign {may_take}, role table says {takes}")
        if in_my_queue != takes:
            disagreements.append(f"{role}: in Việc của tôi {in_my_queue}, role table says {takes}")
        if offered != wanted:
            disagreements.append(f"{role}: offered {offered}, legal moves whose seat they fill {wanted}")
        if listed != offered:
            disagreements.append(f"{role}: the API lists {listed}, the services offer {offered}")
    assert not disagreements, f"{step} on {unit.code}:\n" + "\n".join(disagreements)
    # The step's own roles have its moves: the one it exists for is offered to one of them.
    assert offered_to_someone, step


def test_every_move_of_the_role_table_is_in_the_matrix_or_says_where_it_is_checked():
    moves_in_matrix = {action for action in ACTIONS if action in MOVE_RULES}
    assert moves_in_matrix | set(MOVES_ELSEWHERE) == set(MOVE_RULES)
    assert not moves_in_matrix & set(MOVES_ELSEWHERE)


def test_no_second_role_table_is_left():
    root = Path(settings.BASE_DIR)
    assert not (root / "workflow" / "process_sync.py").exists()
    for package in ("cases", "workflow", "web", "api", "reports"):
        for module in (root / package).rglob("*.py"):
            assert "STEP_ROLES" not in module.read_text(encoding="utf-8"), module
