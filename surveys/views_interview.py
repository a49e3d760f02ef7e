"""The interviewer's phone form: the collection questionnaire filled at the door, kept on the device without a
signal by the offline module (web/static/web/offline.js, docs/offline.md) and sent once when the signal is back.
Thin: the service checks and files each device key once; a plan the person is not assigned to is a 404.

A POST that asks for JSON (the offline module) gets 201 with the answer's number (200 when its key had already
filed it), 400 with the errors, or 404/409; never a page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases.exceptions import CaseError, CaseNotFound

from .questionnaire import type_labels
from .selectors import plan_get_for_user
from .services import answer_submit_interview, collection_version, interviewer_assigned
from .views import sections_of

SKIP_FIELDS = ("csrfmiddlewaretoken", "idempotency_key", "collected_at", "started_at")


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _raw_answers(request) -> dict:
    return {key: (values if len(values) > 1 else values[0])
            for key, values in request.POST.lists() if key not in SKIP_FIELDS}


def _refuse(request, plan, status: int, detail: str, errors: dict | None = None):
    if _wants_json(request):
        return JsonResponse({"detail": detail, "errors": errors or {}}, status=status)
    messages.error(request, detail)
    for texts in (errors or {}).values():
        for text in texts:
            messages.error(request, text)
    return redirect("surveys:interview", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def interview_form(request, pk):
    try:
        plan = plan_get_for_user(user=request.user, pk=pk)
    except CaseNotFound:
        raise Http404 from None
    if not interviewer_assigned(plan=plan, user=request.user):  # readers who are not its interviewers
        raise Http404
    version = collection_version(plan)
    if request.method == "POST":
        try:
            filed = answer_submit_interview(plan=plan, by=request.user, raw=_raw_answers(request),
                                            idempotency_key=request.POST.get("idempotency_key")
                                            or request.headers.get("Idempotency-Key"),
                                            collected_at=request.POST.get("collected_at"),
                                            started_at=request.POST.get("started_at"))
        except CaseNotFound:
            raise Http404 from None
        except ValidationError as error:
            return _refuse(request, plan, 400, _("Phiếu chưa gửi được."),
                           {k: [str(m) for m in v] for k, v in error.message_dict.items()})
        except CaseError as error:
            return _refuse(request, plan, 409, str(error.message))
        if _wants_json(request):
            return JsonResponse({"answer": filed.answer.pk, "created": filed.created},
                                status=201 if filed.created else 200)
        messages.success(request, _("Đã gửi phiếu trả lời."))
        return redirect("surveys:interview", pk=plan.pk)
    return render(request, "surveys/interview.html", {
        "plan": plan, "version": version, "types": type_labels(), "given": {},
        "sections": sections_of(version.content) if version else [],
    })
