"""The invariant of DESIGN.md section 5, driven by hypothesis (issue 13, "Build" item 2).

Every case that is not final has at least one active person who may make a move on it now, and the case
is in a queue ("Việc của tôi" or "Việc của đơn vị") of that same person. A stateful test throws random
sequences at the engine: intake of every kind at several receiving units, every move by every role (the
moves someone may make, and any move by anyone), hand-down to any unit (an empty one must be refused),
time moved past deadlines with the sweep run, the resident's answer, report submissions, case merges,
unit merges and role withdrawals. After every step it checks the invariant, and that the case's process
agrees with it: one running process with an open task while the case is open, no open human task once
it is final. A refused step must raise the project's errors and change nothing.

Each example starts from the same small world (the `world` fixture, a few more people) inside a savepoint
that is rolled back at its end, at the same moment in time (time-machine, not ticking).

A failing sequence shrinks to readable steps: each rule says what it did, by whom, in the notes printed
with the failure.
"""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS

from cases.audit import audit_verify
from cases.exceptions import CaseError
from cases.lifecycle import TRANSITION_NAMES, transition_of
from cases.models import (
    FINAL_STATUSES,
    Case,
    CaseEvent,
    CaseKind,
    CaseStatus,
    Channel,
    Priority,
    Role,
    Topic,
    Unit,
    UnitUserObjectPermission,
    role_codename,
)
from cases.permissions import forget_grants, roles_on_unit, user_grants, users_with_role_on
from cases.selectors import case_available_transitions
from cases.services import (
    case_acknowledge,
    case_assign,
    case_extend,
    case_instruct,
    case_intake,
    case_keep_closed,
    case_merge,
    case_orient,
    case_public_feedback,
    case_pull_up,
    case_reassign,
    case_reject,
    case_reopen,
    case_reporter_notified,
    case_resolve,
    case_transfer,
    case_verify,
    unit_merge,
    unit_role_grant,
    unit_role_revoke,
)
from reports.models import ReportKind
from reports.services import report_draft_create, report_submit
from workflow.engine import OPEN_TASK_STATUSES, open_tasks_of_case
from workflow.flows import HUMAN_STEPS, CaseFlow
from workflow.queues import my_tasks, task_queue_for_user
from workflow.roles import HANDOVER_ROLES, STEPS
from workflow.services import clocks_sweep

from .conftest import at

# The small fixed-seed version CI runs: 120 runs of 30 moves (200 took a fifth of the PostgreSQL pass).
INVARIANT_SETTINGS = settings(
    max_examples=120, stateful_step_count=30, deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)

# Where every example starts: Monday 2 March 2026, 09:00 in Vietnam, with the clock stopped.
START = at(2026, 3, 2, 9)

# Beside the `world` fixture's people (tests/conftest.py): the province can act on what comes up to it,
# commune B and the province have a secretariat to report.
EXTRA_PEOPLE = [
    ("prov_leader", Role.LEADER, "P"),
    ("prov_handler", Role.HANDLER, "P"),
    ("prov_secretariat", Role.SECRETARIAT, "P"),
    ("secretariat2", Role.SECRETARIAT, "P-B"),
]
PEOPLE = [
    "clerk", "leader", "handler", "secretariat", "clerk2", "leader2", "handler2", "secretariat2",
    "hamlet_leader", "hamlet_handler", "prov_leader", "prov_handler", "prov_secretariat",
    "supervisor", "inspector", "administrator",
]
# P ⊃ P-A ⊃ P-A-T1, P ⊃ P-B ⊃ P-B-K1; nobody holds a role on P-B-K1 (the empty unit).
UNITS = ["P", "P-A", "P-B", "P-A-T1", "P-B-K1"]
PERSON = st.sampled_from(PEOPLE)
UNIT = st.sampled_from(UNITS)
# Intake is tried by the clerks and leaders of four units (four receiving units) and, now and then, by others.
RECEIVERS = st.sampled_from(["clerk", "clerk2", "leader", "leader2", "prov_leader", "hamlet_leader"])
INTAKE_PEOPLE = RECEIVERS | PERSON
KIND = st.sampled_from(CaseKind.values)
PRIORITY = st.sampled_from(Priority.values)
HANDING_DOWN = st.sampled_from(["leader", "leader2", "prov_leader", "hamlet_leader", "supervisor"])
ASSIGNEES = st.none() | st.sampled_from(["handler", "handler2", "hamlet_handler", "prov_handler", "leader"])
# The units a case depends on, for withdrawals and merges aimed at it.
SEATS = st.sampled_from(["owner", "assigner", "parent", "queue"])
# Mostly the people whose going matters: the supervisor above everyone, the leaders and handlers of units.
WITHDRAWN = st.sampled_from(["supervisor", "hamlet_leader", "hamlet_handler", "leader", "handler", "secretariat",
                             "leader2", "handler2", "prov_leader", "clerk"]) | PERSON
