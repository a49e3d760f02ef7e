"""Writes of a survey's results: the weights raked to the population, the results report and its publication.

A results report moves draft → submitted → published, like a plan needs its leader: the unit's secretariat or
a leader writes and submits it; only a LEADER of the plan's unit approves it, or returns it to draft with a
reason. On approval its tables are computed from the cleaned data with the newest weights, small cells are
suppressed (surveys.results_tables.table_suppressed) and the whole is frozen in `tables`: a published report
is never computed again. Published to the tier above, the parent unit's leaders and secretariat are told.
The reports app moves its reports by plain status checks under a row lock; these do the same.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import PermissionDenied, TransitionNotAllowed
from cases.models import Role, Unit
from cases.permissions import users_with_role_on
from notifications.services_direct import notification_send
from notifications.texts import SURVEY_RESULTS

from ..analysis.weights import RakingError, rake
from ..dataset import dataset_rows
from ..exceptions import SurveyNotFound
from ..models import PublicationScope, ResultsStatus, SurveyPlan, SurveyResults, WeightingRun
from ..permissions import may_approve_plans, may_read_answers, may_read_results, may_write_plans
from ..results_tables import analysis_data, newest_run, published_table

MAX_TABLES = 60


def _no_answers() -> str:
    return _("Chưa có phiếu trả lời nào (sau làm sạch) để lập và công bố báo cáo kết quả.")


def _check_writer(by, plan: SurveyPlan) -> None:
    """403 to someone who reads the plan's answers but may not write; "not found" to everyone else."""
    if not may_write_plans(by, plan.unit):
        if may_read_answers(by, plan):
            raise PermissionDenied(_("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới gia quyền, lập và gửi "
                                     "báo cáo kết quả điều tra."))
        raise SurveyNotFound()


def _check_approver(by, results: SurveyResults) -> None:
    if not may_approve_plans(by, results.plan.unit):
        if may_read_results(by, results):
            raise PermissionDenied(_("Chỉ lãnh đạo của đơn vị chủ trì mới duyệt công bố kết quả điều tra."))
        raise SurveyNotFound()


# --- weights -----------------------------------------------------------------------------------


def weighting_run(*, plan: SurveyPlan, by) -> WeightingRun:
    """Rake the cleaned answers' strata to the plan's population margins and keep the weights; a raking that
    cannot be done (a margin without population, an answer without the variable) stores nothing."""
    _check_writer(by, plan)
    margins = plan.margins()
    if not margins:
        raise ValidationError({"margins": _("Kế hoạch chưa có dân số theo nhóm; hãy nhập dân số trước khi gia quyền.")})
    respondents = dataset_rows(plan=plan)
    if not respondents:
        raise ValidationError({"margins": _("Chưa có phiếu trả lời nào (sau làm sạch) để gia quyền.")})
    rows = [{variable: str(r.stratum[variable]) for variable in margins if r.stratum.get(variable) not in (None, "")}
            for r in respondents]
    try:
        raking = rake(rows, margins)
    except RakingError as error:
        raise ValidationError({"margins": _("Không gia quyền được: %(reason)s") % {"reason": error}}) from None
    with transaction.atomic():
        return WeightingRun.objects.create(
            plan=plan, margins=margins, created_by=by,
            weights={str(r.answer_id): round(float(w), 6) for r, w in zip(respondents, raking.weights, strict=True)},
            converged=bool(raking.converged), iterations=int(raking.iterations), max_gap=float(raking.max_gap),
            design_effect=float(raking.design_effect), weight_min=float(raking.weight_min),
            weight_max=float(raking.weight_max))


# --- the results report ---------------------------------------------------------------------------


def specs_clean(*, plan: SurveyPlan, specs) -> list[dict]:
    """The tables chosen, checked against the plan's variables: frequencies of categorical questions, crosstabs
    of two different single-answer questions; duplicates dropped."""
    data_variables = analysis_data(plan=plan).variables
    cleaned, seen = [], set()
    for spec in specs or []:
        kind = spec.get("kind")
        if kind == "frequency":
            variable = data_variables.get(spec.get("question"))
            if variable is None or not (variable.is_categorical and variable.choices):
                raise ValidationError({"tables": _("Câu hỏi “%(name)s” không có các lựa chọn để lập bảng tần suất.")
                                       % {"name": spec.get("question")}})
            key = ("frequency", variable.name)
            spec = {"kind": "frequency", "question": variable.name}
        elif kind == "crosstab":
            row, column = data_variables.get(spec.get("row")), data_variables.get(spec.get("column"))
            if (row is None or column is None or row.name == column.name or row.is_multiple or column.is_multiple
                    or not (row.is_categorical and column.is_categorical and row.choices and column.choices)):
                raise ValidationError({"tables": _("Bảng chéo cần hai câu hỏi khác nhau, mỗi câu chọn một phương án.")})
            key = ("crosstab", row.name, column.name)
            spec = {"kind": "crosstab", "row": row.name, "column": column.name}
        else:
            raise ValidationError({"tables": _("Loại bảng không hợp lệ.")})
        if key not in seen:
            seen.add(key)
            cleaned.append(spec)
    if not cleaned:
        raise ValidationError({"tables": _("Hãy chọn ít nhất một bảng số liệu cho báo cáo.")})
    if len(cleaned) > MAX_TABLES:
        raise ValidationError({"tables": _("Một báo cáo có tối đa %(n)s bảng.") % {"n": MAX_TABLES}})
    return cleaned


