"""Screens of the opinion notes: the collaborator's phone screen (file a note, see their own), the list and one
note (history, redaction, turning into a case). Thin: forms check the shape, services write, selectors read;
a note out of reach is a 404 like a missing one.

The filing form also answers the offline module (web/static/web/offline.js): a POST that asks for JSON gets
201 with the note (200 when its key had already filed it) or 400 with the errors, never a page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.exceptions import CaseError, CaseNotFound
from cases.models import Unit
from cases.permissions import nearest_intake_unit_id
from web.ui import forbidden, not_found, refused

from .audit import note_chain_verify
from .forms import CaseFromNoteForm, NoteForm, RedactForm
from .models import Attitude, Subject
from .permissions import may_redact
from .selectors.notes import note_events, note_get_for_user, note_list_for_user, open_requests_for, subjects_to_file_on
from .services.notes import collaborator_of, note_file, note_redact, note_turn_into_case

MY_NOTES_SHOWN = 20


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _note_form(request, collaborator, data=None):
    localities = Unit.objects.filter(path__startswith=collaborator.unit.path, is_active=True).order_by("path")
    covered = collaborator.localities.order_by("path").first()
    # `?subject=<id>` (a request's notification, the open requests) chooses the subject, when it is one to file on.
    initial = {"subject": request.GET["subject"]} if request.GET.get("subject", "").isdigit() else {}
    return NoteForm(data, subjects=subjects_to_file_on(user=request.user), localities=localities,
                    initial_locality=covered, initial=initial)


def _form_errors(form_or_error) -> dict:
    if isinstance(form_or_error, ValidationError):
        return {k: [str(m) for m in v] for k, v in form_or_error.message_dict.items()}
    return {k: [str(m) for m in v] for k, v in form_or_error.errors.items()}


@login_required
@require_http_methods(["GET", "POST"])
def my_notes(request):
    """The collaborator's own screen: the note form (phone first), open requests, their notes."""
    try:
        collaborator = collaborator_of(request.user)
    except CaseError as error:
        if request.method == "GET" and note_list_for_user(user=request.user).exists():
            return redirect("collaborators:note_list")
        if _wants_json(request):
            return JsonResponse({"detail": str(error.message), "code": error.code}, status=403)
        return forbidden(request, error.message)
    form = _note_form(request, collaborator, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                filed = note_file(by=request.user, subject=data["subject_obj"], new_subject=data["new_subject"],
                                  locality=data["locality"], attitude=data["attitude"], summary=data["summary"],
                                  groups=data["groups"], channel=data["channel"],
                                  idempotency_key=data["idempotency_key"])
            except ValidationError as error:
                for field, texts in error.message_dict.items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
            else:
                if _wants_json(request):
                    return JsonResponse({"code": filed.note.code, "created": filed.created},
                                        status=201 if filed.created else 200)
                messages.success(request, _("Đã gửi phiếu %(code)s.") % {"code": filed.note.code})
                return redirect("collaborators:my_notes")
        if _wants_json(request):
            return JsonResponse({"detail": _("Phiếu chưa gửi được."), "errors": _form_errors(form)}, status=400)
    notes = note_list_for_user(user=request.user, filters={"collaborator": collaborator.pk})[:MY_NOTES_SHOWN]
    return render(request, "collaborators/my_notes.html", {
        "form": form, "collaborator": collaborator, "notes": notes,
        "requests": open_requests_for(user=request.user)[:10],
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def note_list(request):
    filters = {key: request.GET.get(key) for key in ("subject", "locality", "attitude", "group")}
    for key in ("subject", "locality"):
        if filters[key] and not filters[key].isdigit():
            filters[key] = None
    if filters["attitude"] not in Attitude.values:
        filters["attitude"] = None
    notes = note_list_for_user(user=request.user, filters=filters)
    subject = Subject.objects.filter(pk=filters["subject"]).first() if filters["subject"] else None
    return render(request, "collaborators/note_list.html", {
        "notes": notes[:200], "count": notes.count(), "subject": subject, "filters": filters,
    })


def _note_or_404(request, code):
    try:
        return note_get_for_user(user=request.user, code=code)
    except CaseNotFound:
        raise Http404 from None


@login_required
@require_GET
def note_detail(request, code):
    note = _note_or_404(request, code)
    return _detail(request, note)


def _detail(request, note, redact_form=None, case_form=None, status=200):
    return render(request, "collaborators/note_detail.html", {
        "note": note, "events": note_events(note=note), "chain": note_chain_verify(note),
        "may_redact": may_redact(request.user, note.unit),
        "may_make_case": not note.case_id and nearest_intake_unit_id(request.user, note.locality) is not None,
        "redact_form": redact_form or RedactForm(initial={"summary": note.summary,
                                                          "recommendation": note.recommendation}),
        "case_form": case_form or CaseFromNoteForm(initial={"topic": note.subject.topic_id}),
    }, status=status)


@login_required
@require_POST
def note_redact_view(request, code):
    note = _note_or_404(request, code)
    if not may_redact(request.user, note.unit):  # who may before what was sent (403 before 400)
        return forbidden(request, _("Chỉ văn phòng tổng hợp của đơn vị mới biên tập phiếu."))
    form = RedactForm(request.POST)
    if form.is_valid():
        try:
            note_redact(by=request.user, note=note, **form.cleaned_data)
        except ValidationError as error:
            for field, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(field if field in form.fields else None, text)
        except CaseError as error:
            messages.error(request, refused(error.message))
        else:
            messages.success(request, _("Đã biên tập phiếu; lịch sử ghi lại lý do và người biên tập."))
            return redirect("collaborators:note", code=note.code)
    return _detail(request, note, redact_form=form, status=400)


@login_required
@require_POST
def note_case_view(request, code):
    note = _note_or_404(request, code)
    form = CaseFromNoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, note, case_form=form, status=400)
    try:
        case = note_turn_into_case(by=request.user, note=note, topic=form.cleaned_data["topic"])
    except ValidationError as error:
        for field, texts in error.message_dict.items():
            for text in texts:
                form.add_error(field if field in form.fields else None, text)
        return _detail(request, note, case_form=form, status=400)
    except CaseNotFound as error:
        return not_found(request, error.message)
    except CaseError as error:
        return forbidden(request, error.message)
    messages.success(request, _("Đã chuyển phiếu thành vụ việc %(code)s.") % {"code": case.code})
    return redirect(reverse("web:case", args=[case.code]))