REPORTERS = st.sampled_from(["secretariat", "secretariat2", "prov_secretariat", "leader", "leader2", "prov_leader"])
CASE_MOVES = [name for name in TRANSITION_NAMES if name != "report"]  # "report" is made by submitting a report
TEXT = st.sampled_from(["Ghi chú", ""])  # an empty reason or response must be refused
HOURS = st.sampled_from([1, 5, 13, 25, 49, 24 * 4, 24 * 8, 24 * 15, 24 * 32])

# A few cases an example: enough for merges and reports, few enough for each to get far along its path;
# a few unit merges and role withdrawals, so that the world keeps people to do the work.
MAX_CASES = 4
MAX_UNIT_MERGES = 2
MAX_WITHDRAWALS = 4

# What a refused step raises; it must change nothing.
REFUSALS = (CaseError, ValidationError)
CASE_FIELDS = [field.attname for field in Case._meta.concrete_fields]
ROLE_BY_CODENAME = {role_codename(role): role for role in Role.values}


# What the examples did, for `pytest -s` (hypothesis' own statistics do not cover a state machine run here).
SEEN = Counter()


def _seen(what: str) -> None:
    event(what)
    SEEN[what] += 1


def _describe(exc) -> str:
    if isinstance(exc, ValidationError):
        return f"ValidationError {getattr(exc, 'message_dict', exc.messages)}"
    return f"{type(exc).__name__}: {exc}"


