"""Intake: one screen to log a case from any channel, with duplicates suggested while typing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.exceptions import CaseError, CaseNotFound
from cases.models import OPEN_STATUSES
from cases.selectors import (
    case_get_for_user,
    case_list_for_user,
    handover_units,
    intake_localities,
    unit_search,
)
from cases.permissions import may_log_cases
from cases.services import ReporterInput
from cases.text import fold
from cases.validation import DESCRIPTION_MAX_CHARS

from ..forms import IntakeForm
from ..services import case_intake_into
from ..ui import forbidden, unit_from_label, unit_label

# Session key holding {code: secret} until the case page has shown it once.
SECRET_SESSION_KEY = "web:intake_secret"

# Words too common to say two titles are about the same matter.
STOP_WORDS = frozenset(
    "va cua cho cac nhung mot tai tren duoi trong ngoai voi den tu khong chua con da dang bi duoc nguoi dan "
    "xa phuong thon khu pho to ap ban o la co nay kia ve theo nhieu it rat".split()
)


@login_required
def intake(request):
    if not may_log_cases(request.user):
        return forbidden(request, _("Bạn không có vai trò tiếp nhận vụ việc."))
    form = IntakeForm(request.POST or None, request.FILES or None, user=request.user)
    merge_target = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            merge_target = _merge_target(request, data.get("merge_into"))
            case, survivor = case_intake_into(
                by=request.user, into=merge_target,
                title=data["title"], description=data["description"], channel=data["channel"],
                topic=data["topic"], locality=data["locality"], priority=data["priority"], kind=data["kind"],
                received_at=data.get("received_at"),
                reporter=None if data["anonymous"] else ReporterInput(
                    full_name=data["full_name"], phone=data["phone"], email=data["email"], address=data["address"],
                ),
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except CaseError as exc:
            form.add_error(None, str(exc.message))
        else:
            request.session[SECRET_SESSION_KEY] = {case.code: case.public_secret}
            if survivor is not None:
                messages.success(request, _("Đã tiếp nhận %(code)s và gộp vào %(into)s.")
                                 % {"code": case.code, "into": survivor.code})
            else:
                messages.success(request, _("Đã tiếp nhận vụ việc %(code)s.") % {"code": case.code})
            return redirect("web:case", code=case.code)
    elif request.method == "POST" and form.data.get("merge_into"):
        try:
            merge_target = case_get_for_user(user=request.user, code=form.data["merge_into"])
        except CaseNotFound:
            merge_target = None
    localities = form.fields["locality"].units
    return render(request, "web/intake.html", {
        "form": form,
        "merge_target": merge_target,
        "locality_options": _options(localities[:200]),
        "description_max": DESCRIPTION_MAX_CHARS,
    }, status=400 if request.method == "POST" else 200)


def _merge_target(request, code):
    if not code:
        return None
    try:
        return case_get_for_user(user=request.user, code=code)
    except CaseNotFound:
        raise ValidationError({"merge_into": _("Không tìm thấy vụ việc được chọn để gộp.")}) from None


def _form_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_GET
def duplicates(request):
    """Open cases of the same locality whose titles share words with the one being typed (htmx)."""
    title = request.GET.get("title", "")
    localities = intake_localities(user=request.user)
    locality = unit_from_label(localities, request.GET.get("locality", ""))
    words = [w for w in dict.fromkeys(fold(title).split()) if len(w) >= 3 and w not in STOP_WORDS][:6]
    suggestions = []
    if locality is not None and len(words) >= 2:
        scores = {}
        found = {}
        for word in words:
            candidates = case_list_for_user(
                user=request.user, filters={"q": word, "locality": locality.code}
            ).filter(status__in=OPEN_STATUSES)[:30]
            for case in candidates:
                scores[case.pk] = scores.get(case.pk, 0) + 1
                found[case.pk] = case
        # Similar enough: at least two shared words and half of the typed ones.
        needed = max(2, (len(words) + 1) // 2)
        ranked = sorted((pk for pk, n in scores.items() if n >= needed), key=lambda pk: (-scores[pk], -pk))
        suggestions = [(found[pk], scores[pk]) for pk in ranked[:5]]
    return render(request, "web/_duplicates.html", {
        "suggestions": suggestions, "word_count": len(words), "locality": locality,
        "selected": request.GET.get("merge_into", ""),
    })


@login_required
@require_GET
def locality_options(request):
    """The locality input's list, narrowed to what has been typed (htmx)."""
    units = intake_localities(user=request.user)
    if request.GET.get("scope") == "handover":
        units = units | handover_units(user=request.user)
    text = request.GET.get("q") or request.GET.get("locality") or ""
    found = unit_search(units.distinct(), text, limit=40)
    return render(request, "web/_locality_options.html", {"options": _options(found)})


def _options(units):
    # The folded label lets the browser's own list match "dong" to "Đông" too.
    return [(unit_label(u), fold(unit_label(u))) for u in units]
