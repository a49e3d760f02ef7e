"""A role withdrawn never strands a case: the work goes to the unit's leaders, or up a tier, as an event."""

from cases.models import CaseEvent, Role
from cases.selectors import case_available_transitions
from cases.services import case_assign, case_verify, unit_role_grant, unit_role_revoke
from workflow.engine import open_tasks_of_case
from workflow.queues import my_tasks, task_queue_for_user


def assigned_to_hamlet(world, new_case, assignee=None):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    return case_assign(case=case, by=world.leader, unit=world.hamlet_a, assignee=assignee)


def test_the_last_handler_losing_the_role_leaves_the_work_with_the_units_leader(world, new_case):
    case = assigned_to_hamlet(world, new_case, assignee=world.hamlet_handler)
    unit_role_revoke(user=world.hamlet_handler, unit=world.hamlet_a, role=Role.HANDLER, by=world.leader)

    (task,) = open_tasks_of_case(case)
    assert (task.flow_task.name, task.owner_id) == ("orient_step", None)  # back in the queue, nobody holds it
    case.refresh_from_db()
    assert case.assignee_id is None
    assert "orient" in case_available_transitions(case=case, user=world.hamlet_leader)
    assert my_tasks(user=world.hamlet_leader).filter(pk=task.pk).exists()
    event = CaseEvent.objects.filter(case=case).latest("seq")
    assert (event.action, event.data["step"], event.data["role_withdrawn_from"]) == (
        "work_to_leaders", "orient_step", "hamlet_handler")


def test_a_unit_left_with_nobody_hands_its_case_to_the_nearest_unit_above_with_a_leader(world, new_case):
    case = assigned_to_hamlet(world, new_case)
    unit_role_revoke(user=world.hamlet_handler, unit=world.hamlet_a, role=Role.HANDLER)
    unit_role_revoke(user=world.hamlet_leader, unit=world.hamlet_a, role=Role.LEADER, by=world.leader)

    case.refresh_from_db()
    assert case.owner_id == world.commune_a.pk
    (task,) = open_tasks_of_case(case)
    assert (task.flow_task.name, task.owner_permission_obj_pk) == ("orient_step", str(world.commune_a.pk))
    assert "orient" in case_available_transitions(case=case, user=world.handler)
    assert task_queue_for_user(user=world.leader).filter(pk=task.pk).exists()
    moved = CaseEvent.objects.filter(case=case, action="work_moved_up").get()
    assert (moved.data["from_unit"], moved.data["to_unit"]) == ("P-A-T1", "P-A")


def test_a_withdrawal_that_leaves_someone_in_place_changes_nothing(world, new_case):
    case = assigned_to_hamlet(world, new_case)
    second = type(world.hamlet_handler).objects.create_user("second-handler")
    unit_role_grant(user=second, unit=world.hamlet_a, role=Role.HANDLER)
    before = CaseEvent.objects.filter(case=case).count()
    unit_role_revoke(user=world.hamlet_handler, unit=world.hamlet_a, role=Role.HANDLER)
    assert CaseEvent.objects.filter(case=case).count() == before
    case.refresh_from_db()
    assert case.owner_id == world.hamlet_a.pk


def test_resolving_an_escalated_case_closes_its_direction(world, new_case, time_machine):
    """Pull-up and instruct need an open case: once it is resolved the direction lapses, leaving no dead task."""
    from django.utils import timezone

    from cases.services import case_orient, case_resolve
    from workflow.queues import escalated_to_me
    from workflow.services import clocks_sweep

    from .conftest import at

    time_machine.move_to(at(2026, 3, 2, 9), tick=False)
    case = assigned_to_hamlet(world, new_case, assignee=world.hamlet_handler)
    time_machine.move_to(at(2026, 3, 9, 9), tick=False)
    clocks_sweep(now=timezone.now())
    assert escalated_to_me(user=world.leader).filter(process__artifact_object_id=case.pk).exists()
    case_orient(case=case, by=world.hamlet_handler, response="Đã trả lời")
    case_resolve(case=case, by=world.hamlet_handler, outcome="Đã xong")
    assert not escalated_to_me(user=world.leader).filter(process__artifact_object_id=case.pk).exists()
    assert [t.flow_task.name for t in open_tasks_of_case(case)] == ["report_step"]


def test_a_unit_merge_moves_the_reports_waiting_there_for_other_units_cases(world, new_case):
    """A hamlet's resolved case waits for its commune's report; when the commune merges, the report step moves."""
    from django.utils import timezone

    from cases.services import case_orient, case_resolve, unit_merge

    case = assigned_to_hamlet(world, new_case, assignee=world.hamlet_handler)
    case_orient(case=case, by=world.hamlet_handler, response="Đã trả lời")
    case_resolve(case=case, by=world.hamlet_handler, outcome="Đã xong")
    assert [t.owner_permission_obj_pk for t in open_tasks_of_case(case)] == [str(world.commune_a.pk)]
    unit_merge(unit=world.commune_a, successor=world.commune_b, effective_on=timezone.localdate(),
               by=world.administrator)
    (task,) = open_tasks_of_case(case)
    assert task.flow_task.name == "report_step"
    assert task.owner_permission_obj_pk != str(world.commune_a.pk)
    case.refresh_from_db()
    assert any(case_available_transitions(case=case, user=person) and task_queue_for_user(user=person).filter(
        pk=task.pk).exists() for person in world.users.values())


