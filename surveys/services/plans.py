"""Writes of survey plans: draft, edit, approve, the steps' deadlines and their reminders and escalation,
and the interviewers assigned."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import PermissionDenied, TransitionNotAllowed
from cases.models import Role, Unit
from cases.permissions import has_role
from workflow.calendar import current_calendar

from ..models import (
    STEP_ORDER,
    BudgetLine,
    InterviewerAssignment,
    PlanStatus,
    PlanStep,
    PlanStepAlert,
    PopulationMargin,
    StratumQuota,
    SurveyMethod,
    SurveyPlan,
)
from ..permissions import may_approve_plans, may_write_plans

# A step is due at the end of its working day; the unit is reminded this many working days before.
STEP_DUE_TIME = time(17, 0)
REMIND_WORKING_DAYS = 2
# Where each step's default deadline falls within the plan's period (fraction of its working days).
DEFAULT_STEP_SHARE = {"design": 0.15, "pilot": 0.25, "collection": 0.6, "cleaning": 0.7, "analysis": 0.8,
                      "report": 0.9, "publication": 1.0}
MAX_TARGET = 1_000_000
MAX_POPULATION = 2_000_000_000  # within PostgreSQL's integer
MAX_AMOUNT = 10**15  # đồng, within PostgreSQL's bigint
MAX_LINES = 200
KNOWN_VARIABLES = ("locality", "sex", "age_group")


@dataclass
class PlanInput:
    """What a plan says; the web form and the API fill it the same way."""

    unit: Unit
    topic: str
    period_start: date
    period_end: date
    method: str
    target_size: int
    purpose: str = ""
    localities: list | None = None  # units
    strata_variables: list | None = None  # e.g. ["locality", "sex", "age_group"]
    quotas: list | None = None  # [{"stratum": {variable: category}, "target": n}]
    margins: list | None = None  # [{"variable", "category", "population"}]
    budget_lines: list | None = None  # [{"item", "amount", "note"}]
    step_deadlines: dict | None = None  # {step kind: date}; missing ones spread over the period


def plan_check_writer(by, unit: Unit) -> None:
    if not may_write_plans(by, unit):
        raise PermissionDenied(_("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới lập, sửa kế hoạch điều tra."))


def _clean(data: PlanInput) -> dict:
    """The plan's fields checked together; every problem in one ValidationError, in Vietnamese."""
    errors: dict[str, list[str]] = {}

    def fail(field, message):
        errors.setdefault(field, []).append(message)

    topic = (data.topic or "").strip()
    if not topic:
        fail("topic", _("Cần nhập chủ đề điều tra."))
    if data.method not in SurveyMethod.values:
        fail("method", _("Phương pháp điều tra không hợp lệ."))
    if not (2000 <= data.period_start.year <= 2099 and 2000 <= data.period_end.year <= 2099):
        fail("period_end", _("Thời gian điều tra phải trong các năm 2000–2099."))
    elif data.period_end < data.period_start:
        fail("period_end", _("Ngày kết thúc phải sau ngày bắt đầu."))
    elif (data.period_end - data.period_start).days > 3 * 366:
        fail("period_end", _("Một cuộc điều tra kéo dài tối đa 3 năm."))
    if not 1 <= int(data.target_size or 0) <= MAX_TARGET:
        fail("target_size", _("Cỡ mẫu phải từ 1 đến 1.000.000."))
    localities = list(dict.fromkeys(data.localities or []))
    for unit in localities:
        if not unit.path.startswith(data.unit.path):
            fail("localities", _("Địa bàn “%(name)s” không thuộc đơn vị chủ trì.") % {"name": unit.name})
    variables = list(dict.fromkeys(data.strata_variables or []))
    for variable in variables:
        if variable not in KNOWN_VARIABLES:
            fail("strata_variables", _("Biến phân tầng “%(v)s” không hợp lệ (locality, sex, age_group).") % {"v": variable})
    locality_codes = {unit.code for unit in localities}
    quotas = []
    for entry in (data.quotas or [])[:MAX_LINES]:
        stratum = {str(k): str(v).strip() for k, v in (entry.get("stratum") or {}).items()}
        if set(stratum) != set(variables) or not all(stratum.values()):
            fail("quotas", _("Mỗi tầng cần đúng một nhóm cho từng biến phân tầng: %(v)s.") % {"v": ", ".join(variables) or "–"})
            continue
        if "locality" in stratum and stratum["locality"] not in locality_codes:
            fail("quotas", _("Tầng có địa bàn “%(c)s” không nằm trong các địa bàn điều tra.") % {"c": stratum["locality"]})
            continue
        target = int(entry.get("target") or 0)
        if not 0 <= target <= MAX_TARGET:
            fail("quotas", _("Chỉ tiêu của một tầng phải từ 0 đến 1.000.000."))
            continue
        quotas.append({"stratum": stratum, "target": target})
    if len({tuple(sorted(q["stratum"].items())) for q in quotas}) != len(quotas):
        fail("quotas", _("Có tầng bị khai báo hai lần."))
    if sum(q["target"] for q in quotas) > int(data.target_size or 0) > 0:
        fail("quotas", _("Tổng chỉ tiêu các tầng vượt cỡ mẫu."))
    margins = []
    for entry in (data.margins or [])[:MAX_LINES]:
        variable, category = str(entry.get("variable", "")).strip(), str(entry.get("category", "")).strip()
        if variable not in variables or not category:
            fail("margins", _("Dân số theo nhóm phải theo một biến phân tầng của kế hoạch."))
            continue
        population = int(entry.get("population") or 0)
        if not 0 <= population <= MAX_POPULATION:
            fail("margins", _("Dân số của một nhóm phải từ 0 đến 2.000.000.000."))
            continue
        margins.append({"variable": variable, "category": category[:64], "population": population})
    if len({(m["variable"], m["category"]) for m in margins}) != len(margins):
        fail("margins", _("Một nhóm dân số bị khai báo hai lần."))
    lines = []
    for entry in (data.budget_lines or [])[:MAX_LINES]:
        item = str(entry.get("item", "")).strip()
        if not item:
            fail("budget_lines", _("Mỗi khoản kinh phí cần nội dung."))
            continue
        amount = int(entry.get("amount") or 0)
        if not 0 <= amount <= MAX_AMOUNT:
            fail("budget_lines", _("Số tiền của một khoản phải từ 0 đến 10^15 đồng."))
            continue
        lines.append({"item": item[:300], "amount": amount, "note": str(entry.get("note", "")).strip()[:300]})
    deadlines = {}
    if not errors.get("period_end"):
        deadlines = _step_deadlines(data, fail)
    if errors:
        raise ValidationError(errors)
    return {"topic": topic[:300], "localities": localities, "variables": variables, "quotas": quotas,
            "margins": margins, "lines": lines, "deadlines": deadlines}


