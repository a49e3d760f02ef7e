"""Roles granted and withdrawn, routing proposals, unit renames and merges, the identity vault."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.audit import utc_iso
from cases.exceptions import CaseNotFound, PermissionDenied
from cases.models import Case, CaseEvent, ReporterRevealRole, Role, RoleChange, RoutingRule, Tier, Unit, UnitKind
from cases.permissions import has_role
from cases.selectors import case_get_for_user, case_list_for_user, routing_propose_unit
from cases.services import (
    case_assign,
    case_verify,
    reporter_reveal,
    unit_changes_apply_due,
    unit_merge,
    unit_rename,
    unit_role_grant,
    unit_role_revoke,
    unit_upsert,
)
from workflow.queues import unit_task_queue


def test_grant_and_withdrawal_are_recorded_and_withdrawal_applies_at_once(world, new_case, django_user_model):
    case = new_case()
    newcomer = django_user_model.objects.create_user("newcomer")
    assert unit_role_grant(user=newcomer, unit=world.commune_a, role=Role.INTAKE_CLERK, by=world.administrator,
                           reason="Phân công mới")
    assert not unit_role_grant(user=newcomer, unit=world.commune_a, role=Role.INTAKE_CLERK, by=world.administrator)
    assert case_get_for_user(user=django_user_model.objects.get(pk=newcomer.pk), code=case.code) == case

    unit_role_revoke(user=newcomer, unit=world.commune_a, role=Role.INTAKE_CLERK, by=world.administrator, reason="Chuyển công tác")
    # A fresh user object, as the next request would load.
    with pytest.raises(CaseNotFound):
        case_get_for_user(user=django_user_model.objects.get(pk=newcomer.pk), code=case.code)
    log = list(RoleChange.objects.filter(user=newcomer).order_by("pk").values_list("kind", "role", "changed_by__username", "reason"))
    assert log == [
        ("grant", "intake_clerk", "administrator", "Phân công mới"),
        ("revoke", "intake_clerk", "administrator", "Chuyển công tác"),
    ]


def test_routing_proposes_the_most_specific_rule(world, new_case):
    case = new_case(locality=world.hamlet_a)
    assert routing_propose_unit(case=case) is None
    RoutingRule.objects.create(topic=world.topic, locality=world.province, unit=world.commune_b)
    assert routing_propose_unit(case=case) == world.commune_b
    RoutingRule.objects.create(topic=world.topic, locality=world.commune_a, unit=world.hamlet_a)
    assert routing_propose_unit(case=case) == world.hamlet_a
    other = new_case(topic=world.quiet_topic)
    assert routing_propose_unit(case=other) is None


def test_a_rename_keeps_the_old_name_in_history(world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.hamlet_a)
    unit_rename(unit=world.hamlet_a, new_name="Thôn Mới", effective_on=datetime.date(2025, 7, 1), by=world.administrator)
    assert Unit.objects.get(pk=world.hamlet_a.pk).name == "Thôn Mới"
    assert CaseEvent.objects.get(case=case, action="assign").data["to_unit_name"] == "Thôn 1 xã A"


def test_a_future_rename_waits_for_its_date(world):
    unit_rename(unit=world.hamlet_a, new_name="Thôn Sau", effective_on=datetime.date(2999, 1, 1), by=world.administrator)
    assert Unit.objects.get(pk=world.hamlet_a.pk).name == "Thôn 1 xã A"
    assert unit_changes_apply_due(today=datetime.date(2999, 1, 1)) == 1
    assert Unit.objects.get(pk=world.hamlet_a.pk).name == "Thôn Sau"
    assert unit_changes_apply_due(today=datetime.date(2999, 1, 2)) == 0


def test_merging_communes_moves_open_cases_queues_roles_and_routing(world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    RoutingRule.objects.create(topic=world.topic, locality=world.commune_a, unit=world.commune_a)
    successor, _ = unit_upsert(code="P-AB", name="Đảng ủy xã AB", tier=Tier.COMMUNE, kind=UnitKind.COMMITTEE,
                               parent=Unit.objects.get(pk=world.province.pk))

    unit_merge(unit=world.commune_a, successor=successor, effective_on=datetime.date(2025, 7, 1),
               by=world.administrator, decision_ref="NQ 1656/NQ-UBTVQH15")

    stored = Case.objects.get(pk=case.pk)
    assert stored.owner == successor
    event = CaseEvent.objects.get(case=case, action="unit_merged")
    assert (event.data["from_unit_name"], event.data["to_unit_name"]) == ("Đảng ủy xã A", "Đảng ủy xã AB")
    assert [t.process.artifact for t in unit_task_queue(unit=successor)] == [stored]
    assert list(unit_task_queue(unit=world.commune_a)) == []
    assert has_role(world.leader, Unit.objects.get(pk=successor.pk), Role.LEADER)
    assert RoutingRule.objects.get().unit == successor
    assert not Unit.objects.get(pk=world.commune_a.pk).is_active
    # The leader of the old commune still finds the case, now in the successor.
    assert case.code in {c.code for c in case_list_for_user(user=world.leader)}


def test_merging_into_its_own_subtree_is_refused(world):
    with pytest.raises(ValidationError):
        unit_merge(unit=world.commune_a, successor=world.hamlet_a, effective_on=datetime.date(2025, 7, 1), by=world.administrator)


def test_reporter_identity_is_revealed_only_to_allowed_roles_and_every_reveal_is_recorded(world, new_case):
    case = new_case()
    with pytest.raises(PermissionDenied):
        reporter_reveal(case=case, by=world.handler, reason="Cần liên hệ")
    with pytest.raises(PermissionDenied):
        reporter_reveal(case=case, by=world.inspector, reason="Kiểm tra")
    with pytest.raises(ValidationError):
        reporter_reveal(case=case, by=world.clerk, reason="")

    revealed = reporter_reveal(case=case, by=world.clerk, reason="Gọi lại thông báo kết quả")
    assert revealed == [{
        "number": 1, "pseudonym": "Người phản ánh #1", "anonymous": False, "full_name": "Nguyễn Văn A",
        "phone": "0912345678", "email": "", "address": "",
    }]
    event = CaseEvent.objects.get(case=case, action="reveal_reporter")
    deadline = utc_iso(Case.objects.get(pk=case.pk).deadline)  # every event states the case's deadline
    assert (event.actor, event.note, event.data) == (
        world.clerk, "Gọi lại thông báo kết quả", {"reporters": [1], "deadline": deadline})
    assert Case.objects.get(pk=case.pk).status == "received"

    ReporterRevealRole.objects.create(role=Role.LEADER)
    assert reporter_reveal(case=case, by=world.leader, reason="Lãnh đạo tiếp dân")[0]["full_name"] == "Nguyễn Văn A"
    assert CaseEvent.objects.filter(case=case, action="reveal_reporter").count() == 2
