"""The viewflow process every case runs: the one engine that says who acts next.

Wiring only. One flow for every kind of case, with one start per path chosen
by the kind at intake: opinions, proposals and reflections are settled here
(verify → assign → orient → resolve → report); complaints and denunciations
go to the competent agency (transfer → tell the reporter). One flow rather than one per kind
because a case can leave the main line for the transfer path at verification
(a matter outside our competence), and one process per case keeps its whole
history in one place.

The case state machine (cases.lifecycle) stays the judge of legal moves; the
case services make them and move this process in the same transaction
(workflow.engine). Who may take each step is the role table
(workflow.roles); the node class below asks it instead of viewflow's
one-permission check.

Two steps beside the main line are opened by the engine, not by an edge: the
leader's decision after a resident's "not fixed" (decide_step) and the tier
above's direction after an escalation (direct_step); an instruction given in
that direction leads on to the owner's acknowledgement (acknowledge_step).

Node names avoid Flow's own attributes (`assign` and `report` broke
viewflow 2.4), hence the `_step` suffixes.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.end import EndActivation
from viewflow.workflow.nodes.start import StartHandleActivation
from viewflow.workflow.nodes.switch import SwitchActivation
from viewflow.workflow.status import PROCESS, STATUS

from cases.models import TRANSFERRED_KINDS, CaseStatus, Unit, role_codename

from . import roles
from .roles import STEPS


class CaseStep(flow.View):
    """A human step: a task in one unit's queue, for the roles the role table names.

    No view is mounted (the case page holds every step's form), so the task
    opens on the case page.
    """

    def __init__(self, name: str):
        super().__init__(view=None)
        self.step = STEPS[name]
        first_role = sorted(self.step.roles)[0]
        self.Permission(f"cases.{role_codename(first_role)}", obj=self._unit_of)

    @staticmethod
    def _unit_of(process):
        return process.artifact.owner

    def calc_owner_permission_obj(self, activation):
        """The queue the task waits in: see `queue_unit`."""
        unit_id = (activation.task.data or {}).get("unit")
        if self.step.seat == roles.DIRECTING and unit_id:
            return Unit(pk=unit_id)
        return self.queue_unit(activation.process.artifact)

    def queue_unit(self, case) -> Unit:
        """The owner's queue; a report waits at the nearest unit at or above the owner that can make it (a
        hamlet has no secretariat: its commune reports it); a decision without a leader on the owner goes to
        the unit that assigned the case, whose leader may also decide."""
        from cases.permissions import users_with_role_on

        owner = case.owner
        if self.step.seat == roles.ABOVE_OWNER:
            report_roles = roles.roles_that_make(self.step.moves[0])
            ancestors = list(reversed(
                Unit.objects.filter(path__in=_paths_up(owner.path), is_active=True).order_by("depth")
            ))
            for wanted in (self.step.roles, report_roles):
                for unit in ancestors:
                    if users_with_role_on(unit=unit, roles=wanted).exists():
                        return unit
            return owner
        if self.name == "decide_step" and case.assigned_by_unit_id and case.assigned_by_unit_id != owner.pk:
            if not users_with_role_on(unit=owner, roles=self.step.roles).exists():
                return case.assigned_by_unit
        return owner

    def task_unit(self, task) -> Unit | None:
        if not task.owner_permission_obj_pk:
            return None
        return Unit.objects.filter(pk=task.owner_permission_obj_pk).first()

    def can_assign(self, user, task):
        """Anyone holding a role of the step on the task's unit may take it while nobody has."""
        if task.owner_id or user is None or user.is_anonymous:
            return False
        unit = self.task_unit(task)
        return unit is not None and roles.may_take(user, step=self.name, unit=unit)

    def can_execute(self, user, task):
        if task.owner_id:
            return task.owner_id == user.pk
        return self.can_assign(user, task)

    def can_unassign(self, user, task):
        return bool(task.owner_id) and user is not None and task.owner_id == user.pk


