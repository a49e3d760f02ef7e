"""Screens of the network and the subjects: the overview (rising subjects), subjects with their picture and
requests, the network with its coverage. Thin, as views_notes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.exceptions import CaseError, CaseNotFound
from cases.models import Unit
from web.ui import forbidden

from .forms import CollaboratorForm, RequestForm, SubjectForm, TargetForm
from .permissions import managed_units, may_manage_network, only_collaborator
from .selectors.network import collaborator_get_for_user, collaborator_list_for_user, coverage_for, units_overseen
from .selectors.notes import subject_get_for_user, subject_list_for_user, subject_requests
from .selectors.picture import rising_subjects, subject_picture
from .services.network import collaborator_create, collaborator_update, network_target_set
from .services.subjects import opinion_request_send, subject_open, subject_set_status


def _errors_into(form, error: ValidationError) -> None:
    for field, texts in error.message_dict.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


@login_required
@require_GET
def home(request):
    if only_collaborator(request.user):
        return redirect("collaborators:my_notes")
    units = list(units_overseen(user=request.user))
    if not units:
        return forbidden(request, _("Trang này dành cho lãnh đạo, văn phòng tổng hợp, giám sát và kiểm tra."))
    return render(request, "collaborators/home.html", {
        "rising": rising_subjects(user=request.user),
        "subjects": subject_list_for_user(user=request.user)[:30],
        "units": units, "managed": managed_units(request.user),
        "subject_form": SubjectForm() if managed_units(request.user) else None,
        "manage_choices": Unit.objects.filter(pk__in=managed_units(request.user)),
    })


@login_required
@require_POST
def subject_create(request):
    unit = Unit.objects.filter(pk=request.POST.get("unit"), pk__in=managed_units(request.user)).first()
    if unit is None:
        return forbidden(request, _("Chỉ lãnh đạo hoặc văn phòng tổng hợp của đơn vị mới mở chủ đề."))
    form = SubjectForm(request.POST)
    if form.is_valid():
        try:
            subject = subject_open(by=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Đã mở chủ đề “%(title)s”.") % {"title": subject.title})
            return redirect("collaborators:subject", pk=subject.pk)
    for field, texts in form.errors.items():
        for text in texts:
            messages.error(request, text)
    return redirect("collaborators:home")


def _subject_or_404(request, pk):
    try:
        return subject_get_for_user(user=request.user, pk=pk)
    except CaseNotFound:
        raise Http404 from None


@login_required
@require_GET
def subject_detail(request, pk):
    subject = _subject_or_404(request, pk)
    return _subject_page(request, subject)


def _subject_page(request, subject, request_form=None, status=200):
    manager = may_manage_network(request.user, subject.unit)
    return render(request, "collaborators/subject.html", {
        "subject": subject, "picture": subject_picture(user=request.user, subject=subject),
        "requests": subject_requests(subject=subject), "manager": manager,
        "request_form": (request_form or RequestForm(unit=subject.unit)) if manager else None,
    }, status=status)


@login_required
@require_POST
def request_send(request, pk):
    subject = _subject_or_404(request, pk)
    if not may_manage_network(request.user, subject.unit):
        return forbidden(request, _("Chỉ lãnh đạo hoặc văn phòng tổng hợp của đơn vị mới gửi đợt nắm bắt."))
    form = RequestForm(request.POST, unit=subject.unit)
    if form.is_valid():
        try:
            sent = opinion_request_send(by=request.user, subject=subject, **form.cleaned_data)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            messages.success(request, _("Đã gửi đợt nắm bắt tới %(n)s cộng tác viên.") % {"n": sent.recipients.count()})
            return redirect("collaborators:subject", pk=subject.pk)
    return _subject_page(request, subject, request_form=form, status=400)


@login_required
@require_POST
def subject_status(request, pk):
    subject = _subject_or_404(request, pk)
    try:
        subject_set_status(by=request.user, subject=subject, status=request.POST.get("status", ""))
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    except CaseError as error:
        return forbidden(request, error.message)
    return redirect("collaborators:subject", pk=subject.pk)


def _unit_or_404(request, code):
    unit = units_overseen(user=request.user).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


@login_required
@require_GET
def network(request, code):
    unit = _unit_or_404(request, code)
    manager = may_manage_network(request.user, unit)
    return render(request, "collaborators/network.html", {
        "unit": unit, "coverage": coverage_for(user=request.user, unit=unit),
        "collaborators": collaborator_list_for_user(user=request.user, unit=unit), "manager": manager,
        "target_form": TargetForm(unit=unit) if manager else None,
    })


@login_required
@require_POST
def target_set(request, code):
    unit = _unit_or_404(request, code)
    if not may_manage_network(request.user, unit):
        return forbidden(request, _("Chỉ lãnh đạo hoặc văn phòng tổng hợp của đơn vị mới đặt chỉ tiêu mạng lưới."))
    form = TargetForm(request.POST, unit=unit)
    if form.is_valid():
        try:
            network_target_set(by=request.user, unit=unit, **form.cleaned_data)
            messages.success(request, _("Đã lưu chỉ tiêu mạng lưới."))
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
    else:
        messages.error(request, _("Chỉ tiêu chưa hợp lệ."))
    return redirect("collaborators:network", code=unit.code)


@login_required
@require_http_methods(["GET", "POST"])
def collaborator_edit(request, code, pk=None):
    unit = _unit_or_404(request, code)
    if not may_manage_network(request.user, unit):
        return forbidden(request, _("Chỉ lãnh đạo hoặc văn phòng tổng hợp của đơn vị mới quản lý cộng tác viên."))
    existing = None
    if pk is not None:
        try:
            existing = collaborator_get_for_user(user=request.user, pk=pk)
        except CaseNotFound:
            raise Http404 from None
        if existing.unit_id != unit.pk:
            raise Http404
    initial = None
    if existing is not None:
        initial = {"full_name": existing.full_name, "localities": list(existing.localities.all()),
                   "sectors": list(existing.sectors.all()), "social_group": existing.social_group,
                   "organisation": existing.organisation, "decision_number": existing.decision_number,
                   "term_start": existing.term_start, "term_end": existing.term_end, "status": existing.status}
    form = CollaboratorForm(request.POST or None, unit=unit, editing=existing is not None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if existing is None:
                collaborator_create(by=request.user, unit=unit, **form.cleaned_data)
            else:
                collaborator_update(by=request.user, collaborator=existing, **form.cleaned_data)
        except ValidationError as error:
            _errors_into(form, error)
        except CaseError as error:
            return forbidden(request, error.message)
        else:
            messages.success(request, _("Đã lưu cộng tác viên."))
            return redirect("collaborators:network", code=unit.code)
    return render(request, "collaborators/collaborator_form.html", {"unit": unit, "form": form,
                                                                    "existing": existing},
                  status=400 if request.method == "POST" else 200)
