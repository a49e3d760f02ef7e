"""Issue 15, item 2 (first part): the case row agrees with its history; a status changed without an event is caught."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.audit import audit_verify
from cases.models import Case
from cases.services import case_assign, case_verify


def test_a_status_changed_without_an_event_is_caught_by_case_and_field(world, new_case, capsys):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.hamlet_a)
    assert audit_verify().ok

    Case.objects.filter(pk=case.pk).update(status="resolved")  # as with database access, no event written

    result = audit_verify()
    assert not result.ok
    assert result.first_broken.case_code == case.code
    assert "'resolved'" in result.first_broken.reason and "'assigned'" in result.first_broken.reason


def test_the_command_reports_the_case_whose_row_disagrees(world, new_case):
    case = new_case()
    call_command("verify_audit")
    Case.objects.filter(pk=case.pk).update(status="rejected")
    with pytest.raises(CommandError, match=case.code):
        call_command("verify_audit")


def test_an_owner_changed_without_an_event_is_caught(world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.hamlet_a)
    assert audit_verify().ok

    Case.objects.filter(pk=case.pk).update(owner=world.commune_b)

    result = audit_verify()
    assert not result.ok
    assert result.first_broken.case_code == case.code
    assert repr(world.commune_b.code) in result.first_broken.reason
    assert repr(world.hamlet_a.code) in result.first_broken.reason