def _paths_up(path: str) -> list[str]:
    return [path[:end] for end in range(Unit.steplen, len(path) + 1, Unit.steplen)]


class RouteActivation(SwitchActivation):
    """A gateway decided as it is created and written once, already done.

    viewflow's Switch writes its task, opens a savepoint to decide, then
    updates the task: five statements per gateway, a lifecycle crosses five.
    The conditions here only read the case the service already holds, so
    there is nothing for a savepoint to protect: one INSERT (and its link).
    """

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        for node, cond in flow_task._branches:
            if cond is None or cond(activation):
                activation.next_task = node
                break
        if activation.next_task is None:
            raise FlowRuntimeError(f"No next task available for {flow_task.name}")
        task.status = STATUS.DONE
        task.started = task.finished = timezone.now()
        task.save()
        task.previous.add(prev_activation.task)
        return activation


class Route(flow.Switch):
    """viewflow's exclusive gateway, decided in one write (see RouteActivation)."""

    activation_class = RouteActivation


class CaseStartActivation(StartHandleActivation):
    """The process starts inside the intake's transaction, under the new case's row: no savepoint, no lock."""

    @StartHandleActivation.status.super()
    def execute(self):
        self.process.save()
        self.complete()
        self.activate_next()


class CaseStart(flow.StartHandle):
    activation_class = CaseStartActivation


class CaseEndActivation(EndActivation):
    """The process ends inside the move's transaction (the engine has closed the side steps).

    Written once, already done, like a Route: no savepoint, no second write of the end task.
    """

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
        task.data = data if data is not None else {}
        task.seed = seed
        task.status = STATUS.DONE
        task.started = task.finished = now = timezone.now()
        task.save()
        task.previous.add(prev_activation.task)
        activation = cls(task)
        still_open = (
            flow_task.flow_class.task_class._default_manager.filter(process=activation.process, finished__isnull=True)
            .exclude(pk=task.pk).exists()
        )
        if not still_open:
            activation.process.status = PROCESS.DONE
            activation.process.finished = now
            activation.process.save(update_fields=["status", "finished"])
        return activation


class CaseEnd(flow.End):
    activation_class = CaseEndActivation


