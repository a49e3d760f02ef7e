"""The reporter's own view: code + secret, the public facts only, feedback after resolution."""

import pytest

from cases.exceptions import CaseNotFound
from cases.models import Case, CaseEvent
from cases.selectors import case_public_status
from cases.services import case_assign, case_orient, case_public_feedback, case_reopen, case_resolve, case_verify


def test_the_secret_opens_the_public_facts_and_nothing_else(world, new_case):
    case = new_case()
    secret = case.public_secret
    assert len(secret) == 10 and Case.objects.get(pk=case.pk).public_secret_hash != secret
    status = case_public_status(code=case.code.lower(), secret=secret.lower())
    assert status["status"] == "received" and status["title"] == case.title
    assert "reporter" not in status and "assignee" not in status
    assert case_public_status(code=case.code, secret="SAI-MA") is None
    assert case_public_status(code="DL-2000-000001", secret=secret) is None


def test_not_fixed_asks_a_leader_to_decide_and_fixed_is_recorded(world, new_case):
    case = new_case()
    secret = case.public_secret
    with pytest.raises(Exception):
        case_public_feedback(case=case, secret=secret, fixed=False)  # not resolved yet
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a)
    case_orient(case=case, by=world.handler, response="Đã trả lời")
    case_resolve(case=case, by=world.handler, outcome="Đã thu gom")
    with pytest.raises(CaseNotFound):
        case_public_feedback(case=case, secret="KHONGDUNG", fixed=False)

    case_public_feedback(case=case, secret=secret, fixed=False, comment="Rác vẫn còn")
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == "resolved" and stored.reopen_requested
    event = CaseEvent.objects.get(case=case, action="public_feedback")
    assert (event.actor, event.data, event.note) == (None, {"fixed": False, "deadline": None}, "Rác vẫn còn")

    case_reopen(case=stored, by=world.leader, reason="Người dân báo chưa xong")
    assert not Case.objects.get(pk=case.pk).reopen_requested
