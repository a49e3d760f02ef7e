"""Plans: who drafts and approves, the steps on the working calendar, reminders and escalation, scope."""

from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.exceptions import PermissionDenied, TransitionNotAllowed
from surveys.exceptions import SurveyNotFound
from surveys.models import PlanStatus, PlanStepAlert, QuestionnaireStatus
from surveys.selectors import plan_get_for_user, plan_list_for_user
from surveys.services import (
    assignment_add,
    plan_alerts_sweep,
    plan_approve,
    plan_create,
    plan_step_complete,
    plan_update,
    questionnaire_draft,
    questionnaire_freeze,
    questionnaire_update,
)

from .conftest import CONTENT, plan_input

pytestmark = pytest.mark.django_db


def local(*args):
    return timezone.make_aware(datetime(*args))


def test_secretariat_drafts_and_the_units_leader_approves(world, make_plan):
    plan = make_plan()
    assert plan.status == PlanStatus.DRAFT
    assert plan.margins() == {"sex": {"male": 5100, "female": 5300}}  # what raking will read (issue 21)
    with pytest.raises(PermissionDenied):
        plan_approve(plan=plan, by=world.secretariat)
    with pytest.raises(PermissionDenied):
        plan_approve(plan=plan, by=world.leader2)
    with pytest.raises(PermissionDenied):
        plan_approve(plan=plan, by=world.supervisor)
    plan = plan_approve(plan=plan, by=world.leader)
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == world.leader
    with pytest.raises(TransitionNotAllowed):
        plan_update(plan=plan, by=world.leader, data=plan_input(world.commune_a, topic="Khác"))


def test_refusal_comes_before_validation(world):
    bad = plan_input(world.commune_a, topic="", target_size=0)
    with pytest.raises(PermissionDenied):
        plan_create(by=world.clerk, data=bad)  # 403 before 400
    with pytest.raises(PermissionDenied):
        plan_create(by=world.leader2, data=bad)
    with pytest.raises(ValidationError) as refused:
        plan_create(by=world.secretariat, data=bad)
    assert set(refused.value.message_dict) == {"topic", "target_size"}


@pytest.mark.parametrize("changes, field", [
    ({"quotas": [{"stratum": {"age_group": "18-29"}, "target": 10}]}, "quotas"),
    ({"quotas": [{"stratum": {"sex": "male"}, "target": 500}]}, "quotas"),
    ({"margins": [{"variable": "age_group", "category": "18-29", "population": 1}]}, "margins"),
    ({"strata_variables": ["religion"], "quotas": [], "margins": []}, "strata_variables"),
    ({"period_end": date(2026, 11, 1)}, "period_end"),
    ({"margins": [{"variable": "sex", "category": "male", "population": 10**12}]}, "margins"),
    ({"budget_lines": [{"item": "In phiếu", "amount": 10**20}]}, "budget_lines"),
    ({"step_deadlines": {"design": date(2026, 12, 20), "pilot": date(2026, 12, 10)}}, "step_deadlines"),
])
def test_bad_sample_designs_are_refused_and_change_nothing(world, changes, field):
    with pytest.raises(ValidationError) as refused:
        plan_create(by=world.secretariat, data=plan_input(world.commune_a, **changes))
    assert field in refused.value.message_dict
    assert not plan_list_for_user(user=world.secretariat).exists()


def test_localities_must_lie_in_the_units_subtree(world):
    with pytest.raises(ValidationError) as refused:
        plan_create(by=world.secretariat, data=plan_input(world.commune_a, localities=[world.hamlet_b]))
    assert "localities" in refused.value.message_dict
    plan = plan_create(by=world.secretariat, data=plan_input(
        world.commune_a, localities=[world.hamlet_a], strata_variables=["locality", "sex"],
        quotas=[{"stratum": {"locality": "P-A-T1", "sex": "female"}, "target": 100}], margins=[]))
    assert list(plan.quotas.values_list("stratum", flat=True)) == [{"locality": "P-A-T1", "sex": "female"}]


