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
from cases.selectors import case_public_status
from cases.services import case_public_feedback

from ..forms import PublicFeedbackForm, PublicLookupForm

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


def _public_view(info: dict) -> dict:
    """Only what the reporter may see: never staff names, units' people or other reporters."""
    return {key: info[key] for key in (
        "code", "title", "status", "status_label", "received_at", "deadline", "public_response", "outcome",
        "can_give_feedback", "reopen_requested",
    )}


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
