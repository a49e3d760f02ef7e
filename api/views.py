"""The REST API: thin classes over cases.services (writes) and cases.selectors (reads).

Each class validates the request's shape with its input serializer, calls one
service or selector, and answers with an output serializer. Errors are turned
into JSON by api.exceptions; a case the caller may not see is a 404, exactly
like a missing one.
"""

import copy

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from knox.views import LoginView as KnoxLoginView
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.exceptions import Conflict, PermissionDenied, TransitionNotAllowed
from cases.lifecycle import CaseLifecycle
from cases.selectors import case_available_transitions, case_events, case_get_for_user, case_list_for_user
from cases.services import (
    ReporterInput,
    case_acknowledge,
    case_assign,
    case_extend,
    case_instruct,
    case_intake,
    intake_refuse_unless_allowed,
    case_keep_closed,
    case_merge,
    case_note_add,
    case_note_refuse_unless_allowed,
    case_orient,
    case_pull_up,
    case_reassign,
    case_reject,
    case_reopen,
    case_reporter_notified,
    case_resolve,
    case_transfer,
    case_verify,
)
from reports.models import OversightRead
from reports.oversight import oversight_read_record
from security.tokens import person_sign_out_everywhere, person_token_revoke, person_tokens_make_room

from . import serializers as s
from .authentication import TokenAuthentication
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import KEY_MAX_LENGTH, KEY_PATTERN, idempotent
from .pagination import CasePagination
from .parsers import DepthLimitedJSONParser
from .selectors import case_escalated_to_codes
from .throttling import AnonThrottle, UserThrottle



def _errors(*codes):
    return s.error_responses(
        *codes, e404=_("Không tìm thấy vụ việc, hoặc bạn không được xem."),
        e409=_("Thao tác không hợp lệ ở trạng thái hiện tại, hoặc vụ việc vừa bị người khác thay đổi."),
    )


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER, location=OpenApiParameter.HEADER, required=False,
    type={"type": "string", "minLength": 1, "maxLength": KEY_MAX_LENGTH, "pattern": KEY_PATTERN},
    description=_("Gửi lại cùng khóa thì nhận lại đúng phản hồi lần đầu, không tạo bản ghi thứ hai (giữ 24 giờ)."),
)


class ApiView(APIView):
    parser_classes = [DepthLimitedJSONParser]
    renderer_classes = [JSONRenderer]
    throttle_classes = [UserThrottle]


