"""Every (state, transition) pair that DESIGN.md section 3 does not allow is refused
and leaves the state and the history exactly as they were."""

import pytest

from cases.exceptions import TransitionNotAllowed
from cases.models import Case, CaseEvent, CaseStatus
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

S = CaseStatus

# DESIGN.md section 3, written out independently of cases/lifecycle.py.
LEGAL = {
    "verify": {S.RECEIVED},
    "reject": {S.RECEIVED, S.VERIFIED},
    "merge": {S.RECEIVED, S.VERIFIED},
    "assign": {S.VERIFIED},
    "reassign": {S.ASSIGNED, S.ORIENTED},
    "orient": {S.ASSIGNED},
    # From ASSIGNED only where the topic needs no public response (tested in test_lifecycle).
    "resolve": {S.ASSIGNED, S.ORIENTED},
    "reopen": {S.RESOLVED},
    "report": {S.RESOLVED},
}
ALL_STATES = list(S)
ILLEGAL = [(state, name) for name, sources in LEGAL.items() for state in ALL_STATES if state not in sources]


def drive_to(state, world, new_case):
    """A case of commune A brought to `state` by the people allowed to."""
    case = new_case()
    if state == S.REJECTED:
        return case_reject(case=case, by=world.clerk, reason="Spam")
    if state == S.MERGED:
        return case_merge(case=case, into=new_case("Vụ việc giữ lại"), by=world.clerk)
    if state == S.RECEIVED:
        return case
    case_verify(case=case, by=world.clerk)
    if state == S.VERIFIED:
        return case
    case_assign(case=case, by=world.leader, unit=world.commune_a)
    if state == S.ASSIGNED:
        return case
    case_orient(case=case, by=world.handler, response="Đã trả lời")
    if state == S.ORIENTED:
        return case
    case_resolve(case=case, by=world.handler, outcome="Xong")
    if state == S.RESOLVED:
        return case
    return case_mark_reported(case=case, by=world.secretariat, report_ref="BC")


def attempt(name, case, world, new_case):
    """Try move `name` as a person whose role would allow it in a legal state."""
    moves = {
        "verify": lambda: case_verify(case=case, by=world.clerk),
        "reject": lambda: case_reject(case=case, by=world.clerk, reason="Lý do"),
        "merge": lambda: case_merge(case=case, into=new_case("Vụ việc khác"), by=world.clerk),
        "assign": lambda: case_assign(case=case, by=world.leader, unit=world.commune_a),
        "reassign": lambda: case_reassign(case=case, by=world.leader, unit=world.hamlet_a, reason="Lý do"),
        "orient": lambda: case_orient(case=case, by=world.handler, response="Trả lời"),
        "resolve": lambda: case_resolve(case=case, by=world.handler, outcome="Kết quả"),
        "reopen": lambda: case_reopen(case=case, by=world.leader, reason="Lý do"),
        "report": lambda: case_mark_reported(case=case, by=world.secretariat, report_ref="BC"),
    }
    return moves[name]()


def test_the_table_covers_every_pair():
    assert len(ILLEGAL) == len(ALL_STATES) * len(LEGAL) - sum(len(s) for s in LEGAL.values()) == 72 - 13


@pytest.mark.parametrize(("state", "name"), ILLEGAL, ids=[f"{s}-{n}" for s, n in ILLEGAL])
def test_illegal_move_is_refused_and_changes_nothing(state, name, world, new_case):
    case = drive_to(state, world, new_case)
    case = Case.objects.get(pk=case.pk)
    assert case.status == state
    before_case = Case.objects.filter(pk=case.pk).values().get()
    before_events = list(CaseEvent.objects.filter(case=case).values_list("pk", "hash"))
    events_total = CaseEvent.objects.count()

    with pytest.raises(TransitionNotAllowed) as refused:
        attempt(name, case, world, new_case)

    assert str(refused.value.message)  # a message a person can read
    assert Case.objects.filter(pk=case.pk).values().get() == before_case
    assert list(CaseEvent.objects.filter(case=case).values_list("pk", "hash")) == before_events
    # The only events written are those of a merge target created for the attempt.
    assert CaseEvent.objects.exclude(case__title__in=["Vụ việc khác"]).count() == events_total
