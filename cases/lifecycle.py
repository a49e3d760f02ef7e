"""The case state machine (viewflow.fsm): the one judge of which moves are legal.

Only services call it. Each transition names its source and target states
and its conditions (DESIGN.md section 3); who may make it is the one role
table (workflow.roles), asked through each transition's permission. The
transition bodies are empty on purpose: the service that calls them writes
the fields and the event in one transaction.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import fsm

from workflow.engine import case_directing_units
from workflow.roles import may_move

from .models import OPEN_STATUSES, TRANSFERRED_KINDS, CaseStatus

S = CaseStatus
OPEN = list(OPEN_STATUSES)


def _by_table(move):
    def check(lifecycle, user) -> bool:
        return may_move(user, lifecycle.case, move, directing_units=lambda: case_directing_units(lifecycle.case))

    return check


def _topic_needs_no_public_response(lifecycle):
    return fsm.State.CONDITION(
        not lifecycle.case.topic.needs_public_response,
        _("Lĩnh vực này yêu cầu trả lời, định hướng công khai trước khi giải quyết."),
    )


def _settled_here(lifecycle):
    return fsm.State.CONDITION(
        lifecycle.case.kind not in TRANSFERRED_KINDS,
        _("Khiếu nại, tố cáo không giải quyết tại đây: cần chuyển đơn đến cơ quan có thẩm quyền."),
    )


def _no_decision_pending(lifecycle):
    return fsm.State.CONDITION(
        not lifecycle.case.reopen_requested,
        _("Người phản ánh báo chưa khắc phục; lãnh đạo cần quyết định mở lại hay giữ kết quả trước."),
    )


def _decision_pending(lifecycle):
    return fsm.State.CONDITION(
        lifecycle.case.reopen_requested, _("Không có đề nghị xem lại nào đang chờ quyết định."),
    )


def _escalated(lifecycle):
    return fsm.State.CONDITION(
        bool(case_directing_units(lifecycle.case)), _("Vụ việc không ở trạng thái chuyển cấp trên chờ chỉ đạo."),
    )


def _instruction_pending(lifecycle):
    return fsm.State.CONDITION(
        lifecycle.case.instruction_pending, _("Không có chỉ đạo nào đang chờ tiếp thu."),
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

    @state.transition(source=S.RECEIVED, target=S.VERIFIED, label=_("Xác minh"), permission=_by_table("verify"),
                      conditions=[_settled_here])
    def verify(self):
        """Topic, locality and priority checked."""

    @state.transition(source=[S.RECEIVED, S.VERIFIED], target=S.REJECTED, label=_("Không thụ lý"),
                      permission=_by_table("reject"))
    def reject(self):
        """Not an issue, out of scope, or spam."""

    @state.transition(source=[S.RECEIVED, S.VERIFIED], target=S.MERGED, label=_("Gộp vụ việc"),
                      permission=_by_table("merge"))
    def merge(self):
        """Folded into a surviving case."""

    @state.transition(source=[S.RECEIVED, S.VERIFIED], target=S.TRANSFERRED, label=_("Chuyển đơn"),
                      permission=_by_table("transfer"))
    def transfer(self):
        """Sent to the competent agency, with the legal basis."""

    @state.transition(source=S.TRANSFERRED, target=S.TRANSFER_CLOSED, label=_("Đã báo người phản ánh"),
                      permission=_by_table("reporter_notified"))
    def reporter_notified(self):
        """The reporter was told where the matter went; the case closes."""

    @state.transition(source=S.VERIFIED, target=S.ASSIGNED, label=_("Giao xử lý"), permission=_by_table("assign"))
    def assign(self):
        """A handling unit (maybe of a lower tier) takes it."""

    @state.transition(source=[S.ASSIGNED, S.ORIENTED], label=_("Giao lại"), permission=_by_table("reassign"))
    def reassign(self):
        """Another unit takes it; the state stays."""

    @state.transition(source=S.ASSIGNED, target=S.ORIENTED, label=_("Định hướng, trả lời"),
                      permission=_by_table("orient"))
    def orient(self):
        """The public response is issued."""

    @state.transition(source=S.ORIENTED, target=S.RESOLVED, label=_("Giải quyết xong"),
                      permission=_by_table("resolve"))
    @state.transition(source=S.ASSIGNED, target=S.RESOLVED, label=_("Giải quyết xong"),
                      permission=_by_table("resolve"), conditions=[_topic_needs_no_public_response])
    def resolve(self):
        """Outcome and evidence recorded."""

    @state.transition(source=S.RESOLVED, target=S.ASSIGNED, label=_("Mở lại"), permission=_by_table("reopen"))
    def reopen(self):
        """Back to the handling unit, with a reason."""

    @state.transition(source=S.RESOLVED, label=_("Giữ kết quả, không mở lại"), permission=_by_table("keep_closed"),
                      conditions=[_decision_pending])
    def keep_closed(self):
        """The resident's "not fixed" is answered with a reason; the result stands."""

    @state.transition(source=S.RESOLVED, target=S.REPORTED, label=_("Đưa vào báo cáo"),
                      permission=_by_table("report"), conditions=[_no_decision_pending])
    def report(self):
        """Accounted for in a submitted report."""

    @state.transition(source=OPEN, label=_("Rút lên cấp trên xử lý"), permission=_by_table("pull_up"),
                      conditions=[_escalated])
    def pull_up(self):
        """The tier above takes the case over."""

    @state.transition(source=OPEN, label=_("Chỉ đạo đơn vị xử lý"), permission=_by_table("instruct"),
                      conditions=[_escalated])
    def instruct(self):
        """A written instruction to the owner, who must acknowledge it."""

    @state.transition(source=OPEN, label=_("Tiếp thu chỉ đạo"), permission=_by_table("acknowledge"),
                      conditions=[_instruction_pending])
    def acknowledge(self):
        """The owner confirms it received the instruction."""

    @state.transition(source=OPEN, label=_("Gia hạn"), permission=_by_table("extend"))
    def extend(self):
        """The step deadline moves by a recorded decision."""


TRANSITION_NAMES = (
    "verify", "reject", "merge", "transfer", "reporter_notified", "assign", "reassign", "orient", "resolve",
    "reopen", "keep_closed", "report", "pull_up", "instruct", "acknowledge", "extend",
)


def transition_of(case, name: str):
    """The bound transition `name` of `case`'s state machine."""
    if name not in TRANSITION_NAMES:
        raise ValueError(name)
    return getattr(CaseLifecycle(case), name)
