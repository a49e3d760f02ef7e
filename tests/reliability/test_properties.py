"""Property-based tests of the services (hypothesis): any text, any sequence of moves by anyone.

Whatever is thrown at them, a case's state always matches its event chain, the chain verifies, a
refused move changes nothing, and at most one person-task is open, in the owning unit's queue.
"""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from viewflow.workflow.models import Task

from cases.audit import audit_verify
from cases.exceptions import Conflict, PermissionDenied, TransitionNotAllowed
from cases.models import Case, CaseEvent, CaseReport
from cases.services import (
    ReporterInput,
    case_assign,
    case_intake,
    case_orient,
    case_reassign,
    case_reject,
    case_reopen,
    case_resolve,
    case_verify,
    reporter_reveal,
)
from workflow.engine import OPEN_TASK_STATUSES, case_process
from workflow.queues import HUMAN_STEPS

PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Any Unicode a browser or client could send (NUL is refused by every interface before the
# services; lone surrogates cannot be UTF-8), with control characters, markup and huge strings.
ANY_CHAR = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=60),
    st.text(st.sampled_from("\t\r\n\x0b\x1b\u200b\u202e <>&\"'"), max_size=10),
    st.sampled_from(["<script>alert(1)</script>", "'; DROP TABLE cases_case; --", "=1+1", "Nước sạch ở thôn Đông"]),
    st.builds(lambda ch, n: ch * n, st.sampled_from(["Đ", "a", " ", "\n"]), st.integers(290, 20_000)),
)

PEOPLE = ["clerk", "leader", "handler", "clerk2", "leader2", "hamlet_leader", "hamlet_handler", "supervisor",
          "inspector", "administrator"]
UNITS = ["commune_a", "hamlet_a", "commune_b", "hamlet_b", "province"]
MOVES = {
    "verify": lambda case, by, text, unit: case_verify(case=case, by=by, note=text),
    "reject": lambda case, by, text, unit: case_reject(case=case, by=by, reason=text),
    "assign": lambda case, by, text, unit: case_assign(case=case, by=by, unit=unit, note=text),
    "reassign": lambda case, by, text, unit: case_reassign(case=case, by=by, unit=unit, reason=text),
    "orient": lambda case, by, text, unit: case_orient(case=case, by=by, response=text),
    "resolve": lambda case, by, text, unit: case_resolve(case=case, by=by, outcome=text),
    "reopen": lambda case, by, text, unit: case_reopen(case=case, by=by, reason=text),
    "reveal_reporter": lambda case, by, text, unit: reporter_reveal(case=case, by=by, reason=text),
}
REFUSALS = (TransitionNotAllowed, PermissionDenied, Conflict, ValidationError)

# Random moves by random people rarely get past the first state, so a step is either "next" (the
# usual next move, made by someone entitled to it, with random text and unit) or any move by anyone.
NEXT_MOVE = {"received": "verify", "verified": "assign", "assigned": "orient", "oriented": "resolve", "resolved": "reopen"}
STEP = st.tuples(
    st.just("next") | st.sampled_from(list(MOVES)),
    st.sampled_from(PEOPLE),
    st.just("Ghi chú") | TEXT,
    st.sampled_from(["hamlet_a", "commune_a"]) | st.sampled_from(UNITS),
    st.integers(0, 4).map(lambda n: n == 4),  # now and then act on the copy read before the previous move
)


def entitled(move, case) -> str:
    if move in ("orient", "resolve"):
        return "hamlet_handler" if case.owner.code == "P-A-T1" else "handler"
    return {"verify": "clerk", "assign": "leader", "reopen": "leader"}.get(move, "clerk")


def snapshot(case_id):
    case = Case.objects.get(pk=case_id)
    return case.status, case.event_count, case.version, case.head_hash


def open_person_tasks(case):
    process = case_process(case)
    return list(Task.objects.filter(process=process, flow_task__in=HUMAN_STEPS, status__in=OPEN_TASK_STATUSES))


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(title=TEXT, description=TEXT, name=TEXT)
def test_intake_of_any_text_logs_it_exactly_or_refuses_and_logs_nothing(world, title, description, name):
    cases_before, reports_before = Case.objects.count(), CaseReport.objects.count()
    try:
        case = case_intake(by=world.clerk, title=title, description=description, channel=world.channel,
                           topic=world.topic, locality=world.hamlet_a, reporter=ReporterInput(full_name=name))
    except ValidationError as refused:
        assert set(refused.message_dict) <= {"title", "description"}
        assert (Case.objects.count(), CaseReport.objects.count()) == (cases_before, reports_before)
        return
    stored = Case.objects.get(pk=case.pk)
    assert stored.title == title.strip() and 0 < len(stored.title) <= 300
    assert stored.description == description
    assert stored.event_count == 1 and audit_verify(case_ids=[case.pk]).ok
    reporter = CaseReport.objects.get(case=case).reporter
    assert (reporter.full_name if reporter else "") == name.strip()


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(steps=st.lists(STEP, min_size=1, max_size=20))
def test_any_sequence_of_moves_by_anyone_keeps_state_and_chain_in_step(world, new_case, steps):
    case = new_case()
    stale = Case.objects.get(pk=case.pk)
    for move, username, text, unit_name, use_stale in steps:
        current = Case.objects.get(pk=case.pk)
        before = snapshot(case.pk)
        target = stale if use_stale else current
        if move == "next":
            move = NEXT_MOVE.get(current.status, "reveal_reporter")
            username = entitled(move, current)
        try:
            MOVES[move](target, world.users[username], text, getattr(world, unit_name))
        except REFUSALS:
            assert snapshot(case.pk) == before, (move, username)  # a refusal changes nothing
        else:
            after = snapshot(case.pk)
            assert after[1] == before[1] + 1
            last = CaseEvent.objects.filter(case_id=case.pk).latest("seq")
            assert (last.action, last.from_status, last.to_status) == (move, before[0], after[0])
        stale = current

    # The state is what the chain says, move by move.
    state = ""
    for event in CaseEvent.objects.filter(case_id=case.pk).order_by("seq"):
        assert event.from_status == state
        state = event.to_status
    final = Case.objects.get(pk=case.pk)
    assert final.status == state
    assert audit_verify(case_ids=[case.pk]).ok

    # One open person-task at most, in the owning unit's queue, and none once the work is done.
    tasks = open_person_tasks(final)
    assert len(tasks) <= 1
    if final.status in ("assigned", "oriented"):
        assert [t.owner_permission_obj_pk for t in tasks] == [str(final.owner_id)]
    if final.status == "resolved":
        # Waiting to be accounted for in a report at the nearest unit up that can make it: commune A has the
        # only secretariat; elsewhere the nearest leader's unit (commune B), the province has neither.
        reporter = {"P-A-T1": "commune_a", "P-A": "commune_a", "P-B-K1": "commune_b", "P-B": "commune_b",
                    "P": "province"}[final.owner.code]
        assert [(t.flow_task.name, t.owner_permission_obj_pk) for t in tasks] == [
            ("report_step", str(getattr(world, reporter).pk))]
    if final.status in ("rejected", "merged", "reported"):
        assert tasks == []
