"""Screens of briefings (giao ban), training sessions and the evaluation of collaborators.

Thin: forms check the shape, services write, selectors read; a briefing or a unit out of reach is a 404
like a missing one, and someone who reads but may not write is refused (403) before the input is judged.
"""

from datetime import datetime, time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.exceptions import CaseNotFound
from cases.models import OPEN_STATUSES, Unit
from cases.safe_csv import safe_csv_writer
from reports.periods import parse_period
from web.ui import forbidden, not_found, refused, run_service_for_page

from .forms_briefings import (
    BriefingCreateForm,
    DecisionForm,
    MinutesForm,
    PeriodForm,
    RatingForm,
    TrainingForm,
    UnitChoiceForm,
)
from .selectors_briefings import (
    briefing_decisions,
    briefing_get_for_user,
    briefing_list_for_user,
    collaborator_get_for_rater,
    decision_get,
    evaluation_for_unit,
    may_read_briefings,
    may_write_briefings,
    units_evaluated_for,
    units_holding_briefings,
    units_rated_by,
)
from .services.briefings import (
    briefing_create,
    briefing_decision_add,
    briefing_decision_to_case,
    briefing_update,
    training_session_create,
)
from .services.evaluation import evaluation_period_check, evaluation_rate


_run = run_service_for_page


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for text in errors:
            messages.error(request, text)


def _briefing_or_404(request, pk):
    try:
        return briefing_get_for_user(user=request.user, pk=pk)
    except CaseNotFound:
        raise Http404 from None


@login_required
@require_GET
def briefing_list(request):
    units = list(units_holding_briefings(user=request.user))
    briefings = list(briefing_list_for_user(user=request.user)[:200])
    if not (units or briefings):
        return forbidden(request, _("Trang này dành cho lãnh đạo, văn phòng tổng hợp, giám sát và kiểm tra."))
    # A writer with several units chooses one first (`?unit=<code>`): the forms then offer that unit's subjects
    # and collaborators. A unit that is not theirs is a 404, like one that does not exist.
    chosen = None
    if request.GET.get("unit"):
        chosen = next((u for u in units if u.code == request.GET["unit"]), None)
        if chosen is None:
            raise Http404
    form = BriefingCreateForm(units=units, unit=chosen, initial={"held_at": timezone.localtime().replace(second=0)})
    return render(request, "collaborators/briefing_list.html", {
        "briefings": briefings,
        "unit_form": UnitChoiceForm(units=units, initial={"unit": form.unit.code}, auto_id="id_chooser_%s")
        if len(units) > 1 else None,
        "chosen_unit": form.unit,
        "form": form if units else None,
        "training_form": TrainingForm(units=units, unit=chosen, auto_id="id_training_%s") if units else None,
        "evaluated": list(units_evaluated_for(user=request.user)),
        "year": timezone.localdate().year,
    })


@login_required
@require_POST
def briefing_create_view(request):
    units = list(units_holding_briefings(user=request.user))
    if not units:
        return forbidden(request, _("Chỉ lãnh đạo hoặc văn phòng tổng hợp của đơn vị mới tổ chức giao ban."))
    form = BriefingCreateForm(request.POST, units=units)
    if not form.is_valid():
        _form_errors(request, form)
        return _back_to_list(form.unit)
    data = form.cleaned_data
    briefing = _run(request, briefing_create, unit=data["unit"], kind=data["kind"], held_at=data["held_at"],
                    place=data["place"], subject_ids=data["subjects"], attendee_ids=data["attendees"])
    if briefing is None:
        return _back_to_list(form.unit)
    messages.success(request, _("Đã tạo buổi giao ban; hãy ghi biên bản và kết luận."))
    return redirect("briefings:detail", pk=briefing.pk)


@login_required
@require_GET
def briefing_detail(request, pk):
    briefing = _briefing_or_404(request, pk)
    writer = may_write_briefings(request.user, briefing.unit)
    decisions = briefing_decisions(briefing=briefing)
    now = timezone.now()
    for decision in decisions:  # late: past its deadline and its case (if any) still open
        decision.late = decision.deadline < now and (decision.case is None or decision.case.status in OPEN_STATUSES)
    return render(request, "collaborators/briefing_detail.html", {
        "briefing": briefing,
        "subjects": list(briefing.subjects.order_by("title")),
        "attendees": list(briefing.attendees.select_related("unit").order_by("full_name")),
        "decisions": decisions,
        "minutes_form": MinutesForm(unit=briefing.unit, initial={
            "minutes": briefing.minutes, "place": briefing.place,
            "subjects": [str(pk) for pk in briefing.subjects.values_list("pk", flat=True)],
            "attendees": [str(pk) for pk in briefing.attendees.values_list("pk", flat=True)],
        }) if writer else None,
        "decision_form": DecisionForm(unit=briefing.unit) if writer else None,
        "writer": writer,
    })


@login_required
@require_POST
def briefing_save(request, pk):
    briefing = _briefing_or_404(request, pk)
    if not may_write_briefings(request.user, briefing.unit):
        return forbidden(request, _("Chỉ lãnh đạo hoặc văn phòng tổng hợp của đơn vị mới ghi biên bản giao ban."))
    form = MinutesForm(request.POST, unit=briefing.unit)
    if not form.is_valid():
        _form_errors(request, form)
    elif _run(request, briefing_update, briefing=briefing, minutes=form.cleaned_data["minutes"],
              place=form.cleaned_data["place"], subject_ids=form.cleaned_data["subjects"],
              attendee_ids=form.cleaned_data["attendees"]) is not None:
        messages.success(request, _("Đã lưu biên bản giao ban."))
    return redirect("briefings:detail", pk=briefing.pk)


