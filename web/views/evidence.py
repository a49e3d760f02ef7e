"""Beside the moves on the case page: internal notes, and the previews of attached files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.exceptions import PermissionDenied
from cases.selectors import case_public_files, public_file_get
from cases.services import case_note_add, case_note_refuse_unless_allowed
from cases.upload_checks import PREVIEWABLE_TYPES

from ..forms import NoteForm
from ..ui import forbidden, not_found
from .case import case_view, render_case

# A link to a public file works this long after the reporter opened the status page (code and secret stay
# in POST bodies, never in a URL: the link carries only the file's signed id).
PUBLIC_LINK_SECONDS = 3600
_PUBLIC_LINK_SALT = "web.public-file"


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


@login_required
@require_GET
@case_view
def attachment_preview(request, case, attachment_id):
    """A file's thumbnail, through the same scope as the file: another unit's case answers 404 like a missing one."""
    attachment = case.attachments.filter(pk=attachment_id).exclude(thumbnail="").first()
    if attachment is None:
        return not_found(request, _("Không tìm thấy ảnh xem trước."))
    return _image(attachment)


def _image(attachment) -> FileResponse:
    response = FileResponse(attachment.thumbnail.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"  # as the file itself: a person who loses the role loses it too
    return response


# --- the reporter's page: the resolution's public files ------------------------------------------------


def public_file_links(case) -> list[dict]:
    """The public files of a case for the status page, each with links that work for PUBLIC_LINK_SECONDS."""
    signer = signing.TimestampSigner(salt=_PUBLIC_LINK_SALT)
    links = []
    for attachment in case_public_files(case=case):
        token = signer.sign(str(attachment.pk))
        links.append({
            "name": attachment.original_name, "size": attachment.size,
            "url": reverse("web:public_file", args=[token]),
            "preview_url": reverse("web:public_file_preview", args=[token]) if attachment.thumbnail else "",
            "inline": attachment.content_type in PREVIEWABLE_TYPES, "type": attachment.content_type,
        })
    return links


def _public_attachment(token: str):
    try:
        attachment_id = int(signing.TimestampSigner(salt=_PUBLIC_LINK_SALT).unsign(token, max_age=PUBLIC_LINK_SECONDS))
    except (signing.BadSignature, ValueError):
        return None
    return public_file_get(attachment_id=attachment_id)


@require_GET
def public_file(request, token):
    """A public file of a resolved case, by a link from its status page; anything else answers 404."""
    attachment = _public_attachment(token)
    if attachment is None:
        return not_found(request, _("Không tìm thấy tệp, hoặc liên kết đã hết hạn: hãy tra cứu lại."))
    inline = attachment.content_type in PREVIEWABLE_TYPES
    response = FileResponse(attachment.file.open("rb"), as_attachment=not inline, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def public_file_preview(request, token):
    attachment = _public_attachment(token)
    if attachment is None or not attachment.thumbnail:
        return not_found(request, _("Không tìm thấy ảnh xem trước."))
    return _image(attachment)