def _fields_clean(*, plan: SurveyPlan, title: str, summary: str, table_specs, scope: str) -> dict:
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Cần có tiêu đề báo cáo kết quả.")]
    if scope not in PublicationScope.values:
        errors["scope"] = [_("Phạm vi công bố không hợp lệ.")]
    if scope == PublicationScope.PARENT and Unit.objects.get_parent(plan.unit) is None:
        errors["scope"] = [_("Đơn vị không có cấp trên để gửi kết quả.")]
    try:
        specs = specs_clean(plan=plan, specs=table_specs)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return {"title": title[:300], "summary": (summary or "").strip(), "table_specs": specs, "scope": scope}


def results_create(*, plan: SurveyPlan, by, title: str, summary: str = "", table_specs=None,
                   scope: str = PublicationScope.INTERNAL) -> SurveyResults:
    """A draft results report of a plan whose collection is over."""
    _check_writer(by, plan)
    if plan.closed_at is None:
        raise TransitionNotAllowed(_("Cuộc điều tra chưa kết thúc thu thập; chưa lập được báo cáo kết quả."))
    fields = _fields_clean(plan=plan, title=title, summary=summary, table_specs=table_specs, scope=scope)
    if not dataset_rows(plan=plan):
        raise TransitionNotAllowed(_no_answers())
    return SurveyResults.objects.create(plan=plan, created_by=by, **fields)


def _lock(results: SurveyResults) -> SurveyResults:
    return SurveyResults.objects.select_for_update(of=("self",)).select_related("plan__unit").get(pk=results.pk)


def results_update(*, results: SurveyResults, by, title: str, summary: str, table_specs, scope: str) -> SurveyResults:
    _check_writer(by, results.plan)
    with transaction.atomic():
        locked = _lock(results)
        if locked.status != ResultsStatus.DRAFT:
            raise TransitionNotAllowed(_("Chỉ sửa được báo cáo kết quả khi còn là dự thảo."))
        fields = _fields_clean(plan=locked.plan, title=title, summary=summary, table_specs=table_specs, scope=scope)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*fields, "updated_at"])
    return locked


def results_submit(*, results: SurveyResults, by) -> SurveyResults:
    """Send the draft to the unit's leaders for approval."""
    _check_writer(by, results.plan)
    with transaction.atomic():
        locked = _lock(results)
        if locked.status != ResultsStatus.DRAFT:
            raise TransitionNotAllowed(_("Báo cáo kết quả này không còn là dự thảo."))
        locked.status, locked.submitted_at = ResultsStatus.SUBMITTED, timezone.now()
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
    return locked


def results_return(*, results: SurveyResults, by, reason: str) -> SurveyResults:
    """A leader sends a submitted report back to draft, saying why."""
    _check_approver(by, results)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Cần nêu lý do trả lại báo cáo.")})
    with transaction.atomic():
        locked = _lock(results)
        if locked.status != ResultsStatus.SUBMITTED:
            raise TransitionNotAllowed(_("Chỉ trả lại được báo cáo đang chờ duyệt."))
        locked.status, locked.returned_reason = ResultsStatus.DRAFT, reason
        locked.save(update_fields=["status", "returned_reason", "updated_at"])
    return locked


def results_approve(*, results: SurveyResults, by) -> SurveyResults:
    """A leader of the plan's unit approves: the tables are computed with the newest weights, suppressed and
    frozen, and the report is published in its scope."""
    _check_approver(by, results)
    with transaction.atomic():
        locked = _lock(results)
        if locked.status != ResultsStatus.SUBMITTED:
            raise TransitionNotAllowed(_("Chỉ duyệt được báo cáo đang chờ duyệt."))
        plan = locked.plan
        data = analysis_data(plan=plan)
        if not data.respondents:  # every answer excluded since the draft: nothing to publish
            raise TransitionNotAllowed(_no_answers())
        if plan.margins() and not data.weighted:
            raise TransitionNotAllowed(
                _("Trọng số chưa có hoặc đã cũ so với dữ liệu sau làm sạch; hãy gia quyền lại trước khi duyệt.")
                if newest_run(plan) else _("Chưa gia quyền; hãy gia quyền trước khi duyệt."))
        specs = specs_clean(plan=plan, specs=locked.table_specs)
        locked.tables = [published_table(data, spec) for spec in specs]
        locked.weighting = data.run
        locked.status, locked.published_by, locked.published_at = ResultsStatus.PUBLISHED, by, timezone.now()
        locked.returned_reason = ""
        locked.save()
        if locked.scope == PublicationScope.PARENT:
            _tell_parent(locked)
    return locked


def _tell_parent(results: SurveyResults) -> None:
    """Results go up the tiers like reports: the parent unit's leaders and secretariat hear of them."""
    parent = Unit.objects.get_parent(results.plan.unit)
    if parent is None:
        return
    notification_send(
        recipients=list(users_with_role_on(unit=parent, roles=(Role.LEADER, Role.SECRETARIAT))),
        kind=SURVEY_RESULTS, about=f"{SURVEY_RESULTS}:{results.pk}",
        link=reverse("surveys:results", args=[results.pk]),
        params={"title": results.title, "unit": results.plan.unit.name},
    )