def _due(day: date) -> datetime:
    """The end of `day`'s working day, moved to the next working day when `day` is not one."""
    moment = timezone.make_aware(datetime.combine(day, STEP_DUE_TIME))
    return current_calendar().roll_to_working_day(moment)


def _step_deadlines(data: PlanInput, fail) -> dict:
    given = data.step_deadlines or {}
    working = max(1, int(current_calendar().working_seconds(
        timezone.make_aware(datetime.combine(data.period_start, time())),
        timezone.make_aware(datetime.combine(data.period_end + timedelta(days=1), time()))) // 86400))
    start = timezone.make_aware(datetime.combine(data.period_start, STEP_DUE_TIME))
    deadlines, previous = {}, None
    for kind in STEP_ORDER:
        day = given.get(kind)
        if day is None:
            moment = current_calendar().add_working_days(start, max(0, round(working * DEFAULT_STEP_SHARE[kind]) - 1))
            moment = current_calendar().roll_to_working_day(moment)
        elif not data.period_start <= day <= data.period_end:
            fail("step_deadlines", _("Hạn của mỗi bước phải nằm trong thời gian điều tra."))
            continue
        else:
            moment = _due(day)
        if previous is not None and moment < previous:
            fail("step_deadlines", _("Hạn các bước phải theo đúng thứ tự: thiết kế, điều tra thử, thu thập, "
                                     "làm sạch, phân tích, báo cáo, công bố."))
        deadlines[kind], previous = moment, moment
    return deadlines


def _write_parts(plan: SurveyPlan, cleaned: dict) -> None:
    plan.localities.set(cleaned["localities"])
    plan.quotas.all().delete()
    StratumQuota.objects.bulk_create(StratumQuota(plan=plan, **q) for q in cleaned["quotas"])
    plan.population_margins.all().delete()
    PopulationMargin.objects.bulk_create(PopulationMargin(plan=plan, **m) for m in cleaned["margins"])
    plan.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(BudgetLine(plan=plan, **line) for line in cleaned["lines"])
    plan.steps.all().delete()
    PlanStep.objects.bulk_create(PlanStep(plan=plan, kind=k, deadline=d) for k, d in cleaned["deadlines"].items())


def plan_create(*, by, data: PlanInput) -> SurveyPlan:
    """A new draft plan of `data.unit`, by its secretariat or a leader."""
    plan_check_writer(by, data.unit)
    cleaned = _clean(data)
    with transaction.atomic():
        plan = SurveyPlan.objects.create(
            unit=data.unit, topic=cleaned["topic"], purpose=(data.purpose or "").strip(), period_start=data.period_start,
            period_end=data.period_end, method=data.method, target_size=data.target_size,
            strata_variables=cleaned["variables"], created_by=by,
        )
        _write_parts(plan, cleaned)
    return plan


def _lock(plan: SurveyPlan) -> SurveyPlan:
    return SurveyPlan.objects.select_for_update().select_related("unit").get(pk=plan.pk)


def plan_update(*, plan: SurveyPlan, by, data: PlanInput) -> SurveyPlan:
    """Edit a draft plan; the unit stays the plan's own."""
    plan_check_writer(by, plan.unit)
    data.unit = plan.unit
    cleaned = _clean(data)
    with transaction.atomic():
        locked = _lock(plan)
        if not locked.is_draft:
            raise TransitionNotAllowed(_("Kế hoạch đã được phê duyệt; không sửa được nữa."))
        locked.topic, locked.purpose = cleaned["topic"], (data.purpose or "").strip()
        locked.period_start, locked.period_end = data.period_start, data.period_end
        locked.method, locked.target_size, locked.strata_variables = data.method, data.target_size, cleaned["variables"]
        locked.save()
        _write_parts(locked, cleaned)
    return locked


def plan_approve(*, plan: SurveyPlan, by) -> SurveyPlan:
    """A leader of the plan's unit approves it; its steps' reminders and escalation start."""
    if not may_approve_plans(by, plan.unit):
        raise PermissionDenied(_("Chỉ lãnh đạo của đơn vị chủ trì mới phê duyệt kế hoạch điều tra."))
    with transaction.atomic():
        locked = _lock(plan)
        if not locked.is_draft:
            raise TransitionNotAllowed(_("Kế hoạch này đã được phê duyệt."))
        locked.status, locked.approved_by, locked.approved_at = PlanStatus.APPROVED, by, timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return locked


def plan_step_complete(*, step: PlanStep, by) -> PlanStep:
    """Mark a step of an approved plan done; its reminders and escalations stop showing."""
    plan_check_writer(by, step.plan.unit)
    with transaction.atomic():
        locked = PlanStep.objects.select_for_update().select_related("plan").get(pk=step.pk)
        if locked.plan.is_draft:
            raise TransitionNotAllowed(_("Kế hoạch chưa được phê duyệt."))
        if locked.done_at is not None:
            raise TransitionNotAllowed(_("Bước này đã hoàn thành."))
        now = timezone.now()
        locked.done_at, locked.done_by = now, by
        locked.save(update_fields=["done_at", "done_by"])
        locked.alerts.filter(resolved_at__isnull=True).update(resolved_at=now)
    return locked


def _parent_of(unit: Unit) -> Unit | None:
    return Unit.objects.filter(path=unit.path[: (unit.depth - 1) * Unit.steplen]).first() if unit.depth > 1 else None


def plan_alerts_sweep(*, now: datetime | None = None) -> dict:
    """Remind a plan's unit of a step falling due; escalate a missed step to the tier above.

    Runs on Celery beat; each alert is one row (unique), so running it again does nothing more.
    """
    now = now or timezone.now()
    calendar = current_calendar()
    created = {"remind": 0, "escalate": 0}
    steps = PlanStep.objects.filter(plan__status=PlanStatus.APPROVED, done_at__isnull=True).select_related("plan__unit")
    for step in steps.filter(deadline__lte=calendar.add_working_days(now, REMIND_WORKING_DAYS)):
        overdue = now >= step.deadline
        action = PlanStepAlert.Action.ESCALATE if overdue else PlanStepAlert.Action.REMIND
        to_unit = (_parent_of(step.plan.unit) or step.plan.unit) if overdue else step.plan.unit
        _alert, made = PlanStepAlert.objects.get_or_create(
            step=step, action=action, defaults={"to_unit": to_unit, "created_at": now})
        created[action] += made
    return created


# --- interviewers -----------------------------------------------------------------------------


def assignment_add(*, plan: SurveyPlan, by, user, locality: Unit | None = None, target: int = 0) -> InterviewerAssignment:
    """Assign an interviewer of the plan's unit (or of one of its localities) to the plan."""
    plan_check_writer(by, plan.unit)
    units = [plan.unit, *plan.localities.all()]
    if not any(has_role(user, unit, Role.INTERVIEWER) for unit in units):
        raise ValidationError({"user": _("Người này không phải điều tra viên của đơn vị hoặc địa bàn điều tra.")})
    if locality is not None and not plan.localities.filter(pk=locality.pk).exists():
        raise ValidationError({"locality": _("Địa bàn phải là một địa bàn của kế hoạch.")})
    if not 0 <= int(target or 0) <= MAX_TARGET:
        raise ValidationError({"target": _("Số phiếu được giao phải từ 0 đến 1.000.000.")})
    assignment, _created = InterviewerAssignment.objects.update_or_create(
        plan=plan, user=user, defaults={"locality": locality, "target": int(target or 0), "assigned_by": by})
    return assignment


def assignment_remove(*, plan: SurveyPlan, by, user) -> None:
    plan_check_writer(by, plan.unit)
    InterviewerAssignment.objects.filter(plan=plan, user=user).delete()