class NoCaseIsStranded(RuleBasedStateMachine):
    """One example: a fresh world at a fixed moment, random steps, the invariant after each."""

    cases = Bundle("cases")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._traveller = time_machine.travel(START, tick=False)
        self._clock = self._traveller.start()
        self.secrets: dict[int, str] = {}
        self.case_ids: list[int] = []
        self.unit_merges = self.withdrawals = 0
        self._people = None
        self._unit_codes = None
        self.content_type = ContentType.objects.get_for_model(Case)

    def teardown(self):
        self._traveller.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- fresh reads: no memo of an earlier step (grants, directions) may leak into the next -------------

    def person(self, username):
        """The example's user object; its memo of roles is forgotten whenever roles or units change."""
        if self._people is None:
            self._people = {user.username: user for user in get_user_model().objects.all()}
        return self._people[username]

    def roles_changed(self):
        for user in (self._people or {}).values():
            forget_grants(user)

    @staticmethod
    def unit(code):
        return Unit.objects.get(code=code)

    @staticmethod
    def case(pk):
        return Case.objects.select_related("owner", "topic", "assigned_by_unit").get(pk=pk)

    def snapshot(self):
        """What a step could change about the example's cases (their rows, events) and their processes."""
        ids = self.case_ids
        return (
            list(Case.objects.filter(pk__in=ids).order_by("pk").values_list(*CASE_FIELDS)),
            CaseEvent.objects.filter(case_id__in=ids).count(),
            list(Task.objects.filter(process__artifact_content_type=self.content_type,
                                     process__artifact_object_id__in=ids).order_by("pk")
                 .values_list("pk", "process_id", "process__status", "flow_task", "status", "owner_id",
                              "owner_permission_obj_pk", "finished")),
        )

    def attempt(self, label: str, action, *, kind: str) -> bool:
        """Run a step; a refusal must be one of the project's errors and change nothing."""
        before = self.snapshot()
        try:
            action()
        except REFUSALS as exc:
            assert self.snapshot() == before, f"{label}: refused ({_describe(exc)}) but something changed"
            note(f"  {label}: refused — {_describe(exc)}")
            _seen(f"{kind}: refused")
            return False
        note(f"  {label}: done")
        _seen(f"{kind}: done")
        return True

    # --- the moves ----------------------------------------------------------------------------

    def move(self, name: str, case_pk: int, username: str, *, unit: str = "P-A", text: str = "Ghi chú",
             into: int | None = None, assignee: str | None = None, offered: bool = False):
        """`username` makes move `name` on the case (fresh reads), with plausible arguments."""
        case, by = self.case(case_pk), self.person(username)
        label = f"{username} {name} {case.code} ({case.status}, owner {case.owner.code})"
        given = self.person(assignee) if assignee else None
        if name in ("assign", "reassign"):
            label += f" → {unit}" + (f" / {assignee}" if assignee else "")
        calls = {
            "verify": lambda: case_verify(case=case, by=by, note=text),
            "reject": lambda: case_reject(case=case, by=by, reason=text),
            "merge": lambda: case_merge(case=case, into=self.case(into), by=by, note=text),
            "transfer": lambda: case_transfer(case=case, by=by, agency=text and "Thanh tra tỉnh",
                                              legal_basis=text and "Luật Khiếu nại 2011, Điều 7"),
            "reporter_notified": lambda: case_reporter_notified(case=case, by=by, how=text and "Gọi điện thoại"),
            "assign": lambda: case_assign(case=case, by=by, unit=self.unit(unit), assignee=given, note=text),
            "reassign": lambda: case_reassign(case=case, by=by, unit=self.unit(unit), reason=text, assignee=given),
            "orient": lambda: case_orient(case=case, by=by, response=text),
            "resolve": lambda: case_resolve(case=case, by=by, outcome=text),
            "reopen": lambda: case_reopen(case=case, by=by, reason=text),
            "keep_closed": lambda: case_keep_closed(case=case, by=by, reason=text),
            "pull_up": lambda: case_pull_up(case=case, by=by, reason=text),
            "instruct": lambda: case_instruct(case=case, by=by, instruction=text),
            "acknowledge": lambda: case_acknowledge(case=case, by=by, note=text),
            "extend": lambda: case_extend(case=case, by=by, new_due=max(timezone.now(), case.deadline or START)
                                          + timedelta(days=5), decision_ref=text and "QĐ 12/UBND", reason=text),
        }
        if name == "merge":
            if into is None:
                note(f"  {label}: no other case to merge into")
                return False
            label += f" into {Case.objects.get(pk=into).code}"
        return self.attempt(label, calls[name], kind=f"offered {name}" if offered else name)

    def prefer(self, case: int, *statuses) -> int:
        """`case` if it is in one of `statuses`, else the first of the example's cases that is, else `case`."""
        fitting = dict(Case.objects.filter(pk__in=self.case_ids, status__in=statuses).values_list("pk", "pk"))
        return case if case in fitting or not fitting else next(pk for pk in self.case_ids if pk in fitting)

    # --- rules --------------------------------------------------------------------------------

    def log_case(self, by, kind, quiet, locality, priority) -> int | None:
        made = []

        def log():
            made.append(case_intake(
                by=self.person(by), title="Rác thải tồn đọng", description="Nội dung", kind=kind,
                channel=Channel.objects.get(code="hotline"), topic=Topic.objects.get(code="GY" if quiet else "MT"),
                locality=self.unit(locality), priority=priority,
            ))

        label = f"{by} logs a {priority} {kind} about {locality}{' (quiet topic)' if quiet else ''}"
        if not self.attempt(label, log, kind="intake"):
            return None
        case = made[0]
        self.case_ids.append(case.pk)
        self.secrets[case.pk] = case.public_secret
        note(f"    → {case.code}, owner {case.owner.code}")
        return case.pk

    @initialize(supervised=st.booleans())
    def the_province_has_a_supervisor(self, supervised):
        """Half the examples without the supervisor, whose reach over every unit would hide a stranded case."""
        if not supervised:
            self.attempt("the province has no supervisor", lambda: unit_role_revoke(
                user=self.person("supervisor"), unit=self.unit("P"), role=Role.SUPERVISOR,
                by=self.person("administrator"), reason="Chưa bố trí"), kind="no supervisor")
            self.roles_changed()

    @initialize(target=cases, by=RECEIVERS, kind=KIND, quiet=st.booleans(), locality=UNIT, priority=PRIORITY,
                picks=st.lists(st.integers(0, 10_000), max_size=8))
    def a_case_under_way(self, by, kind, quiet, locality, priority, picks):
        """Each example starts with two cases somewhere along their path."""
        pk = self.log_case(by, kind, quiet, locality, priority)
        if pk is None:
            return multiple()
        self.moves_on(pk, picks)
        return pk

    @initialize(target=cases, by=RECEIVERS, kind=KIND, quiet=st.booleans(), locality=UNIT, priority=PRIORITY,
                picks=st.lists(st.integers(0, 10_000), max_size=8))
    def another_case_under_way(self, by, kind, quiet, locality, priority, picks):
        return self.a_case_under_way(by, kind, quiet, locality, priority, picks)

    @precondition(lambda self: len(self.case_ids) < MAX_CASES)
    @rule(target=cases, by=INTAKE_PEOPLE, kind=KIND, quiet=st.booleans(), locality=UNIT, priority=PRIORITY)
    def intake(self, by, kind, quiet, locality, priority):
        """A case of any kind logged by `by` about any locality (the receiving unit follows from their roles)."""
        pk = self.log_case(by, kind, quiet, locality, priority)
        return multiple() if pk is None else pk

    @rule(case=cases, picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=4), other=cases)
    def the_case_moves_on(self, case, picks, other):
        """Up to four moves in a row, each one a person is offered now (case_available_transitions), by that person.

        Mostly the move the case's open steps wait for; now and then any offered move (reject, merge, extend…).
        The invariant is checked after each of them.
        """
        self.moves_on(case, picks, other=other)

    def moves_on(self, case, picks, *, other=None):
        for number, pick in enumerate(picks):
            if number:
                self.no_open_case_is_stranded()
            fresh = self.case(case)
            if fresh.status == CaseStatus.RESOLVED and not fresh.reopen_requested and pick % 5:
                # Along its path a resolved case is reported, or the resident answers first.
                if pick % 5 < 3:
                    self.report_where_it_waits(fresh, pick)
                else:
                    self.the_resident_answers(case, fixed=bool(pick % 2))
                continue
            offers: dict[str, list[str]] = {}
            for username in PEOPLE:
                for name in case_available_transitions(case=fresh, user=self.person(username)):
                    offers.setdefault(name, []).append(username)
            if not offers:
                note(f"  nobody is offered a move on {fresh.code} ({fresh.status})")
                return
            names = sorted(offers)
            # Mostly the move its open steps exist for (verify at verify_step, …), by someone offered it.
            # (every move of a direction or a decision: the tier above and the leader have a real choice).
            next_moves = set()
            for task in open_tasks_of_case(fresh):
                step = task.flow_task.name
                next_moves.update(STEPS[step].moves if step in ("direct_step", "decide_step") else
                                  STEPS[step].moves[:1])
            along = [name for name in names if name in next_moves]
            if along and pick % 4:
                names = along
            name = names[pick % len(names)]
            who = offers[name][(pick // len(names)) % len(offers[name])]
            unit, assignee = "P-A", None
            if name in ("assign", "reassign"):
                # A unit within the person's reach (the empty one too), now and then given to a person there.
                reach = self.units_handed_to_by(who) or UNITS
                unit = reach[pick % len(reach)]
                workers = users_with_role_on(unit=self.unit(unit), roles=HANDOVER_ROLES).order_by("username")
                if pick % 3 == 0 and workers:
                    assignee = workers[pick % len(workers)].username
            into = other if other not in (None, case) else next((pk for pk in self.case_ids if pk != case), None)
            self.move(name, case, who, unit=unit, into=into, assignee=assignee, offered=True)

    def report_where_it_waits(self, case: Case, pick: int):
        """A report submitted by someone who may make it, of the unit whose queue holds the case's report step."""
        report_steps = [task for task in open_tasks_of_case(case) if task.flow_task.name == "report_step"]
        unit = Unit.objects.get(pk=report_steps[0].owner_permission_obj_pk) if report_steps else case.owner
        reporters = [username for username in PEOPLE
                     if roles_on_unit(self.person(username), unit) & {Role.SECRETARIAT, Role.LEADER}]
        by = reporters[pick % len(reporters)] if reporters else PEOPLE[pick % len(PEOPLE)]
        self.submit_report(by, unit.code, days_back=45)

    def units_handed_to_by(self, username) -> list[str]:
        paths = [g.path for g in user_grants(self.person(username)) if g.role in (Role.LEADER, Role.SUPERVISOR)]
        return [code for code, path in Unit.objects.filter(is_active=True).values_list("code", "path")
                if any(path.startswith(p) for p in paths)]

    @rule(case=cases, name=st.sampled_from(CASE_MOVES), by=PERSON, unit=UNIT, text=TEXT, other=cases,
          assignee=ASSIGNEES)
    def anyone_tries_any_move(self, case, name, by, unit, text, other, assignee):
        """Any move by any person: allowed or refused, never half-done."""
        self.move(name, case, by, unit=unit, text=text, into=other if other != case else None, assignee=assignee)

    @rule(case=cases, by=HANDING_DOWN, unit=UNIT, assignee=ASSIGNEES)
    def hand_down(self, case, by, unit, assignee):
        """Assign (or reassign) to any unit: one where nobody could take the next step must be refused.

        Of the given case, or of another one that can be handed over now if the given one cannot.
        """
        case = self.prefer(case, CaseStatus.VERIFIED, CaseStatus.ASSIGNED, CaseStatus.ORIENTED)
        status = Case.objects.values_list("status", flat=True).get(pk=case)
        name = "assign" if status == CaseStatus.VERIFIED else "reassign"
        empty = not users_with_role_on(unit=self.unit(unit), roles=HANDOVER_ROLES).exists()
        done = self.move(name, case, by, unit=unit, assignee=assignee)
        assert not (done and empty), f"{name} to {unit}, where nobody holds {sorted(HANDOVER_ROLES)}, was accepted"

    @rule(hours=HOURS)
    def time_passes_and_the_sweep_runs(self, hours):
        self._clock.shift(timedelta(hours=hours))
        result = clocks_sweep(now=timezone.now())
        note(f"  {hours} h pass (now {timezone.localtime():%a %d/%m %H:%M}); sweep: {result.reminders} reminders, "
             f"{result.escalations} escalations, {result.failed} failed")
        assert result.failed == 0, "a clock failed to fire"
        if result.escalations:
            _seen("sweep: escalated")

    @rule(case=cases, fixed=st.booleans())
    def the_resident_answers(self, case, fixed):
        """The reporter answers on the public page (of a resolved case, if the given one is not)."""
        case = self.prefer(case, CaseStatus.RESOLVED)
        fresh = self.case(case)
        self.attempt(f"the resident says {fresh.code} is {'fixed' if fixed else 'NOT fixed'} ({fresh.status})",
                     lambda: case_public_feedback(case=fresh, secret=self.secrets[case], fixed=fixed),
                     kind="resident answer")

    @rule(by=REPORTERS | PERSON, unit=st.none() | UNIT, days_back=st.sampled_from([0, 10, 45]))
    def a_report_is_submitted(self, by, unit, days_back):
        """An ad-hoc report over the last days, drafted and submitted; it marks the unit's resolved cases reported.

        Of the unit given, or (None) of the unit where `by` is secretariat or leader.
        """
        if unit is None:
            own = sorted(Unit.objects.get(pk=g.unit_id).code for g in user_grants(self.person(by))
                         if g.role in (Role.SECRETARIAT, Role.LEADER))
            unit = own[0] if own else "P"
        self.submit_report(by, unit, days_back)

    def submit_report(self, by, unit, days_back):
        today = timezone.localdate()
        person = self.person(by)

        def submit():
            report = report_draft_create(by=person, unit=self.unit(unit), kind=ReportKind.AD_HOC,
                                         period_start=today - timedelta(days=days_back), period_end=today)
            report_submit(report=report, by=person)

        self.attempt(f"{by} submits a report of {unit} for the last {days_back} days", submit, kind="report")

    @precondition(lambda self: self.unit_merges < MAX_UNIT_MERGES)
    @rule(unit=st.sampled_from(UNITS[1:]), successor=UNIT)
    def units_merge(self, unit, successor):
        self.unit_merges += 1
        self.merge_units(unit, successor)

    @precondition(lambda self: self.unit_merges < MAX_UNIT_MERGES)
    @rule(case=cases, seat=SEATS, successor=UNIT)
    def a_unit_the_case_depends_on_merges(self, case, seat, successor):
        self.unit_merges += 1
        self.merge_units(self.unit_of(case, seat).code, successor)

    def unit_of(self, case: int, seat: str) -> Unit:
        """The case's owner, the unit that assigned it, the owner's parent, or where its first open step waits."""
        fresh = self.case(case)
        if seat == "assigner" and fresh.assigned_by_unit_id:
            return fresh.assigned_by_unit
        if seat == "parent" and fresh.owner.depth > 1:
            return Unit.objects.get_parent(fresh.owner)
        if seat == "queue" and (tasks := open_tasks_of_case(fresh)):
            return Unit.objects.get(pk=tasks[0].owner_permission_obj_pk)
        return fresh.owner

    def merge_units(self, unit, successor):
        self.attempt(f"{unit} is merged into {successor}", lambda: unit_merge(
            unit=self.unit(unit), successor=self.unit(successor), effective_on=timezone.localdate(),
            by=self.person("administrator"), decision_ref="QĐ sáp nhập"), kind="unit merge")
        self.roles_changed()

    @precondition(lambda self: self.withdrawals < MAX_WITHDRAWALS)
    @rule(who=WITHDRAWN, pick=st.integers(0, 10))
    def a_role_is_withdrawn(self, who, pick):
        """One of `who`'s grants is withdrawn: the last handler or leader of a unit too."""
        self.withdrawals += 1
        user = self.person(who)
        grants = list(UnitUserObjectPermission.objects.filter(user=user, permission__codename__in=ROLE_BY_CODENAME)
                      .select_related("permission", "content_object").order_by("pk"))
        if not grants:
            note(f"  {who} holds no role any more")
            return
        grant = grants[pick % len(grants)]
        role, unit = ROLE_BY_CODENAME[grant.permission.codename], grant.content_object
        if unit.depth == 1 and role == Role.LEADER and not users_with_role_on(unit=unit, roles=[Role.LEADER]).exclude(
                pk=user.pk).exists():
            # The world's premise: the top of the tree keeps a leader (no engine can send work above the root).
            note(f"  {who} stays leader of {unit.code}, the top of the tree")
            return
        self.attempt(f"{who} loses {role} on {unit.code}", lambda: unit_role_revoke(
            user=user, unit=unit, role=role, by=self.person("administrator"), reason="Chuyển công tác"),
            kind=f"withdraw {role}")
        self.roles_changed()

    @precondition(lambda self: self.withdrawals < MAX_WITHDRAWALS)
    @rule(case=cases, seat=SEATS, role=st.sampled_from([Role.LEADER, Role.HANDLER, Role.SECRETARIAT,
                                                         Role.INTAKE_CLERK]))
    def the_last_holder_of_a_role_goes(self, case, seat, role):
        """Everyone holding `role` on a unit the case depends on loses it: the unit is left without it."""
        unit = self.unit_of(case, seat)
        if unit.depth == 1 and role == Role.LEADER:
            note(f"  {unit.code} keeps its leaders, the top of the tree")  # the world's premise, as above
            return
        unit = unit.code
        self.withdrawals += 1
        where = self.unit(unit)
        holders = list(get_user_model().objects.filter(
            pk__in=UnitUserObjectPermission.objects.filter(content_object=where, permission__codename=role_codename(
                role)).values("user_id")).order_by("username"))
        if not holders:
            note(f"  nobody holds {role} on {unit}")
        for holder in holders:
            self.attempt(f"{holder.username} loses {role} on {unit}", lambda: unit_role_revoke(
                user=self.person(holder.username), unit=where, role=role, by=self.person("administrator"),
                reason="Chuyển công tác"), kind=f"withdraw {role}")
            self.roles_changed()

    # --- the invariant ---------------------------------------------------------------------------

    @invariant()
    def every_case_row_agrees_with_its_history(self):
        """No step changes a case's status or owner without an event that says so (verify_audit)."""
        if self.case_ids:
            result = audit_verify(case_ids=self.case_ids)
            assert result.ok, str(result.first_broken)

    @invariant()
    def no_open_case_is_stranded(self):
        if not self.case_ids:
            return
        people = [person for username in PEOPLE if (person := self.person(username)).is_active]
        queues: dict[int, set[int]] = {}

        def queue_of(user) -> set[int]:
            """The cases in this person's "Việc của tôi" or "Việc của đơn vị"."""
            if user.pk not in queues:
                either = my_tasks(user=user) | task_queue_for_user(user=user)
                queues[user.pk] = set(either.values_list("process__artifact_object_id", flat=True))
            return queues[user.pk]

        def moves_of(case, user) -> list[str]:
            moves = case_available_transitions(case=case, user=user)
            if case.status == CaseStatus.RESOLVED:
                report = transition_of(case, "report")  # made by submitting a report
                if report.can_proceed() and report.has_perm(user):
                    moves.append("report")
            return moves

        if self._unit_codes is None:
            self._unit_codes = dict(Unit.objects.values_list("pk", "code"))
        unit_codes = self._unit_codes
        processes = list(Process.objects.filter(flow_class=CaseFlow, artifact_content_type=self.content_type,
                                                artifact_object_id__in=self.case_ids))
        open_human = list(Task.objects.filter(process__in=processes, flow_task__in=HUMAN_STEPS,
                                              status__in=OPEN_TASK_STATUSES).select_related("process"))
        for case in Case.objects.filter(pk__in=self.case_ids).select_related("owner", "topic", "assigned_by_unit"):
            running = [p for p in processes if p.artifact_object_id == case.pk and p.status == PROCESS.NEW]
            tasks = [t for t in open_human if t.process.artifact_object_id == case.pk]
            steps = [(t.flow_task.name, unit_codes.get(int(t.owner_permission_obj_pk)), t.owner_id) for t in tasks]
            where = f"{case.code} ({case.kind}, {case.status}, owner {case.owner.code}, open steps {steps})"
            _seen(f"seen: {case.status}")
            if any(name == "direct_step" for name, *_rest in steps):
                _seen("seen: an open direction")
            if case.status in FINAL_STATUSES:
                assert not tasks, f"final case {where} still has open human tasks"
                continue
            assert len(running) == 1, f"open case {where} has {len(running)} running processes"
            assert any(t.process_id == running[0].pk for t in tasks), f"open case {where} has no open task"
            # Someone who may move it and has it in a queue. Cheapest first: those whose queue is known to hold
            # it, then those with a role on its owner, then everyone else.
            known = [user for user in people if case.pk in queues.get(user.pk, ())]
            if any(moves_of(case, user) for user in known):
                continue
            rest = sorted((user for user in people if user.pk not in queues),
                          key=lambda user: not roles_on_unit(user, case.owner))
            if any(moves_of(case, user) and case.pk in queue_of(user) for user in rest):
                continue
            movers = [(user.username, moves) for user in people if (moves := moves_of(case, user))]
            assert movers, f"nobody may move open case {where}"
            raise AssertionError(
                f"open case {where}: nobody who may move it has it in a queue; may move: {movers}; "
                f"it is in the queues of {[user.username for user in people if case.pk in queue_of(user)]}"
            )


@pytest.mark.postgres
@pytest.mark.django_db
def test_no_open_case_is_ever_stranded(world):
    """Issue 13: at every moment every open case has someone who may move it, with the case in their queue."""
    for username, role, code in EXTRA_PEOPLE:
        person = get_user_model().objects.create_user(username=username, password="pw-for-tests-1")
        unit_role_grant(user=person, unit=Unit.objects.get(code=code), role=role)
    SEEN.clear()
    try:
        run_state_machine_as_test(NoCaseIsStranded, settings=INVARIANT_SETTINGS)
    finally:
        print("\n".join(f"{count:6d}  {what}" for what, count in sorted(SEEN.items())))
