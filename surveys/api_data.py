"""Results, the data system and the question bank over the REST API (/api/v1/surveys/): read only, scoped by the
selectors like the screens (a report out of reach is a 404 like a missing one). A report's tables come out as
they were frozen when published, small cells already suppressed; as files, CSV or XLSX."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.fields import TextField
from api.serializers import error_responses
from api.views import ApiView
from cases.exceptions import PermissionDenied
from cases.models import Unit
from cases.selectors import user_roles

from . import exports_data
from .permissions import MENU_ROLES
from .selectors import bank_list, results_get_for_user, results_list_for_user, survey_search_for_user

MAX_LISTED = 200


def _errors(*codes):
    return error_responses(*codes, e404=_("Không tìm thấy kết quả điều tra, hoặc bạn không được xem."))


@extend_schema_field({"type": "array", "items": {"type": "object", "additionalProperties": True}})
class TablesField(serializers.JSONField):
    """The frozen tables of a results report (surveys.models.SurveyResults): read only."""


class ResultsOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id")
    topic = serializers.CharField(source="plan.topic")
    unit = serializers.CharField(source="plan.unit.code")
    title = serializers.CharField()
    status = serializers.CharField(help_text=_("draft (dự thảo), submitted (chờ duyệt) hoặc published (đã công bố)."))
    scope = serializers.CharField(help_text=_("internal (nội bộ), parent (gửi cấp trên) hoặc public (công khai)."))
    published_at = serializers.DateTimeField(allow_null=True)
    weighted = serializers.SerializerMethodField()

    def get_weighted(self, results) -> bool:
        return results.weighting_id is not None


class ResultsDetailOutputSerializer(ResultsOutputSerializer):
    summary = serializers.CharField()
    tables = TablesField(help_text=_(
        "Các bảng như khi công bố: tần suất (frequency) và bảng chéo (crosstab); ô có dưới 5 câu trả lời và ô che bổ "
        "sung có suppressed = true, số và tỷ lệ để trống. Xem docs/surveys.md."))


class ResultsListApi(ApiView):
    @extend_schema(tags=["surveys"], responses={200: ResultsOutputSerializer(many=True), **_errors(401, 429)},
                   summary=_("Các báo cáo kết quả điều tra bạn được xem, mới công bố trước"))
    def get(self, request):
        results = results_list_for_user(user=request.user).select_related("plan__unit")[:MAX_LISTED]
        return Response(ResultsOutputSerializer(results, many=True).data)


class ResultsDetailApi(ApiView):
    @extend_schema(tags=["surveys"], responses={200: ResultsDetailOutputSerializer, **_errors(401, 404, 429)},
                   summary=_("Một báo cáo kết quả với các bảng đã công bố (ô nhỏ đã che)"))
    def get(self, request, pk):
        return Response(ResultsDetailOutputSerializer(results_get_for_user(user=request.user, pk=pk)).data)


class FileApiView(ApiView):
    # Answers with a file; its errors are JSON whatever the Accept header asks (the file is the only other shape
    # an answer takes), so content negotiation always picks JSON for them.

    def perform_content_negotiation(self, request, force=False):
        return JSONRenderer(), JSONRenderer.media_type


def _file(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ResultsTablesCsvApi(FileApiView):
    @extend_schema(tags=["surveys"], responses={
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=_("CSV, UTF-8 có BOM; ô bị che ghi “x”.")),
        **_errors(401, 404, 429)}, summary=_("Các bảng của một báo cáo kết quả, tệp CSV"),
        operation_id="surveys_results_tables_csv")
    def get(self, request, pk):
        results = results_get_for_user(user=request.user, pk=pk)
        return _file(exports_data.results_csv(results), "text/csv; charset=utf-8", f"ket-qua-{results.pk}.csv")


class ResultsTablesXlsxApi(FileApiView):
    @extend_schema(tags=["surveys"], responses={
        (200, exports_data.XLSX): OpenApiResponse(OpenApiTypes.BINARY, description=_("Bảng tính; ô bị che ghi “x”.")),
        **_errors(401, 404, 429)}, summary=_("Các bảng của một báo cáo kết quả, tệp XLSX"),
        operation_id="surveys_results_tables_xlsx")
    def get(self, request, pk):
        results = results_get_for_user(user=request.user, pk=pk)
        return _file(exports_data.results_xlsx(results), exports_data.XLSX, f"ket-qua-{results.pk}.xlsx")


# --- the data system and the bank --------------------------------------------------------------------


class SurveySearchFilterSerializer(serializers.Serializer):
    topic = TextField(required=False, max_length=200, help_text=_("Chữ trong chủ đề hoặc mục đích, không phân biệt dấu."))
    question = TextField(required=False, max_length=200, help_text=_(
        "Chữ trong nội dung một câu hỏi của phiếu đã khóa, hoặc của câu ngân hàng mà câu hỏi lấy từ đó."))
    period_from = serializers.DateField(required=False, help_text=_("Thời gian điều tra kết thúc từ ngày này."))
    period_to = serializers.DateField(required=False, help_text=_("Thời gian điều tra bắt đầu đến ngày này."))
    locality = TextField(required=False, max_length=64, help_text=_(
        "Mã đơn vị: đơn vị chủ trì hoặc một địa bàn điều tra thuộc đơn vị này (gồm cả cấp dưới)."))


class PublishedResultsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    scope = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class SurveyHitSerializer(serializers.Serializer):
    plan = serializers.IntegerField(source="plan.pk")
    topic = serializers.CharField(source="plan.topic")
    unit = serializers.CharField(source="plan.unit.code")
    unit_name = serializers.CharField(source="plan.unit.name")
    period_start = serializers.DateField(source="plan.period_start")
    period_end = serializers.DateField(source="plan.period_end")
    readable = serializers.BooleanField(help_text=_("Bạn xem được kế hoạch (không chỉ kết quả đã công bố)."))
    questions = serializers.ListField(child=serializers.CharField(), help_text=_("Các câu hỏi khớp chữ tìm."))
    results = PublishedResultsSerializer(many=True)


class DataSystemApi(ApiView):
    @extend_schema(tags=["surveys"], parameters=[SurveySearchFilterSerializer],
                   responses={200: SurveyHitSerializer(many=True), **_errors(400, 401, 429)},
                   summary=_("Kho dữ liệu điều tra: tìm theo chủ đề, thời gian, địa bàn và nội dung câu hỏi"))
    def get(self, request):
        serializer = SurveySearchFilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        filters = dict(serializer.validated_data)
        if code := filters.pop("locality", None):
            filters["locality"] = Unit.objects.filter(code=code).first()
            if filters["locality"] is None:  # an unknown code matches nothing, as an unknown word would
                return Response([])
        return Response(SurveyHitSerializer(survey_search_for_user(user=request.user, filters=filters), many=True).data)


class BankChoiceSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


class BankQuestionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()
    choices = BankChoiceSerializer(many=True)
    topic = serializers.CharField()
    unit = serializers.CharField(source="unit.code")


class BankFilterSerializer(serializers.Serializer):
    q = TextField(required=False, max_length=200, help_text=_("Chữ trong mã, nội dung hoặc lĩnh vực, không phân biệt dấu."))


class BankListApi(ApiView):
    @extend_schema(tags=["surveys"], parameters=[BankFilterSerializer],
                   responses={200: BankQuestionSerializer(many=True), **_errors(400, 401, 403, 429)},
                   summary=_("Ngân hàng câu hỏi dùng chung giữa các cuộc điều tra"))
    def get(self, request):
        if not user_roles(request.user) & MENU_ROLES:  # as the bank's page; 403 before the filter is read
            raise PermissionDenied(_("Trang này dành cho văn phòng tổng hợp, lãnh đạo, giám sát và thanh tra."))
        serializer = BankFilterSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return Response(BankQuestionSerializer(bank_list(q=serializer.validated_data.get("q", "")), many=True).data)
