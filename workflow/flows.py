"""The viewflow process every case runs: who does the next step.

Wiring only. The case state machine (cases/lifecycle.py) stays the one judge
of legal moves; the case services make them, and `workflow.process_sync`
moves this process along after each case event. Human tasks sit in the
queue of the case's owning unit (the task's permission object is that unit).

Node names avoid Flow's own attributes (`assign` and `report` broke
viewflow 2.4), hence the `_step` suffixes.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from cases.models import CaseStatus, Role, role_codename

from .task_views import CaseTaskView


def _owner_unit(process):
    return process.artifact.owner


def _assignee(activation):
    return activation.process.artifact.assignee


def _unit_role(role):
    return f"cases.{role_codename(role)}"


class CaseFlow(flow.Flow):
    """Xử lý vụ việc

    From intake to the report that accounts for the case.
    """

    process_title = _("Xử lý vụ việc")

    start = flow.StartHandle(this.start_process).Next(this.verify_step)

    # intake clerk (or leader) of the receiving unit
    verify_step = (
        flow.View(CaseTaskView.as_view())
        .Annotation(title=_("Xác minh"))
        .Permission(_unit_role(Role.INTAKE_CLERK), obj=_owner_unit)
        .Next(this.route_after_verify)
    )

    route_after_verify = (
        flow.Switch()
        .Case(this.closed_end, this.is_closed)
        .Default(this.assign_step)
    )

    # leader of the owning unit
    assign_step = (
        flow.View(CaseTaskView.as_view())
        .Annotation(title=_("Giao xử lý"))
        .Permission(_unit_role(Role.LEADER), obj=_owner_unit)
        .Next(this.route_work)
    )

    # after assignment, and again after a reopening
    route_work = (
        flow.Switch()
        .Case(this.closed_end, this.is_closed)
        .Case(this.orient_step, this.needs_public_response)
        .Default(this.resolve_step)
    )

    # handler of the handling unit, or the person a leader gave it to
    orient_step = (
        flow.View(CaseTaskView.as_view())
        .Annotation(title=_("Định hướng, trả lời"))
        .Permission(_unit_role(Role.HANDLER), obj=_owner_unit)
        .Assign(_assignee)
        .Next(this.resolve_step)
    )

    resolve_step = (
        flow.View(CaseTaskView.as_view())
        .Annotation(title=_("Giải quyết"))
        .Permission(_unit_role(Role.HANDLER), obj=_owner_unit)
        .Assign(_assignee)
        .Next(this.await_closure)
    )

    # a resolved case waits for a report that contains it, or a reopening
    await_closure = flow.Handle().Annotation(title=_("Chờ báo cáo hoặc mở lại")).Next(this.route_after_closure)

    route_after_closure = (
        flow.Switch()
        .Case(this.reported_end, this.is_reported)
        .Default(this.route_work)
    )

    closed_end = flow.End().Annotation(title=_("Kết thúc: không thụ lý hoặc đã gộp"))
    reported_end = flow.End().Annotation(title=_("Kết thúc: đã báo cáo"))

    def start_process(self, activation, case):
        activation.process.artifact = case
        return activation.process

    def is_closed(self, activation):
        return activation.process.artifact.status in (CaseStatus.REJECTED, CaseStatus.MERGED)

    def is_reported(self, activation):
        return activation.process.artifact.status == CaseStatus.REPORTED

    def needs_public_response(self, activation):
        case = activation.process.artifact
        return case.status == CaseStatus.ASSIGNED and case.topic.needs_public_response