def test_a_not_fixed_that_no_leader_of_the_case_can_decide_goes_up_with_the_case(world, new_case):
    """Found by the invariant test: the commune's leader left while its case waited for the report."""
    from django.contrib.auth import get_user_model

    from cases.services import case_orient, case_public_feedback, case_resolve

    province_leader = get_user_model().objects.create_user(username="prov_leader", password="pw-for-tests-1")
    unit_role_grant(user=province_leader, unit=world.province, role=Role.LEADER)
    case = new_case()
    secret = case.public_secret
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a, assignee=world.handler)
    case_orient(case=case, by=world.handler, response="Đã trả lời")
    case_resolve(case=case, by=world.handler, outcome="Đã xử lý")
    unit_role_revoke(user=world.leader, unit=world.commune_a, role=Role.LEADER, by=world.administrator)

    case_public_feedback(case=case, secret=secret, fixed=False)

    case.refresh_from_db()
    assert (case.owner_id, case.status, case.reopen_requested) == (world.province.pk, "resolved", True)
    (task,) = [task for task in open_tasks_of_case(case) if task.flow_task.name == "decide_step"]
    assert task.owner_permission_obj_pk == str(world.province.pk)
    assert {"reopen", "keep_closed"} <= set(case_available_transitions(case=case, user=province_leader))
    assert my_tasks(user=province_leader).filter(pk=task.pk).exists()
    event = CaseEvent.objects.filter(case=case).latest("seq")
    assert (event.action, event.data["from_unit"], event.data["to_unit"]) == (
        "work_moved_up", world.commune_a.code, world.province.code)


def test_a_report_left_with_neither_secretariat_nor_leader_waits_where_someone_may_make_it(world, new_case):
    """Found by the invariant test: a hamlet's report waited at its commune after the commune lost both."""
    from cases.services import case_orient, case_resolve

    case = assigned_to_hamlet(world, new_case, assignee=world.hamlet_handler)
    case_orient(case=case, by=world.hamlet_handler, response="Đã trả lời")
    case_resolve(case=case, by=world.hamlet_handler, outcome="Đã xử lý")
    (report,) = open_tasks_of_case(case)
    assert (report.flow_task.name, report.owner_permission_obj_pk) == ("report_step", str(world.commune_a.pk))
    unit_role_revoke(user=world.supervisor, unit=world.province, role=Role.SUPERVISOR, by=world.administrator)
    unit_role_revoke(user=world.secretariat, unit=world.commune_a, role=Role.SECRETARIAT, by=world.administrator)
    unit_role_revoke(user=world.leader, unit=world.commune_a, role=Role.LEADER, by=world.administrator)

    case.refresh_from_db()
    (report,) = open_tasks_of_case(case)
    assert (report.flow_task.name, report.owner_permission_obj_pk) == ("report_step", str(world.hamlet_a.pk))
    assert task_queue_for_user(user=world.hamlet_leader).filter(pk=report.pk).exists()
    assert "reopen" in case_available_transitions(case=case, user=world.hamlet_leader)
    event = CaseEvent.objects.filter(case=case).latest("seq")
    assert (event.action, event.data["step"], event.data["to_unit"]) == (
        "work_moved_up", "report_step", world.hamlet_a.code)


def test_an_account_switched_off_moves_its_work_as_a_withdrawn_role_would(world, new_case):
    """Deactivated in the admin (a plain save): the open task goes back to the queue, the unit's leader holds the step."""
    case = assigned_to_hamlet(world, new_case, assignee=world.hamlet_handler)
    world.hamlet_handler.is_active = False
    world.hamlet_handler.save()

    (task,) = open_tasks_of_case(case)
    assert (task.flow_task.name, task.owner_id) == ("orient_step", None)
    case.refresh_from_db()
    assert case.assignee_id is None
    assert my_tasks(user=world.hamlet_leader).filter(pk=task.pk).exists()
    assert "orient" in case_available_transitions(case=case, user=world.hamlet_leader)
    actions = list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["unassigned", "work_to_leaders"]


def test_an_account_saved_while_already_off_or_still_on_moves_nothing(world, new_case):
    case = assigned_to_hamlet(world, new_case, assignee=world.hamlet_handler)
    before = CaseEvent.objects.filter(case=case).count()
    world.hamlet_handler.first_name = "Lan"
    world.hamlet_handler.save()
    assert CaseEvent.objects.filter(case=case).count() == before
    case.refresh_from_db()
    assert case.assignee_id == world.hamlet_handler.pk
