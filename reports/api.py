"""Reports over the REST API: list and draft, one report, submit, correct.

Thin classes over reports.services (writes) and reports.selectors (reads);
errors come out as JSON through api.exceptions (a report out of reach is a
404, a second submission a 409).
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.fields import TextField
from api.serializers import error_responses, unit_field
from api.views import ApiView
from cases.exceptions import PermissionDenied

from .models import ReportKind, ReportStatus
from .periods import FIRST_YEAR, LAST_YEAR, PERIOD_PATTERN, last_ended_period, parse_period
from .selectors import (
    report_current_figures,
    report_get_for_user,
    report_list_for_user,
    report_versions,
    units_writable_by,
)
from .services import report_check_writer, report_correct, report_draft_create, report_submit

MAX_TEXT = 50_000
MAX_LISTED = 200



def _errors(*codes):
    return error_responses(
        *codes, e404=_("Không tìm thấy báo cáo, hoặc bạn không được xem."),
        e409=_("Báo cáo đã gửi, đã có cho kỳ này, hoặc một vụ việc vừa thay đổi."),
    )


class ReportFilterSerializer(serializers.Serializer):
    unit = TextField(required=False, max_length=64, help_text=_("Mã đơn vị báo cáo."))
    kind = serializers.ChoiceField(choices=ReportKind.choices, required=False)
    status = serializers.ChoiceField(choices=ReportStatus.choices, required=False)
    period_start = serializers.DateField(required=False, help_text=_("Một ngày trong kỳ báo cáo."))


class ReportCreateInputSerializer(serializers.Serializer):
    """As API.md says: `unit` and `period`; the older `kind` with `period_start` (and a rapid report's
    `period_end`) still works."""

    unit = unit_field(required=False, help_text=_(
        "Mã đơn vị báo cáo (bạn là văn phòng tổng hợp hoặc lãnh đạo của đơn vị); mặc định đơn vị của bạn."))
    period = TextField(required=False, max_length=7, pattern_by_service=PERIOD_PATTERN, help_text=_(
        "Kỳ: 2026-10 (tháng), 2026-Q3 (quý), 2026-H1 (6 tháng), 2026 (năm); mặc định tháng trước."))
    kind = serializers.ChoiceField(choices=ReportKind.choices, required=False)
    period_start = serializers.DateField(required=False, help_text=_(
        "Cùng `kind`: một ngày bất kỳ trong kỳ; báo cáo nhanh: ngày bắt đầu."))
    period_end = serializers.DateField(required=False, allow_null=True, default=None,
                                       help_text=_("Chỉ cho báo cáo nhanh; mặc định hôm nay."))
    narrative = TextField(required=False, allow_blank=True, default="", max_length=MAX_TEXT)

    def validate_period(self, value):
        try:
            return parse_period(value)
        except ValueError:
            raise serializers.ValidationError(_("Kỳ phải có dạng 2026-10, 2026-Q3, 2026-H1 hoặc 2026.")) from None

    def validate_period_start(self, value):
        return _within_report_years(value)

    def validate_period_end(self, value):
        return None if value is None else _within_report_years(value)

    def validate(self, data):
        if "period" in data:
            if "kind" in data or "period_start" in data:
                raise serializers.ValidationError({"period": _("Chọn `period`, hoặc `kind` với `period_start`.")})
            data["kind"], data["period_start"], _end = data.pop("period")
        elif "kind" in data:
            if "period_start" not in data:
                raise serializers.ValidationError({"period_start": _("Cần ngày của kỳ báo cáo.")})
        else:  # the last complete month, the one being reported on now
            data["kind"] = ReportKind.MONTHLY
            data["period_start"] = last_ended_period(ReportKind.MONTHLY, timezone.localdate())[0]
        return data


def _within_report_years(day):
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise serializers.ValidationError(_("Kỳ báo cáo phải trong các năm 2000–2999."))
    return day


class ReportSubmitInputSerializer(serializers.Serializer):
    narrative = TextField(required=False, allow_blank=True, max_length=MAX_TEXT,
                                      help_text=_("Nội dung đánh giá cuối cùng; bỏ trống thì giữ bản dự thảo."))


class ReportCorrectInputSerializer(serializers.Serializer):
    narrative = TextField(allow_blank=True, max_length=MAX_TEXT)
    reason = TextField(allow_blank=True, not_blank=True, max_length=2000)


class ReportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    kind = serializers.CharField()
    title = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = serializers.CharField()
    version = serializers.IntegerField()
    due_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by = serializers.SerializerMethodField()

    def get_submitted_by(self, report) -> str | None:
        return report.submitted_by.get_username() if report.submitted_by_id else None


class ReportVersionOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    submitted_by = serializers.CharField(source="submitted_by.username")
    reason = serializers.CharField()
    marked_cases = serializers.ListField(child=serializers.CharField())
    diff = serializers.JSONField()


class ReportDetailOutputSerializer(ReportOutputSerializer):
    narrative = serializers.CharField()
    figures = serializers.JSONField(help_text=_("Số liệu: tính trực tiếp khi là dự thảo, cố định khi đã gửi."))
    versions = serializers.SerializerMethodField()

    def get_versions(self, report) -> list[dict]:
        return ReportVersionOutputSerializer(report_versions(report=report), many=True).data


def _detail(report) -> dict:
    report.figures = report_current_figures(report=report)
    return ReportDetailOutputSerializer(report).data


class ReportListCreateApi(ApiView):
    @extend_schema(tags=["reports"], parameters=[ReportFilterSerializer],
                   responses={200: ReportOutputSerializer(many=True), **_errors(400, 401, 429)},
                   summary=_("Các báo cáo bạn được xem, kỳ mới nhất trước"))
    def get(self, request):
        filters = ReportFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        reports = report_list_for_user(user=request.user, filters=filters.validated_data)[:MAX_LISTED]
        return Response(ReportOutputSerializer(reports, many=True).data)

    @extend_schema(tags=["reports"], request=ReportCreateInputSerializer,
                   responses={201: ReportDetailOutputSerializer, **_errors(400, 401, 403, 409, 429)},
                   summary=_("Lập dự thảo báo cáo của một đơn vị cho một kỳ"))
    def post(self, request):
        units = list(units_writable_by(user=request.user))
        if not units:  # nobody to write for: refused before the body is read (403 before 400)
            raise PermissionDenied(_("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới lập báo cáo của đơn vị."))
        serializer = ReportCreateInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.get("unit") is None:
            if len(units) > 1:
                raise ValidationError({"unit": _("Bạn lập báo cáo cho nhiều đơn vị; hãy chọn một.")})
            data["unit"] = units[0]
        report = report_draft_create(by=request.user, **data)
        return Response(_detail(report), status=status.HTTP_201_CREATED)


class ReportDetailApi(ApiView):
    @extend_schema(tags=["reports"], responses={200: ReportDetailOutputSerializer, **_errors(401, 404, 429)},
                   summary=_("Một báo cáo với số liệu và các phiên bản"))
    def get(self, request, pk):
        return Response(_detail(report_get_for_user(user=request.user, pk=pk)))


class ReportSubmitApi(ApiView):
    @extend_schema(tags=["reports"], request=ReportSubmitInputSerializer,
                   responses={200: ReportDetailOutputSerializer, **_errors(400, 401, 403, 404, 409, 429)},
                   summary=_("Gửi báo cáo lên cấp trên: cố định số liệu, chuyển các vụ việc đã giải quyết sang “đã báo cáo”"))
    def post(self, request, pk):
        report = report_get_for_user(user=request.user, pk=pk)
        serializer = ReportSubmitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = report_submit(report=report, by=request.user, narrative=serializer.validated_data.get("narrative"))
        return Response(_detail(report))


class ReportCorrectApi(ApiView):
    @extend_schema(tags=["reports"], request=ReportCorrectInputSerializer,
                   responses={201: ReportVersionOutputSerializer, **_errors(400, 401, 403, 404, 409, 429)},
                   summary=_("Đính chính báo cáo đã gửi: một phiên bản mới, giữ các điểm khác biệt"))
    def post(self, request, pk):
        report = report_get_for_user(user=request.user, pk=pk)
        report_check_writer(request.user, report)  # who may write it before what was written (403 before 400)
        serializer = ReportCorrectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = report_correct(report=report, by=request.user, **serializer.validated_data)
        return Response(ReportVersionOutputSerializer(version).data, status=status.HTTP_201_CREATED)
