"""The case lifecycle through the services: states and events after each step."""

import pytest
from django.core.exceptions import ValidationError

from cases.audit import audit_verify
from cases.exceptions import Conflict, PermissionDenied, TransitionNotAllowed
from cases.models import Case, CaseEvent, CaseReport, CaseStatus
from cases.services import (
    case_assign,
    case_mark_reported,
    case_merge,
    case_orient,
    case_reassign,
    case_reject,
    case_reopen,
    case_resolve,
    case_verify,
)


def history(case):
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("action", "from_status", "to_status"))


def test_normal_case_walks_the_main_line(world, new_case):
    """received → verified → assigned → oriented → resolved → reported, one event per step."""
    case = new_case()
    assert case.status == CaseStatus.RECEIVED
    assert case.code.startswith("DL-") and len(case.code) == len("DL-2026-000001")
    assert case.owner == world.commune_a
    assert history(case) == [("intake", "", "received")]

    case_verify(case=case, by=world.clerk, note="Đã kiểm tra địa bàn")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.VERIFIED

    case_assign(case=case, by=world.leader, unit=world.hamlet_a, assignee=world.hamlet_handler)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.owner, stored.assignee, stored.assigned_by_unit) == (
        CaseStatus.ASSIGNED, world.hamlet_a, world.hamlet_handler, world.commune_a,
    )

    case_orient(case=case, by=world.hamlet_handler, response="Đã thông tin tại họp thôn")
    assert Case.objects.get(pk=case.pk).public_response == "Đã thông tin tại họp thôn"

    case_resolve(case=case, by=world.hamlet_handler, outcome="Đã thu gom rác")
    case_mark_reported(case=case, by=world.secretariat, report_ref="BC-2026-11")

    stored = Case.objects.get(pk=case.pk)
    assert stored.status == CaseStatus.REPORTED
    assert stored.deadline is None  # nothing left to do
    assert history(case) == [
        ("intake", "", "received"),
        ("verify", "received", "verified"),
        ("assign", "verified", "assigned"),
        ("orient", "assigned", "oriented"),
        ("resolve", "oriented", "resolved"),
        ("report", "resolved", "reported"),
    ]
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    assert [e.actor for e in events] == [
        world.clerk, world.clerk, world.leader, world.hamlet_handler, world.hamlet_handler, world.secretariat,
    ]
    assert events[2].data["to_unit"] == "P-A-T1" and events[2].data["assignee"] == "hamlet_handler"
    assert stored.event_count == 6 and stored.head_hash == events[-1].hash
    assert audit_verify().ok


def test_rejected_case_is_final_with_its_reason(world, new_case):
    case = new_case()
    case_reject(case=case, by=world.clerk, reason="Tin nhắn quảng cáo, không phải phản ánh")
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == CaseStatus.REJECTED
    assert stored.closing_reason == "Tin nhắn quảng cáo, không phải phản ánh"
    assert history(case) == [("intake", "", "received"), ("reject", "received", "rejected")]
    with pytest.raises(TransitionNotAllowed):
        case_verify(case=stored, by=world.clerk)


def test_reject_needs_a_reason_and_changes_nothing_without_one(world, new_case):
    case = new_case()
    with pytest.raises(ValidationError) as refused:
        case_reject(case=case, by=world.clerk, reason="   ")
    assert "reason" in refused.value.message_dict
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RECEIVED
    assert history(case) == [("intake", "", "received")]


def test_merged_case_moves_its_reports_to_the_survivor(world, new_case):
    survivor = new_case("Rác thải ở chợ xã A")
    duplicate = new_case("Rác ở chợ xã A chưa thu gom", anonymous=True)
    case_verify(case=duplicate, by=world.clerk)

    case_merge(case=duplicate, into=survivor, by=world.clerk, note="Cùng nội dung")

    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.status == CaseStatus.MERGED and duplicate.merged_into == survivor
    assert survivor.status == CaseStatus.RECEIVED
    assert survivor.report_count == 2
    assert CaseReport.objects.filter(case=survivor).count() == 2
    moved = CaseReport.objects.get(case=survivor, via_case=duplicate)
    assert moved.reporter is None  # the anonymous report stays anonymous
    assert history(duplicate)[-1] == ("merge", "verified", "merged")
    assert history(survivor)[-1] == ("merge_in", "received", "received")
    assert CaseEvent.objects.get(case=survivor, action="merge_in").data["merged_case"] == duplicate.code
    # Both histories stay readable and intact.
    assert audit_verify().ok