def test_step_deadlines_fall_at_the_end_of_working_days(world, make_plan):
    # 1 January 2027 is a public holiday (Tết Dương lịch): a deadline given on it moves to Monday 4 January.
    plan = make_plan(step_deadlines={"pilot": date(2027, 1, 1)})
    steps = {step.kind: timezone.localtime(step.deadline) for step in plan.steps.all()}
    assert list(steps) == ["design", "pilot", "collection", "cleaning", "analysis", "report", "publication"]
    assert steps["pilot"] == local(2027, 1, 4, 17, 0)
    assert all(moment.weekday() < 5 and moment.hour == 17 for moment in steps.values())
    assert steps["publication"].date() == date(2027, 1, 29)


def test_reminder_then_escalation_to_the_tier_above_once_each(world, make_plan):
    plan = plan_approve(plan=make_plan(step_deadlines={"design": date(2026, 12, 9)}), by=world.leader)
    with time_machine.travel(local(2026, 12, 4, 17, 0), tick=False):  # Friday: 3 working days before
        assert plan_alerts_sweep() == {"remind": 0, "escalate": 0}
    with time_machine.travel(local(2026, 12, 7, 17, 0), tick=False):  # Monday: 2 working days before
        assert plan_alerts_sweep() == {"remind": 1, "escalate": 0}
        assert plan_alerts_sweep() == {"remind": 0, "escalate": 0}
    with time_machine.travel(local(2026, 12, 9, 17, 30), tick=False):
        assert plan_alerts_sweep() == {"remind": 0, "escalate": 1}
    escalation = PlanStepAlert.objects.get(action="escalate")
    assert escalation.to_unit == world.province and escalation.step.kind == "design"
    design = plan.steps.get(kind="design")
    plan_step_complete(step=design, by=world.secretariat)
    assert not PlanStepAlert.objects.filter(resolved_at__isnull=True).exists()


def test_draft_plans_raise_no_alerts(world, make_plan):
    make_plan(step_deadlines={"design": date(2026, 12, 9)})
    with time_machine.travel(local(2026, 12, 10, 9, 0), tick=False):
        assert plan_alerts_sweep() == {"remind": 0, "escalate": 0}


def test_scope_commune_supervisor_interviewer(world, make_plan, interviewer):
    plan = make_plan()
    other = make_plan(by=world.leader2, unit=world.commune_b)
    with pytest.raises(SurveyNotFound):
        plan_get_for_user(user=world.leader2, pk=plan.pk)
    assert set(plan_list_for_user(user=world.supervisor)) == {plan, other}
    assert set(plan_list_for_user(user=world.inspector)) == {plan, other}
    assert list(plan_list_for_user(user=world.leader)) == [plan]
    assert not plan_list_for_user(user=interviewer).exists()
    with pytest.raises(SurveyNotFound):
        plan_get_for_user(user=interviewer, pk=plan.pk)
    assignment_add(plan=plan, by=world.secretariat, user=interviewer, target=40)
    assert list(plan_list_for_user(user=interviewer)) == [plan]
    assert plan_get_for_user(user=interviewer, pk=plan.pk) == plan
    with pytest.raises(SurveyNotFound):
        plan_get_for_user(user=interviewer, pk=other.pk)
    with pytest.raises(ValidationError):
        assignment_add(plan=plan, by=world.secretariat, user=world.handler)  # not an interviewer


def test_a_frozen_version_refuses_edits_and_a_new_one_is_drafted(world, make_plan):
    plan = make_plan()
    version = questionnaire_draft(plan=plan, by=world.secretariat, content=CONTENT)
    with pytest.raises(TransitionNotAllowed):
        questionnaire_freeze(version=version, by=world.secretariat)  # the plan is not approved yet
    plan_approve(plan=plan, by=world.leader)
    version = questionnaire_freeze(version=version, by=world.secretariat)
    assert version.status == QuestionnaireStatus.FROZEN
    with pytest.raises(TransitionNotAllowed) as refused:
        questionnaire_update(version=version, by=world.secretariat, title="Sửa")
    assert "đã khóa khi bắt đầu thu thập" in str(refused.value.message)
    second = questionnaire_draft(plan=plan, by=world.secretariat)
    assert second.number == 2 and second.content == version.content
    with pytest.raises(TransitionNotAllowed):
        questionnaire_draft(plan=plan, by=world.secretariat)  # one draft at a time
