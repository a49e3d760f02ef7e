"""The reporter's page, no login: code + secret → status, public response, due date; feedback after resolution.

Rate-limited per address: a counter in the shared cache, so every web
process counts the same tries. Code and secret travel in POST bodies only,
never in URLs or logs.
"""

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from cases.exceptions import CaseNotFound, TransitionNotAllowed
from cases.models import CaseStatus
from cases.selectors import case_public_status
from cases.services import case_public_feedback
from workflow.progress import case_progress

from ..forms import PublicFeedbackForm, PublicLookupForm
from .evidence import public_file_links

TRIES = 10
WINDOW_SECONDS = 600


def _client_address(request) -> str:
    # REMOTE_ADDR only: a header the client writes could not be trusted for a limit.
    return request.META.get("REMOTE_ADDR", "unknown")


def _over_limit(request) -> bool:
    """Count this try; True once the address has used its tries in the window."""
    key = f"web:public-status:{_client_address(request)}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        tries = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        tries = 1
    return tries > getattr(settings, "PUBLIC_STATUS_TRIES", TRIES)


# How many merges to follow to the case that carries the matter now (a survivor may be merged again).
MERGE_HOPS = 5


def _public_view(info: dict) -> dict:
    """Only what the reporter may see: never staff names, units' people or other reporters."""
    case = info["case"]
    view = {key: info[key] for key in (
        "code", "title", "status", "status_label", "received_at", "deadline", "public_response", "outcome",
        "can_give_feedback", "reopen_requested",
    )}
    view["kind_label"] = case.get_kind_display()
    view["progress"] = case_progress(case, with_side_steps=False)
    # The leader kept the result after the resident's "not fixed": the reason is owed to the resident.
    view["kept_closed_reason"] = case.kept_closed_reason if case.status in (
        CaseStatus.RESOLVED, CaseStatus.REPORTED) else ""
    view["transfer"] = _transfer_facts(case)
    view["survivor"] = _survivor_view(case) if case.status == CaseStatus.MERGED else None
    view["files"] = public_file_links(case)  # the resolution's files its handler made public
    return view


def _transfer_facts(case) -> dict | None:
    """Where a transferred matter went, on what legal basis, and when and how the reporter was told."""
    if not case.transfer_agency:
        return None
    return {
        "agency": case.transfer_agency,
        "legal_basis": case.transfer_legal_basis,
        "notified_at": case.reporter_notified_at,
        "notified_how": case.reporter_notified_how,
    }


def _survivor_view(case) -> dict | None:
    """The case a merged one was folded into: its code and where it stands, no title or people.

    Its public answer and outcome are the answer to this reporter's matter too.
    """
    survivor = case.merged_into
    for _hop in range(MERGE_HOPS):
        if survivor is None or survivor.status != CaseStatus.MERGED or survivor.merged_into_id is None:
            break
        survivor = survivor.merged_into
    if survivor is None:
        return None
    return {
        "code": survivor.code,
        "status": survivor.status,
        "status_label": survivor.get_status_display(),
        "deadline": survivor.deadline if survivor.is_open else None,
        "public_response": survivor.public_response,
        "outcome": survivor.outcome if survivor.status in (CaseStatus.RESOLVED, CaseStatus.REPORTED) else "",
        "progress": case_progress(survivor, with_side_steps=False),
        "transfer": _transfer_facts(survivor),
    }


@never_cache
@csrf_protect
def public_status(request):
    context = {"form": PublicLookupForm(), "status": None}
    if request.method != "POST":
        return render(request, "web/public_status.html", context)
    if _over_limit(request):
        context["error"] = _("Bạn đã thử quá nhiều lần. Vui lòng thử lại sau 10 phút.")
        return render(request, "web/public_status.html", context, status=429)
    giving_feedback = "fixed" in request.POST
    form = (PublicFeedbackForm if giving_feedback else PublicLookupForm)(request.POST)
    context["form"] = PublicLookupForm(initial={"code": request.POST.get("code", "")})
    if not form.is_valid():
        context["error"] = _("Hãy nhập mã vụ việc và mã bí mật.")
        return render(request, "web/public_status.html", context, status=400)
    code, secret = form.cleaned_data["code"], form.cleaned_data["secret"]
    info = case_public_status(code=code, secret=secret)
    if info is None:
        context["error"] = _("Mã vụ việc hoặc mã bí mật không đúng.")
        return render(request, "web/public_status.html", context, status=404)
    if giving_feedback:
        fixed = form.cleaned_data["fixed"] == "1"
        try:
            case_public_feedback(case=info["case"], secret=secret, fixed=fixed, comment=form.cleaned_data["comment"])
        except (CaseNotFound, TransitionNotAllowed) as exc:
            context["error"] = str(exc.message)
        else:
            context["notice"] = (_("Cảm ơn bạn đã xác nhận vụ việc đã được khắc phục.") if fixed else
                                 _("Cảm ơn bạn. Ý kiến “chưa khắc phục” đã được chuyển đến lãnh đạo để xem xét mở lại."))
            info = case_public_status(code=code, secret=secret)
    context["status"] = _public_view(info)
    context["secret"] = secret
    return render(request, "web/public_status.html", context)
