"""The OpenRosa server (https://docs.getodk.org/openrosa/): form list, form download, submission.

ODK Collect and Enketo sign in with HTTP Basic over the existing accounts (the Authentication API allows it
over HTTPS). Digest is not offered: it needs the password, or a hash of it with the realm, kept on the
server, and the accounts keep only a salted one-way hash. An account that must give a second factor cannot
give it here and is refused. Every response carries `X-OpenRosa-Version: 1.0` and a `Date`; a submission
must carry `X-OpenRosa-Version` too (as the OpenRosa request standard says), which a cross-site form cannot.
"""

import base64
import binascii

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cases.exceptions import CaseError, CaseNotFound, PermissionDenied
from security.two_factor import two_factor_required

from .models import AnswerChannel
from .openrosa import MAX_SUBMISSION_BYTES, ListedForm, form_id, form_list, instance_parse, md5_hash, plan_id_of, \
    response_document, xform
from .selectors import plan_get_for_user, plans_collecting_for
from .services import answer_collect, collection_version
from .services.collection import answer_duration

REALM = "DLXH"


def _headers(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = "1.0"
    response["X-OpenRosa-Accept-Content-Length"] = str(MAX_SUBMISSION_BYTES)
    response["Date"] = http_date()
    return response


def _xml(body: bytes, status: int = 200) -> HttpResponse:
    return _headers(HttpResponse(body, status=status, content_type="text/xml; charset=utf-8"))


def _message(text: str, status: int) -> HttpResponse:
    return _xml(response_document(str(text)), status=status)


def _challenge() -> HttpResponse:
    response = _message(_("Cần đăng nhập bằng tài khoản của hệ thống."), 401)
    response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def _user(request):
    """The account named by HTTP Basic credentials, or None."""
    scheme, _space, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        username, _colon, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user = authenticate(request=request, username=username, password=password)
    if user is None or not user.is_active or two_factor_required(user):
        return None
    return user


@require_http_methods(["GET", "HEAD"])
def form_list_view(request):
    """The forms this person collects: the frozen version of each plan with collection running."""
    user = _user(request)
    if user is None:
        return _challenge()
    wanted = request.GET.get("formID")
    forms = []
    for plan in plans_collecting_for(user=user):
        if wanted and wanted != form_id(plan.pk):
            continue
        version = collection_version(plan)
        forms.append(ListedForm(
            form_id=form_id(plan.pk), name=version.title, version=str(version.number), hash=md5_hash(xform(version)),
            download_url=request.build_absolute_uri(reverse("openrosa:form", args=[plan.pk, version.number]))))
    return _xml(form_list(forms))


@require_http_methods(["GET"])
def form_download(request, pk, number):
    user = _user(request)
    if user is None:
        return _challenge()
    plans = {plan.pk: plan for plan in plans_collecting_for(user=user)}
    plan = plans.get(pk)
    version = collection_version(plan) if plan else None
    if version is None or version.number != number:
        return _message(_("Không tìm thấy biểu mẫu, hoặc bạn không thu thập cho cuộc điều tra này."), 404)
    return _xml(xform(version))


@csrf_exempt
@require_http_methods(["HEAD", "POST"])
def submission(request):
    user = _user(request)
    if user is None:
        return _challenge()
    if request.method == "HEAD":
        return _headers(HttpResponse(status=204))
    if not request.headers.get("X-OpenRosa-Version"):
        # Every OpenRosa client sends it; a page on another site cannot (a custom header needs CORS), so a
        # browser's remembered Basic credentials cannot be used to post answers from there.
        return _message(_("Thiếu tiêu đề X-OpenRosa-Version: yêu cầu không đến từ một ứng dụng OpenRosa."), 400)
    upload = request.FILES.get("xml_submission_file")
    if upload is None:
        return _message(_("Thiếu phần xml_submission_file trong yêu cầu multipart."), 400)
    if upload.size > MAX_SUBMISSION_BYTES:
        return _message(_("Phiếu gửi lên quá lớn."), 413)
    try:
        instance = instance_parse(upload.read())
        plan_id = plan_id_of(instance.form_id)
        if plan_id is None:
            raise CaseNotFound()
        plan = plan_get_for_user(user=user, pk=plan_id)
        number = int(instance.version) if instance.version.isdigit() else None
        collected = answer_collect(plan=plan, by=user, raw=instance.answers, collected_at=instance.finished_at,
                                   instance_id=instance.instance_id, channel=AnswerChannel.INTERVIEW,
                                   version_number=number,
                                   duration_seconds=answer_duration(instance.started_at, instance.finished_at))
    except CaseNotFound:
        return _message(_("Không tìm thấy cuộc điều tra của biểu mẫu này, hoặc bạn không được xem."), 404)
    except PermissionDenied as error:
        return _message(error.message, 403)
    except ValidationError as error:
        problems = ([f"{name}: {text}" for name, texts in error.message_dict.items() for text in texts]
                    if hasattr(error, "error_dict") else error.messages)
        return _message(" ".join(problems), 400)
    except CaseError as error:
        return _message(error.message, 409)
    if not collected.created:
        return _message(_("Phiếu này đã được nhận trước đó; không lưu lại lần nữa."), 201)
    return _message(_("Đã nhận phiếu trả lời.") + (" " + _("(nhận muộn)") if collected.answer.late else ""), 201)
