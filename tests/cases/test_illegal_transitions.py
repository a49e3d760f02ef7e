"""Every (state, transition) pair that DESIGN.md section 3 does not allow is refused
and leaves the state and the history exactly as they were."""

import pytest

from cases.exceptions import TransitionNotAllowed
from cases.models import Case, CaseEvent, CaseStatus
from cases.services import (
    case_acknowledge,
    case_assign,
    case_extend,
    case_instruct,
    case_keep_closed,
    case_mark_reported,
    case_merge,
    case_orient,
    case_pull_up,
    case_reassign,
    case_reject,
    case_reopen,
    case_reporter_notified,
    case_resolve,
    case_transfer,
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
    "keep_closed": {S.RESOLVED},
    "transfer": {S.RECEIVED, S.VERIFIED},
    "reporter_notified": {S.TRANSFERRED},
    # "any open state" (each also needs its own condition: an escalation, an instruction pending).
    "pull_up": {S.RECEIVED, S.VERIFIED, S.ASSIGNED, S.ORIENTED, S.TRANSFERRED},
    "instruct": {S.RECEIVED, S.VERIFIED, S.ASSIGNED, S.ORIENTED, S.TRANSFERRED},
    "acknowledge": {S.RECEIVED, S.VERIFIED, S.ASSIGNED, S.ORIENTED, S.TRANSFERRED},
    "extend": {S.RECEIVED, S.VERIFIED, S.ASSIGNED, S.ORIENTED, S.TRANSFERRED},
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
    if state in (S.TRANSFERRED, S.TRANSFER_CLOSED):
        case_transfer(case=case, by=world.clerk, agency="Thanh tra tỉnh", legal_basis="Luật Tố cáo 2018")
        if state == S.TRANSFERRED:
            return case
        return case_reporter_notified(case=case, by=world.clerk, how="Gọi điện")
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
        "keep_closed": lambda: case_keep_closed(case=case, by=world.leader, reason="Lý do"),
        "transfer": lambda: case_transfer(case=case, by=world.clerk, agency="Thanh tra", legal_basis="Luật"),
        "reporter_notified": lambda: case_reporter_notified(case=case, by=world.clerk, how="Gọi điện"),
        "pull_up": lambda: case_pull_up(case=case, by=world.supervisor, reason="Lý do"),
        "instruct": lambda: case_instruct(case=case, by=world.supervisor, instruction="Chỉ đạo"),
        "acknowledge": lambda: case_acknowledge(case=case, by=world.leader),
        "extend": lambda: case_extend(case=case, by=world.leader, new_due=case.received_at, decision_ref="QĐ 1",
                                      reason="Lý do"),
    }
    return moves[name]()


def test_the_table_covers_every_pair():
    assert len(ILLEGAL) == len(ALL_STATES) * len(LEGAL) - sum(len(s) for s in LEGAL.values()) == 160 - 37


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