class CaseFlow(flow.Flow):
    """Xử lý vụ việc

    From intake to the report that accounts for the case, or to the transfer
    to the competent agency.
    """

    process_title = _("Xử lý vụ việc")

    # One start per path, chosen by the case's kind at intake (workflow.engine.flow_start).
    start = CaseStart(this.start_process).Annotation(title=_("Tiếp nhận")).Next(this.verify_step)
    start_transfer = (
        CaseStart(this.start_process).Annotation(title=_("Tiếp nhận khiếu nại, tố cáo")).Next(this.transfer_step)
    )

    # intake clerk (or leader) of the receiving unit
    verify_step = CaseStep("verify_step").Annotation(title=_("Xác minh")).Next(this.route_after_verify)

    route_after_verify = (
        Route()
        .Case(this.closed_end, this.is_closed)
        .Case(this.notify_step, this.is_transferred)
        .Default(this.assign_step)
    )

    # leader of the owning unit
    assign_step = CaseStep("assign_step").Annotation(title=_("Giao xử lý")).Next(this.route_after_assign)

    # the same choice as route_work once the case is assigned, made in one gateway
    route_after_assign = (
        Route()
        .Case(this.closed_end, this.is_closed)
        .Case(this.notify_step, this.is_transferred)
        .Case(this.orient_step, this.needs_public_response)
        .Default(this.resolve_step)
    )

    # after assignment, and again after a reopening
    route_work = (
        Route()
        .Case(this.orient_step, this.needs_public_response)
        .Default(this.resolve_step)
    )

    # handler of the handling unit, or the person a leader gave it to
    orient_step = (
        CaseStep("orient_step").Annotation(title=_("Định hướng, trả lời")).Assign(this.assignee)
        .Next(this.resolve_step)
    )

    resolve_step = (
        CaseStep("resolve_step").Annotation(title=_("Giải quyết")).Assign(this.assignee)
        .Next(this.report_step)
    )

    # the secretariat accounts for it in a submitted report; a leader may still reopen it
    report_step = CaseStep("report_step").Annotation(title=_("Đưa vào báo cáo")).Next(this.route_after_report)

    route_after_report = (
        Route()
        .Case(this.reported_end, this.is_reported)
        .Default(this.route_work)
    )

    # beside the main line: the leader decides after a resident's "not fixed"
    decide_step = (
        CaseStep("decide_step").Annotation(title=_("Quyết định mở lại")).Next(this.route_after_decision)
    )

    route_after_decision = (
        Route()
        .Case(this.route_work, this.is_reopened)
        .Default(this.report_step)
    )

    # complaints and denunciations: to the competent agency, then tell the reporter
    transfer_step = (
        CaseStep("transfer_step").Annotation(title=_("Chuyển đơn đến cơ quan có thẩm quyền"))
        .Next(this.route_after_transfer)
    )

    route_after_transfer = (
        Route()
        .Case(this.closed_end, this.is_closed)
        .Default(this.notify_step)
    )

    notify_step = (
        CaseStep("notify_step").Annotation(title=_("Thông báo cho người phản ánh")).Next(this.transferred_end)
    )

    # beside the main line: the tier above directs after an escalation
    direct_step = CaseStep("direct_step").Annotation(title=_("Chỉ đạo xử lý")).Next(this.route_after_direction)

    route_after_direction = (
        Route()
        .Case(this.acknowledge_step, this.is_instructed)
        .Default(this.direction_done)
    )

    acknowledge_step = (
        CaseStep("acknowledge_step").Annotation(title=_("Tiếp thu chỉ đạo")).Next(this.direction_done)
    )

    # the side branch ends here; the process ends at one of the ends below
    direction_done = flow.Function(this.noop).Annotation(title=_("Xong chỉ đạo"))

    closed_end = CaseEnd().Annotation(title=_("Kết thúc: không thụ lý hoặc đã gộp"))
    reported_end = CaseEnd().Annotation(title=_("Kết thúc: đã báo cáo"))
    transferred_end = CaseEnd().Annotation(title=_("Kết thúc: đã chuyển đơn, đã báo người phản ánh"))

    def start_process(self, activation, case):
        activation.process.artifact = case
        return activation.process

    def noop(self, activation):
        """The direction branch joins nothing: the main line goes on by itself."""

    def assignee(self, activation):
        case = activation.process.artifact
        if not case.assignee_id:
            return None
        # The task needs only the id: a loaded person if the case has one, no read otherwise.
        return case._state.fields_cache.get("assignee") or get_user_model()(pk=case.assignee_id)

    def is_closed(self, activation):
        return activation.process.artifact.status in (CaseStatus.REJECTED, CaseStatus.MERGED)

    def is_transferred(self, activation):
        return activation.process.artifact.status == CaseStatus.TRANSFERRED

    def is_reported(self, activation):
        return activation.process.artifact.status == CaseStatus.REPORTED

    def is_reopened(self, activation):
        return activation.process.artifact.status == CaseStatus.ASSIGNED

    def is_instructed(self, activation):
        return activation.process.artifact.instruction_pending

    def needs_public_response(self, activation):
        case = activation.process.artifact
        return case.status == CaseStatus.ASSIGNED and case.topic.needs_public_response


def start_node_for(case):
    """Opinions, proposals and reflections start at verification; complaints and denunciations at transfer."""
    return CaseFlow.start_transfer if case.kind in TRANSFERRED_KINDS else CaseFlow.start


# The human steps, by name, in the order the flow chart shows them.
HUMAN_STEPS = [node for node in CaseFlow.instance.nodes() if isinstance(node, CaseStep)]
