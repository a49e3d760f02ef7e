"""The online form for residents, no login: an invitation code, then the questionnaire; one answer per code.
Where the plan opens its link, no code: one answer per browser and 20 per address an hour.

Rate-limited per address like the public status page (the shared cache counts every web process's tries).
The code travels in POST bodies only, never in a URL or a log.
"""

from datetime import datetime
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from cases.exceptions import CaseError, CaseNotFound

from .questionnaire import type_labels
from .selectors import plan_public_get, results_get_for_user, results_list_for_user
from .services import answer_submit_online, answer_submit_open, closed_message, collection_version, invitation_usable
from .services.collection import answer_duration
from .views import sections_of

TRIES = 20
WINDOW_SECONDS = 600
# The open link: answers an address may send in an hour, and the cookie that marks a browser as done.
OPEN_ANSWERS_AN_HOUR = 20
OPEN_COOKIE_SALT = "surveys.open-link"
OPEN_COOKIE_DAYS = 366
# The form's start, signed into a hidden field when the questions are shown; at submission the server keeps only
# the length (surveys.services.collection.answer_duration). Older than a day, it is not read.
STARTED_SALT = "surveys.answer-started"
STARTED_MAX_AGE = 86400


def _started_token(plan) -> str:
    return signing.dumps({"plan": plan.pk, "at": timezone.now().timestamp()}, salt=STARTED_SALT)


def _duration(request, plan) -> int | None:
    """Seconds since the questions were shown to this person, read from the signed field; None if absent,
    altered, too old or for another plan."""
    token = request.POST.get("started", "")
    try:
        started = signing.loads(token, salt=STARTED_SALT, max_age=STARTED_MAX_AGE) if token else None
    except signing.BadSignature:
        return None
    if not isinstance(started, dict) or started.get("plan") != plan.pk or not isinstance(started.get("at"), float):
        return None
    return answer_duration(datetime.fromtimestamp(started["at"], tz=dt_timezone.utc), timezone.now())


def _open_cookie(plan) -> str:
    return f"dlxh-khao-sat-{plan.pk}"


def _open_key(request, plan) -> str:
    return f"surveys:open-answers:{plan.pk}:{request.META.get('REMOTE_ADDR', 'unknown')}"


def _answered_here(request, plan) -> bool:
    return request.get_signed_cookie(_open_cookie(plan), default=None, salt=OPEN_COOKIE_SALT) == "1"


def _address_full(request, plan) -> bool:
    return (cache.get(_open_key(request, plan)) or 0) >= getattr(settings, "SURVEY_OPEN_PER_HOUR", OPEN_ANSWERS_AN_HOUR)


def _count_answer(request, plan) -> None:
    key = _open_key(request, plan)
    cache.add(key, 0, timeout=3600)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)


def _over_limit(request) -> bool:
    """Count this try of a code; True once the address has used its tries in the window."""
    key = f"surveys:code-tries:{request.META.get('REMOTE_ADDR', 'unknown')}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        tries = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        tries = 1
    return tries > getattr(settings, "SURVEY_CODE_TRIES", TRIES)


def _raw_answers(request) -> dict:
    return {key: (values if len(values) > 1 else values[0])
            for key, values in request.POST.lists() if key not in ("csrfmiddlewaretoken", "code", "step", "started")}


@never_cache
@csrf_protect
def public_form(request, pk):
    try:
        plan = plan_public_get(pk=pk)
    except CaseNotFound:
        raise Http404 from None
    version = collection_version(plan)
    context = {"plan": plan, "version": version, "types": type_labels(), "step": "code"}
    if plan.closed_at is not None:
        context.update(step="closed", error=closed_message(plan))
        return render(request, "surveys/public_form.html", context, status=409 if request.method == "POST" else 200)
    if plan.open_link and not request.POST.get("code"):
        return _open_form(request, plan, context)
    if request.method != "POST":
        return render(request, "surveys/public_form.html", context)
    code = request.POST.get("code", "")
    if request.POST.get("step") != "answers":
        if _over_limit(request):
            context["error"] = _("Bạn đã thử quá nhiều lần. Vui lòng thử lại sau 10 phút.")
            return render(request, "surveys/public_form.html", context, status=429)
        if not invitation_usable(plan=plan, code=code):
            context["error"] = _("Mã mời không đúng hoặc đã được dùng.")
            return render(request, "surveys/public_form.html", context, status=404)
        return render(request, "surveys/public_form.html", {
            **context, "step": "answers", "code": code, "sections": sections_of(version.content), "given": {},
            "started": _started_token(plan)})
    raw = _raw_answers(request)
    try:
        answer_submit_online(plan=plan, code=code, raw=raw, duration_seconds=_duration(request, plan))
    except ValidationError as error:
        return render(request, "surveys/public_form.html", {
            **context, "step": "answers", "code": code, "sections": sections_of(version.content),
            "given": raw, "errors": error.message_dict, "started": request.POST.get("started", ""),
            "error": _("Còn câu chưa trả lời hoặc trả lời chưa đúng; xem các câu được đánh dấu."),
        }, status=400)
    except CaseError as error:
        context["error"] = str(error.message)
        return render(request, "surveys/public_form.html", context, status=409)
    return render(request, "surveys/public_form.html", {**context, "step": "done"})


def _open_form(request, plan, context):
    """The open link: no code; one answer per browser (a signed cookie), 20 per address an hour."""
    context = {**context, "step": "answers", "open": True, "sections": sections_of(context["version"].content),
               "given": {}, "started": request.POST.get("started") or _started_token(plan)}
    if _answered_here(request, plan):
        context.update(step="done", already=True)
        return render(request, "surveys/public_form.html", context, status=409 if request.method == "POST" else 200)
    if request.method != "POST":
        return render(request, "surveys/public_form.html", context)
    if _address_full(request, plan):
        context["error"] = _("Đã có nhiều câu trả lời từ địa chỉ mạng này trong một giờ qua; vui lòng thử lại sau.")
        return render(request, "surveys/public_form.html", context, status=429)
    raw = _raw_answers(request)
    try:
        answer_submit_open(plan=plan, raw=raw, duration_seconds=_duration(request, plan))
    except ValidationError as error:
        context.update(given=raw, errors=error.message_dict,
                       error=_("Còn câu chưa trả lời hoặc trả lời chưa đúng; xem các câu được đánh dấu."))
        return render(request, "surveys/public_form.html", context, status=400)
    except CaseError as error:
        context.update(step="code", error=str(error.message))
        return render(request, "surveys/public_form.html", context, status=409)
    _count_answer(request, plan)
    response = render(request, "surveys/public_form.html", {**context, "step": "done"})
    response.set_signed_cookie(_open_cookie(plan), "1", salt=OPEN_COOKIE_SALT, max_age=OPEN_COOKIE_DAYS * 86400,
                               httponly=True, samesite="Lax", secure=request.is_secure(),
                               path=request.path)
    return response


# --- results published as public ------------------------------------------------------------------


@never_cache
def public_results_list(request):
    """Every survey's results published as public, newest first; read as no one in particular, so a signed-in
    person sees here what anyone sees."""
    found = results_list_for_user(user=AnonymousUser())[:200]
    return render(request, "surveys/public_results_list.html", {"found": list(found)})


@never_cache
def public_results(request, rid):
    try:
        results = results_get_for_user(user=AnonymousUser(), pk=rid)
    except CaseNotFound:
        raise Http404 from None
    return render(request, "surveys/public_results.html", {"results": results, "tables": results.tables})