@extend_schema(
    tags=["auth"], auth=[], request=s.TokenInputSerializer,
    responses={200: s.TokenOutputSerializer, **_errors(400, 429)},
    summary=_("Lấy token từ tên đăng nhập, mật khẩu và (với vai trò cần) mã xác thực hai bước"),
)
class TokenObtainApi(KnoxLoginView):
    """A new token each time (hashed at rest by django-rest-knox), good for DLXH_API_TOKEN_TTL_SECONDS; a person
    holds at most DLXH_API_TOKENS_PER_PERSON, the oldest going first."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [DepthLimitedJSONParser]
    renderer_classes = [JSONRenderer]
    throttle_classes = [AnonThrottle]

    def post(self, request, format=None):
        serializer = s.TokenInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        request.user = serializer.validated_data["user"]
        person_tokens_make_room(user=request.user)
        return super().post(request, format=format)


@extend_schema(tags=["auth"], request=None, responses={204: None, **_errors(401, 429)},
               summary=_("Thu hồi token đang dùng (đăng xuất)"))
class TokenLogoutApi(ApiView):
    authentication_classes = [TokenAuthentication]  # a token logs itself out; a session logs out on the web

    def post(self, request):
        person_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"], request=None, responses={204: None, **_errors(401, 403, 429)},
               summary=_("Đăng xuất mọi nơi: thu hồi mọi token và kết thúc mọi phiên đăng nhập của bạn"))
class TokenLogoutAllApi(ApiView):
    def post(self, request):
        person_sign_out_everywhere(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaseListCreateApi(ApiView):
    pagination_class = CasePagination

    @extend_schema(
        tags=["cases"], parameters=[s.CaseFilterSerializer],
        responses={200: s.CaseOutputSerializer(many=True), **_errors(400, 401, 404, 429)},
        summary=_("Các vụ việc bạn được xem, mới nhất trước"),
    )
    def get(self, request):
        filters = s.CaseFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        cases = case_list_for_user(user=request.user, filters=filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(cases.select_related("assignee", "merged_into"), request, view=self)
        oversight_read_record(user=request.user, kind=OversightRead.API_CASE_LIST, filters=filters.validated_data,
                              rows=len(page))
        context = {"escalated_to": case_escalated_to_codes(cases=page)}
        return paginator.get_paginated_response(s.CaseOutputSerializer(page, many=True, context=context).data)

    @extend_schema(
        tags=["cases"], request=s.CaseIntakeInputSerializer, parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: s.CaseOutputSerializer, **_errors(400, 401, 403, 422, 429)},
        summary=_("Tiếp nhận một vụ việc"),
    )
    def post(self, request):
        return idempotent(request, lambda: self._intake(request))

    def _intake(self, request):
        intake_refuse_unless_allowed(request.user)
        serializer = s.CaseIntakeInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        given = data.pop("reporter") or {}
        reporter = ReporterInput(
            full_name=given.get("name", ""), phone=given.get("phone", ""),
            email=given.get("email", ""), address=given.get("address", ""),
        )  # an empty one is anonymous
        case = case_intake(by=request.user, reporter=reporter, **data)
        return Response(s.CaseOutputSerializer(case).data, status=status.HTTP_201_CREATED)


class CaseDetailApi(ApiView):
    @extend_schema(tags=["cases"], responses={200: s.CaseOutputSerializer, **_errors(401, 404, 429)},
                   summary=_("Một vụ việc"))
    def get(self, request, code):
        case = case_get_for_user(user=request.user, code=code)
        oversight_read_record(user=request.user, kind=OversightRead.API_CASE, case=case)
        return Response(s.CaseOutputSerializer(case).data)


class CaseEventsApi(ApiView):
    @extend_schema(tags=["cases"], responses={200: s.CaseEventOutputSerializer(many=True), **_errors(401, 404, 429)},
                   summary=_("Lịch sử của vụ việc, cũ nhất trước"))
    def get(self, request, code):
        case = case_get_for_user(user=request.user, code=code)
        oversight_read_record(user=request.user, kind=OversightRead.API_CASE_HISTORY, case=case)
        return Response(s.CaseEventOutputSerializer(case_events(case=case), many=True).data)


class CaseNotesApi(ApiView):
    @extend_schema(tags=["cases"], request=s.NoteInputSerializer,
                   responses={201: s.CaseEventOutputSerializer, **_errors(400, 401, 403, 404, 429)},
                   summary=_("Thêm ghi chú nội bộ (không đổi trạng thái; không công khai)"))
    def post(self, request, code):
        case = case_get_for_user(user=request.user, code=code)
        case_note_refuse_unless_allowed(case=case, by=request.user)  # 403 before 400
        serializer = s.NoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = case_note_add(case=case, by=request.user, text=serializer.validated_data["text"])
        return Response(s.CaseEventOutputSerializer(event).data, status=status.HTTP_201_CREATED)


class CaseTransitionsApi(ApiView):
    @extend_schema(tags=["transitions"], responses={200: s.TransitionOutputSerializer(many=True),
                                                    **_errors(401, 404, 429)},
                   summary=_("Các thao tác bạn được làm với vụ việc lúc này"))
    def get(self, request, code):
        case = case_get_for_user(user=request.user, code=code)
        names = case_available_transitions(case=case, user=request.user)
        return Response(s.TransitionOutputSerializer.for_case(case, names).data)


# --- transitions --------------------------------------------------------------


def _refuse_unless_available(*, case, name: str, user) -> None:
    """Refuse a move this person may not make now, before its body is read (403 before 400).

    The order of the services' own checks: not legal from the case's state (409), not allowed
    by the role table (403), then a condition of the move unmet (409, with its reason). The
    service checks again under the row lock; a change that wins the race in between is still
    a 409 from there.
    """
    lifecycle = CaseLifecycle(case)
    move = getattr(lifecycle, name)
    if not move.can_proceed(check_conditions=False):
        raise TransitionNotAllowed()
    if not move.has_perm(user):
        raise PermissionDenied()
    for transition in move.get_transitions():
        if transition.source == case.status and (unmet := transition.get_unmet_condition(lifecycle)):
            raise TransitionNotAllowed(getattr(unmet[1], "message", "") or None)


class CaseTransitionApi(ApiView):
    """POST one move; subclasses name the move, its input serializer and the service to call."""

    name: str
    input_serializer: type[s.TransitionInputSerializer]

    def post(self, request, code):
        return idempotent(request, lambda: self._move(request, code))

    def _move(self, request, code):
        case = case_get_for_user(user=request.user, code=code)
        # On a copy: the checks memoise what they read (the units directing the case), which the
        # move may change, and the answer is rendered from `case` after the move.
        _refuse_unless_available(case=copy.copy(case), name=self.name, user=request.user)
        serializer = self.input_serializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if version is not None:
            if version != case.version:
                raise Conflict()  # here too: the extension service does not compare versions
            # The service compares this with the locked row: a change since the read above is a 409 too.
            case.version = version
        case = self.perform(case=case, by=request.user, **data)
        return Response(s.CaseOutputSerializer(case).data)

    def perform(self, *, case, by, **data):
        raise NotImplementedError


def _transition_schema(name, input_serializer, summary):
    return extend_schema_view(post=extend_schema(
        tags=["transitions"], operation_id=f"cases_transitions_{name}", request=input_serializer,
        parameters=[IDEMPOTENCY_PARAMETER], summary=summary,
        responses={200: s.CaseOutputSerializer, **_errors(400, 401, 403, 404, 409, 422, 429)},
    ))


@_transition_schema("verify", s.VerifyInputSerializer, _("Xác minh (có thể sửa lĩnh vực, địa bàn, độ khẩn)"))
class CaseVerifyApi(CaseTransitionApi):
    name = "verify"
    input_serializer = s.VerifyInputSerializer

    def perform(self, *, case, by, **data):
        return case_verify(case=case, by=by, **data)


@_transition_schema("reject", s.RejectInputSerializer, _("Không thụ lý, có lý do"))
class CaseRejectApi(CaseTransitionApi):
    name = "reject"
    input_serializer = s.RejectInputSerializer

    def perform(self, *, case, by, reason):
        return case_reject(case=case, by=by, reason=reason)


@_transition_schema("merge", s.MergeInputSerializer, _("Gộp vào một vụ việc khác"))
class CaseMergeApi(CaseTransitionApi):
    name = "merge"
    input_serializer = s.MergeInputSerializer

    def perform(self, *, case, by, into, note):
        return case_merge(case=case, into=into, by=by, note=note)


@_transition_schema("assign", s.AssignInputSerializer, _("Giao đơn vị (và người) xử lý"))
class CaseAssignApi(CaseTransitionApi):
    name = "assign"
    input_serializer = s.AssignInputSerializer

    def perform(self, *, case, by, unit, assignee, note):
        return case_assign(case=case, by=by, unit=unit, assignee=assignee, note=note)


@_transition_schema("reassign", s.ReassignInputSerializer, _("Giao lại cho đơn vị khác, có lý do"))
class CaseReassignApi(CaseTransitionApi):
    name = "reassign"
    input_serializer = s.ReassignInputSerializer

    def perform(self, *, case, by, unit, assignee, reason):
        return case_reassign(case=case, by=by, unit=unit, assignee=assignee, reason=reason)


@_transition_schema("orient", s.OrientInputSerializer, _("Ghi nội dung định hướng, trả lời công khai"))
class CaseOrientApi(CaseTransitionApi):
    name = "orient"
    input_serializer = s.OrientInputSerializer

    def perform(self, *, case, by, response):
        return case_orient(case=case, by=by, response=response)


@_transition_schema("resolve", s.ResolveInputSerializer, _("Ghi kết quả giải quyết"))
class CaseResolveApi(CaseTransitionApi):
    name = "resolve"
    input_serializer = s.ResolveInputSerializer

    def perform(self, *, case, by, outcome):
        return case_resolve(case=case, by=by, outcome=outcome)


@_transition_schema("reopen", s.ReopenInputSerializer, _("Mở lại vụ việc đã giải quyết, có lý do"))
class CaseReopenApi(CaseTransitionApi):
    name = "reopen"
    input_serializer = s.ReopenInputSerializer

    def perform(self, *, case, by, reason):
        return case_reopen(case=case, by=by, reason=reason)


@_transition_schema("keep_closed", s.KeepClosedInputSerializer,
                    _("Giữ kết quả giải quyết khi người phản ánh báo chưa khắc phục, có lý do"))
class CaseKeepClosedApi(CaseTransitionApi):
    name = "keep_closed"
    input_serializer = s.KeepClosedInputSerializer

    def perform(self, *, case, by, reason):
        return case_keep_closed(case=case, by=by, reason=reason)


@_transition_schema("transfer", s.TransferInputSerializer,
                    _("Chuyển đơn đến cơ quan có thẩm quyền, nêu căn cứ pháp lý (khiếu nại, tố cáo)"))
class CaseTransferApi(CaseTransitionApi):
    name = "transfer"
    input_serializer = s.TransferInputSerializer

    def perform(self, *, case, by, agency, legal_basis, note):
        return case_transfer(case=case, by=by, agency=agency, legal_basis=legal_basis, note=note)


@_transition_schema("reporter_notified", s.ReporterNotifiedInputSerializer,
                    _("Ghi việc đã báo người phản ánh về việc chuyển đơn; vụ việc kết thúc"))
class CaseReporterNotifiedApi(CaseTransitionApi):
    name = "reporter_notified"
    input_serializer = s.ReporterNotifiedInputSerializer

    def perform(self, *, case, by, how, notified_at, note):
        return case_reporter_notified(case=case, by=by, how=how, notified_at=notified_at, note=note)


@_transition_schema("pull_up", s.PullUpInputSerializer, _("Cấp trên rút vụ việc được chuyển lên về đơn vị mình xử lý"))
class CasePullUpApi(CaseTransitionApi):
    name = "pull_up"
    input_serializer = s.PullUpInputSerializer

    def perform(self, *, case, by, reason):
        return case_pull_up(case=case, by=by, reason=reason)


@_transition_schema("instruct", s.InstructInputSerializer, _("Cấp trên chỉ đạo bằng văn bản đơn vị đang xử lý"))
class CaseInstructApi(CaseTransitionApi):
    name = "instruct"
    input_serializer = s.InstructInputSerializer

    def perform(self, *, case, by, instruction):
        return case_instruct(case=case, by=by, instruction=instruction)


@_transition_schema("acknowledge", s.AcknowledgeInputSerializer, _("Đơn vị đang xử lý tiếp thu chỉ đạo của cấp trên"))
class CaseAcknowledgeApi(CaseTransitionApi):
    name = "acknowledge"
    input_serializer = s.AcknowledgeInputSerializer

    def perform(self, *, case, by, note):
        return case_acknowledge(case=case, by=by, note=note)


@_transition_schema("extend", s.ExtendInputSerializer, _("Gia hạn bước hiện tại theo quyết định đã ghi số, ký hiệu"))
class CaseExtendApi(CaseTransitionApi):
    name = "extend"
    input_serializer = s.ExtendInputSerializer

    def perform(self, *, case, by, new_due, decision_ref, reason):
        return case_extend(case=case, by=by, new_due=new_due, decision_ref=decision_ref, reason=reason)


TRANSITION_APIS = {
    api.name: api
    for api in (
        CaseVerifyApi, CaseRejectApi, CaseMergeApi, CaseTransferApi, CaseReporterNotifiedApi, CaseAssignApi,
        CaseReassignApi, CaseOrientApi, CaseResolveApi, CaseReopenApi, CaseKeepClosedApi, CasePullUpApi,
        CaseInstructApi, CaseAcknowledgeApi, CaseExtendApi,
    )
}


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/ (and the bell's /notifications/): a JSON 404, not Django's HTML page."""
    return JsonResponse({"detail": str(_("Không tìm thấy địa chỉ này.")), "code": "not_found"}, status=404)