def test_merge_into_a_closed_case_is_refused(world, new_case):
    closed = new_case("Đã đóng")
    case_reject(case=closed, by=world.clerk, reason="Trùng")
    duplicate = new_case("Mới")
    with pytest.raises(ValidationError):
        case_merge(case=duplicate, into=closed, by=world.clerk)
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.RECEIVED
    assert history(duplicate) == [("intake", "", "received")]


def test_reopened_case_goes_back_to_the_handling_unit(world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a, assignee=world.handler)
    case_orient(case=case, by=world.handler, response="Đã trả lời")
    case_resolve(case=case, by=world.handler, outcome="Xong")

    case_reopen(case=case, by=world.leader, reason="Người dân báo chưa xử lý dứt điểm")
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == CaseStatus.ASSIGNED
    assert stored.owner == world.commune_a
    assert stored.deadline is not None

    case_orient(case=case, by=world.handler, response="Trả lời lần 2")
    case_resolve(case=case, by=world.handler, outcome="Đã xử lý dứt điểm")
    assert [row[0] for row in history(case)] == [
        "intake", "verify", "assign", "orient", "resolve", "reopen", "orient", "resolve",
    ]
    assert history(case)[5] == ("reopen", "resolved", "assigned")


def test_reassign_moves_ownership_and_records_both_units(world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a)
    case_reassign(case=case, by=world.leader, unit=world.hamlet_a, reason="Thuộc thẩm quyền thôn")
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == CaseStatus.ASSIGNED and stored.owner == world.hamlet_a
    event = CaseEvent.objects.get(case=case, action="reassign")
    assert (event.from_status, event.to_status) == ("assigned", "assigned")
    assert (event.data["from_unit"], event.data["to_unit"]) == ("P-A", "P-A-T1")
    assert event.data["from_unit_name"] == "Đảng ủy xã A"


def test_orient_may_be_skipped_only_where_the_topic_allows_and_is_recorded(world, new_case):
    needs_answer = new_case(topic=world.topic)
    quiet = new_case(topic=world.quiet_topic)
    for case in (needs_answer, quiet):
        case_verify(case=case, by=world.clerk)
        case_assign(case=case, by=world.leader, unit=world.commune_a)

    with pytest.raises(TransitionNotAllowed) as refused:
        case_resolve(case=needs_answer, by=world.handler, outcome="Xong")
    assert "trả lời" in str(refused.value.message)
    assert Case.objects.get(pk=needs_answer.pk).status == CaseStatus.ASSIGNED

    case_resolve(case=quiet, by=world.handler, outcome="Đã tiếp thu")
    assert Case.objects.get(pk=quiet.pk).status == CaseStatus.RESOLVED
    assert CaseEvent.objects.get(case=quiet, action="resolve").data == {"orient_skipped": True, "deadline": None}


def test_a_role_that_does_not_allow_the_move_is_refused(world, new_case):
    case = new_case()
    with pytest.raises(PermissionDenied):
        case_verify(case=case, by=world.handler)  # handlers do not verify
    with pytest.raises(PermissionDenied):
        case_verify(case=case, by=world.clerk2)  # another commune's clerk
    case_verify(case=case, by=world.clerk)
    with pytest.raises(PermissionDenied):
        case_assign(case=case, by=world.clerk, unit=world.commune_a)  # only leaders assign
    assert history(case) == [("intake", "", "received"), ("verify", "received", "verified")]


def test_assign_only_within_the_leaders_own_subtree(world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    with pytest.raises(ValidationError) as refused:
        case_assign(case=case, by=world.leader, unit=world.commune_b)
    assert "unit" in refused.value.message_dict
    assert Case.objects.get(pk=case.pk).status == CaseStatus.VERIFIED


def test_a_stale_copy_of_the_case_gets_a_conflict(world, new_case):
    case = new_case()
    stale = Case.objects.get(pk=case.pk)
    case_verify(case=case, by=world.clerk)
    with pytest.raises(Conflict):
        case_reject(case=stale, by=world.clerk, reason="Spam")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.VERIFIED
    assert len(history(case)) == 2
