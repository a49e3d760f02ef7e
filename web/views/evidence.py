"""Beside the moves on the case page: internal notes, and the previews of attached files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.exceptions import PermissionDenied
from cases.services import case_note_add, case_note_refuse_unless_allowed

from ..forms import NoteForm
from ..ui import forbidden
from .case import case_view, render_case


@login_required
@require_POST
@case_view
def case_note(request, case):
    """Add an internal note; the case's state does not change. A refusal changes nothing and says why."""
    try:
        case_note_refuse_unless_allowed(case=case, by=request.user)
    except PermissionDenied as exc:
        return forbidden(request, exc.message)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            case_note_add(case=case, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error("text", exc.messages)
    if form.errors:
        return render_case(request, case, note_form=form, status=400)
    messages.success(request, _("Đã thêm ghi chú nội bộ."))
    return redirect(f"{reverse('web:case', args=[case.code])}#history")
