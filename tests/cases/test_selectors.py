"""Reads scoped to the person: lists, lookups by code, filters, who holds a role."""

import pytest

from cases.exceptions import CaseNotFound
from cases.models import Role
from cases.permissions import users_with_role_on
from cases.selectors import case_get_for_user, case_list_for_user
from cases.services import case_assign, case_verify


def codes(user, **filters):
    return {case.code for case in case_list_for_user(user=user, filters=filters)}


def test_commune_staff_see_only_their_communes_cases_and_the_province_sees_both(world, new_case):
    case_a = new_case("Phản ánh xã A")
    case_b = new_case("Phản ánh phường B", by=world.clerk2, locality=world.hamlet_b)
    assert codes(world.clerk) == {case_a.code}
    assert codes(world.clerk2) == {case_b.code}
    assert codes(world.supervisor) == codes(world.inspector) == {case_a.code, case_b.code}
    assert codes(world.administrator) == set()  # administrators manage reference data, not cases
    with pytest.raises(CaseNotFound):
        case_get_for_user(user=world.clerk2, code=case_a.code)
    with pytest.raises(CaseNotFound):
        case_get_for_user(user=world.clerk2, code="DL-1999-000001")  # missing looks the same


def test_a_case_handed_down_is_seen_by_the_new_owner_and_the_assigning_leader(world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.hamlet_a)
    assert case.code in codes(world.hamlet_handler)
    assert case.code in codes(world.leader)  # keeps watch over what it assigned
    assert case.code not in codes(world.handler2)


def test_search_ignores_diacritics_and_case(world, new_case):
    wanted = new_case("Thiếu nước sạch ở thôn Đông")
    new_case("Đường hỏng")
    assert codes(world.clerk, q="nuoc sach") == {wanted.code}
    assert codes(world.clerk, q="NƯỚC Sạch dong") == {wanted.code}
    assert codes(world.clerk, q="duong") != {wanted.code}


def test_filters_by_locality_subtree_topic_and_status(world, new_case):
    in_hamlet = new_case("Ở thôn")
    in_commune = new_case("Ở xã", locality=world.commune_a)
    quiet = new_case("Góp ý", topic=world.quiet_topic)
    assert codes(world.clerk, locality="P-A") == {in_hamlet.code, in_commune.code, quiet.code}
    assert codes(world.clerk, locality="P-A-T1") == {in_hamlet.code, quiet.code}
    assert codes(world.clerk, topic="GY") == {quiet.code}
    case_verify(case=in_commune, by=world.clerk)
    assert codes(world.clerk, status="verified") == {in_commune.code}
    assert codes(world.clerk, locality="NO-SUCH-UNIT") == set()


def test_users_with_role_on_a_unit_include_subtree_roles_above(world):
    leaders = set(users_with_role_on(unit=world.hamlet_a, roles=[Role.LEADER, Role.SUPERVISOR]))
    assert leaders == {world.hamlet_leader, world.supervisor}
    assert set(users_with_role_on(unit=world.commune_a, roles=[Role.LEADER])) == {world.leader}


def test_an_escalated_case_comes_to_the_attention_of_the_leader_above(world, new_case, django_user_model):
    from django.utils import timezone

    from cases.services import unit_role_grant
    from workflow.models import Escalation

    province_leader = django_user_model.objects.create_user("province_leader")
    unit_role_grant(user=province_leader, unit=world.province, role=Role.LEADER)
    case = new_case()
    assert case.code not in codes(province_leader)

    clock = case.clocks.first()
    Escalation.objects.create(case=case, clock=clock, level=1, to_unit=world.province, created_at=timezone.now())

    assert case.code in codes(django_user_model.objects.get(pk=province_leader.pk))
    assert case.code not in codes(world.leader2)


def test_a_role_on_the_only_root_reaches_every_case_without_a_unit_filter(world, new_case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case_a = new_case("Phản ánh xã A")
    case_b = new_case("Phản ánh phường B", by=world.clerk2, locality=world.hamlet_b)
    with CaptureQueriesContext(connection) as queries:
        assert codes(world.supervisor) == {case_a.code, case_b.code}
    listed = queries.captured_queries[-1]["sql"]
    assert '"owner_id" IN' not in listed and "LIKE" not in listed  # no scope condition at all
    assert codes(world.clerk) == {case_a.code}  # while a commune's clerk is still held to the commune


def test_a_second_tree_stays_out_of_reach_of_the_first_trees_supervisor(world, new_case):
    from cases.models import Tier, UnitKind
    from cases.services import case_intake, unit_role_grant, unit_upsert

    other, _ = unit_upsert(code="Q", name="Tỉnh ủy Q", tier=Tier.PROVINCE, kind=UnitKind.COMMITTEE, parent=None)
    unit_role_grant(user=world.clerk2, unit=other, role=Role.INTAKE_CLERK)
    elsewhere = case_intake(by=world.clerk2, title="Phản ánh tỉnh Q", channel=world.channel, topic=world.topic,
                            locality=other)
    mine = new_case("Phản ánh xã A")
    assert codes(world.supervisor) == {mine.code}  # P's subtree only: Q is another root
    assert elsewhere.code in codes(world.clerk2)


def test_search_by_code_finds_the_case_typed_in_any_case_or_in_part(world, new_case):
    wanted = new_case("Đường hỏng")
    other = new_case("Đường hỏng nữa")
    assert codes(world.clerk, q=wanted.code) == {wanted.code}
    assert codes(world.clerk, q=f"  {wanted.code.lower()} ") == {wanted.code}
    assert codes(world.clerk, q=wanted.code[:-1]) >= {wanted.code}  # the start of a code
    assert codes(world.clerk2, q=wanted.code) == set()  # still within the person's reach
    assert other.code not in codes(world.clerk, q=wanted.code)