@login_required
@require_POST
def decision_add(request, pk):
    briefing = _briefing_or_404(request, pk)
    if not may_write_briefings(request.user, briefing.unit):
        return forbidden(request, _("Chỉ lãnh đạo hoặc văn phòng tổng hợp của đơn vị mới ghi kết luận giao ban."))
    form = DecisionForm(request.POST, unit=briefing.unit)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("briefings:detail", pk=briefing.pk)
    data = form.cleaned_data
    deadline = timezone.make_aware(datetime.combine(data["deadline"], time(23, 59)))
    if _run(request, briefing_decision_add, briefing=briefing, text=data["text"], owner=data["owner"],
            deadline=deadline, topic=data["topic"]) is not None:
        messages.success(request, _("Đã ghi kết luận."))
    return redirect("briefings:detail", pk=briefing.pk)


@login_required
@require_POST
def decision_case(request, pk, decision_pk):
    briefing = _briefing_or_404(request, pk)
    try:
        decision = decision_get(briefing=briefing, pk=decision_pk)
    except CaseNotFound:
        raise Http404 from None
    case = _run(request, briefing_decision_to_case, decision=decision)
    if case is not None:
        messages.success(request, _("Đã chuyển kết luận thành vụ việc %(code)s.") % {"code": case.code})
    return redirect("briefings:detail", pk=briefing.pk)


@login_required
@require_POST
def training_create(request):
    units = list(units_holding_briefings(user=request.user))
    if not units:
        return forbidden(request, _("Chỉ lãnh đạo hoặc văn phòng tổng hợp của đơn vị mới ghi nhận tập huấn."))
    form = TrainingForm(request.POST, units=units)
    if not form.is_valid():
        _form_errors(request, form)
    elif _run(request, training_session_create, unit=form.cleaned_data["unit"], title=form.cleaned_data["title"],
              held_on=form.cleaned_data["held_on"], attendee_ids=form.cleaned_data["attendees"]) is not None:
        messages.success(request, _("Đã ghi nhận buổi tập huấn."))
    return _back_to_list(form.unit)


def _back_to_list(unit):
    """The briefings page, on the unit the form was for."""
    return redirect(reverse("briefings:list") + ("?" + urlencode({"unit": unit.code}) if unit else ""))


# --- evaluation -----------------------------------------------------------------------------


def _unit_or_404(request, code) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None or not may_read_briefings(request.user, unit):
        raise Http404
    return unit


@login_required
@require_GET
def evaluation(request, code):
    """The evaluation of a unit's collaborators for a period; for a year, the yearly review the plans ask for."""
    try:
        unit = _unit_or_404(request, code)
    except Http404:
        return not_found(request, _("Không tìm thấy đơn vị."))
    form = PeriodForm(request.GET or None)
    period = (request.GET.get("period") or str(timezone.localdate().year)).strip()
    try:
        period = evaluation_period_check(period)
        _kind, start, end = parse_period(period)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("briefings:evaluation", code=unit.code)
    groups = evaluation_for_unit(unit=unit, period=period, start=start, end=end)
    if request.GET.get("format") == "csv":
        return _evaluation_csv(unit, period, groups)
    rated = set(units_rated_by(user=request.user).values_list("pk", flat=True))
    for group in groups:
        for row in group.rows:
            if group.unit.pk in rated:
                evaluation = row.evaluation
                row.rating_form = RatingForm(auto_id=f"id_r{row.collaborator.pk}_%s", initial={
                    "period": period, "grade": evaluation.grade if evaluation else None,
                    "comment": evaluation.comment if evaluation else ""})
    return render(request, "collaborators/evaluation.html", {
        "unit": unit, "period": period, "start": start, "end": end, "groups": groups, "form": form,
    })


def _evaluation_csv(unit, period, groups) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    writer = safe_csv_writer(response)
    writer.writerow([_("Đơn vị"), _("Cộng tác viên"), _("Phiếu đã gửi"), _("Đợt nắm bắt được giao"),
                     _("Trả lời đúng hạn"), _("Giao ban đã dự"), _("Tập huấn đã dự"), _("Xếp loại"), _("Nhận xét")])
    for group in groups:
        for row in group.rows:
            writer.writerow([group.unit.name, row.collaborator.full_name, row.notes, row.requests,
                             row.answered_on_time, row.briefings, row.trainings,
                             row.evaluation.get_grade_display() if row.evaluation else "",
                             row.evaluation.comment if row.evaluation else ""])
    response["Content-Disposition"] = f'attachment; filename="danh-gia-ctv-{unit.code}-{period}.csv"'
    return response


@login_required
@require_POST
def evaluation_rate_view(request, collaborator_pk):
    try:
        collaborator = collaborator_get_for_rater(user=request.user, pk=collaborator_pk)
    except CaseNotFound:
        return not_found(request)
    form = RatingForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    elif _run(request, evaluation_rate, collaborator=collaborator, **form.cleaned_data) is not None:
        messages.success(request, _("Đã lưu đánh giá %(name)s.") % {"name": collaborator.full_name})
    period = request.POST.get("period", "")[:8]
    return redirect(f"{reverse('briefings:evaluation', args=[collaborator.unit.code])}?{urlencode({'period': period})}")
