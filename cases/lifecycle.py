"""The case state machine (viewflow.fsm): the one judge of which moves are legal.

Only services call it. Each transition names its source and target states
and who may make it (the role a person holds on the case's owning unit,
DESIGN.md section 3). The transition bodies are empty on purpose: the
service that calls them writes the fields and the event in one transaction.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import fsm

from .models import CaseStatus, Role
from .permissions import has_role, roles_above_or_on

S = CaseStatus


def _on_owner(*roles):
    def check(lifecycle, user) -> bool:
        return has_role(user, lifecycle.case.owner, *roles)

    return check


def _handling_unit(lifecycle, user) -> bool:
    case = lifecycle.case
    return case.assignee_id == user.pk or has_role(user, case.owner, Role.HANDLER, Role.LEADER)


def _watching_leader_or_supervisor(lifecycle, user) -> bool:
    """The owner's leader, the leader who assigned it, or a supervisor above."""
    case = lifecycle.case
    return (
        has_role(user, case.owner, Role.LEADER, Role.SUPERVISOR)
        or has_role(user, case.assigned_by_unit, Role.LEADER)
    )


def _reporting_unit(lifecycle, user) -> bool:
    return roles_above_or_on(user, lifecycle.case.owner, {Role.SECRETARIAT, Role.LEADER})


def _topic_needs_no_public_response(lifecycle):
    return fsm.State.CONDITION(
        not lifecycle.case.topic.needs_public_response,
        _("Lĩnh vực này yêu cầu trả lời, định hướng công khai trước khi giải quyết."),
    )


class CaseLifecycle:
    """Wraps one `Case`; the state lives in `case.status`."""

    state = fsm.State(CaseStatus, default=S.RECEIVED)

    def __init__(self, case):
        self.case = case

    @state.setter()
    def _set_status(self, value):
        self.case.status = value

    @state.getter()
    def _get_status(self):
        return self.case.status

    @state.transition(source=S.RECEIVED, target=S.VERIFIED, label=_("Xác minh"),
                      permission=_on_owner(Role.INTAKE_CLERK, Role.LEADER))
    def verify(self):
        """Topic, locality and priority checked."""

    @state.transition(source=[S.RECEIVED, S.VERIFIED], target=S.REJECTED, label=_("Không thụ lý"),
                      permission=_on_owner(Role.INTAKE_CLERK, Role.LEADER))
    def reject(self):
        """Not an issue, out of scope, or spam."""

    @state.transition(source=[S.RECEIVED, S.VERIFIED], target=S.MERGED, label=_("Gộp vụ việc"),
                      permission=_on_owner(Role.INTAKE_CLERK, Role.LEADER))
    def merge(self):
        """Folded into a surviving case."""

    @state.transition(source=S.VERIFIED, target=S.ASSIGNED, label=_("Giao xử lý"),
                      permission=_on_owner(Role.LEADER))
    def assign(self):
        """A handling unit (maybe of a lower tier) takes it."""

    @state.transition(source=[S.ASSIGNED, S.ORIENTED], label=_("Giao lại"),
                      permission=_watching_leader_or_supervisor)
    def reassign(self):
        """Another unit takes it; the state stays."""

    @state.transition(source=S.ASSIGNED, target=S.ORIENTED, label=_("Định hướng, trả lời"),
                      permission=_handling_unit)
    def orient(self):
        """The public response is issued."""

    @state.transition(source=S.ORIENTED, target=S.RESOLVED, label=_("Giải quyết xong"),
                      permission=_handling_unit)
    @state.transition(source=S.ASSIGNED, target=S.RESOLVED, label=_("Giải quyết xong"),
                      permission=_handling_unit, conditions=[_topic_needs_no_public_response])
    def resolve(self):
        """Outcome and evidence recorded."""

    @state.transition(source=S.RESOLVED, target=S.ASSIGNED, label=_("Mở lại"),
                      permission=_watching_leader_or_supervisor)
    def reopen(self):
        """Back to the handling unit, with a reason."""

    @state.transition(source=S.RESOLVED, target=S.REPORTED, label=_("Đưa vào báo cáo"),
                      permission=_reporting_unit)
    def report(self):
        """Accounted for in a submitted report."""


TRANSITION_NAMES = ("verify", "reject", "merge", "assign", "reassign", "orient", "resolve", "reopen", "report")


def transition_of(case, name: str):
    """The bound transition `name` of `case`'s state machine."""
    if name not in TRANSITION_NAMES:
        raise ValueError(name)
    return getattr(CaseLifecycle(case), name)
