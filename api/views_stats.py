"""`GET /api/v1/stats/`: the dashboard's figures for dashboards elsewhere, from the same selector
(workflow.figures.dashboard_figures), so the screen and the API never disagree."""

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from cases.exceptions import CaseNotFound
from cases.selectors import scope_units
from reports.models import OversightRead
from reports.oversight import oversight_read_record
from reports.periods import FIRST_YEAR, LAST_YEAR, PERIOD_PATTERN, bounds, parse_period
from workflow.figures import dashboard_figures

from .fields import TextField
from .views import ApiView, _errors

# With no period and no dates: the last 30 days, today included, as on the dashboard.
DEFAULT_DAYS = 30
# Dates outside are counted as these: no case is received before 2000, and any date the schema allows is answered.
EARLIEST, LATEST = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)


class StatsFilterSerializer(serializers.Serializer):
    unit = TextField(required=False, max_length=64,
                                 help_text=_("Mã đơn vị: chỉ đếm địa bàn thuộc đơn vị này; mặc định cả phạm vi của bạn."))
    period = TextField(required=False, max_length=7, pattern_by_service=PERIOD_PATTERN,
                                   help_text=_("Kỳ: 2026-10 (tháng), 2026-Q3 (quý), 2026-H1 (6 tháng), 2026 (năm)."))
    date_from = serializers.DateField(required=False, help_text=_("Từ ngày (tính cả ngày này)."))
    date_to = serializers.DateField(required=False, help_text=_("Đến ngày (tính cả ngày này)."))

    def validate_period(self, value):
        try:
            return parse_period(value)
        except ValueError:
            raise serializers.ValidationError(_("Kỳ phải có dạng 2026-10, 2026-Q3, 2026-H1 hoặc 2026.")) from None


class BarSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class OnTimeSerializer(serializers.Serializer):
    rate = serializers.FloatField(allow_null=True, help_text=_("Giải quyết đúng hạn / (đã giải quyết + đang quá hạn)."))
    resolved = serializers.IntegerField()
    resolved_on_time = serializers.IntegerField()
    resolved_late = serializers.IntegerField()
    resolved_then_reopened = serializers.IntegerField()
    open_overdue = serializers.IntegerField()


class WeekSerializer(serializers.Serializer):
    start = serializers.DateField(help_text=_("Thứ Hai đầu tuần."))
    received = serializers.IntegerField()
    resolved = serializers.IntegerField()


class StatsOutputSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None,
                                 help_text=_("Đơn vị tính tỷ lệ đúng hạn."))
    locality = serializers.CharField(help_text=_("Mã đơn vị đã lọc; rỗng là cả phạm vi."))
    since = serializers.DateTimeField(allow_null=True)
    until = serializers.DateTimeField(allow_null=True)
    total = serializers.IntegerField(help_text=_("Vụ việc tiếp nhận trong kỳ."))
    by_status = BarSerializer(many=True)
    by_topic = BarSerializer(many=True)
    by_locality = BarSerializer(many=True)
    open = serializers.IntegerField(source="open_now", help_text=_("Đang xử lý lúc này, bất kể kỳ."))
    overdue = serializers.IntegerField(source="overdue_now", help_text=_("Đang quá hạn lúc này."))
    escalated = serializers.IntegerField(source="escalated_now", help_text=_("Đang chờ bạn chỉ đạo."))
    on_time = OnTimeSerializer(allow_null=True)
    by_week = WeekSerializer(many=True, help_text=_("Tiếp nhận và giải quyết xong từng tuần của kỳ (tối đa 26 tuần cuối)."))


def _window(data) -> tuple:
    """[since, until) of the period and the dates given, each narrowing the others like any filter (a query
    string cannot tell a client that two of its parameters exclude each other); dates that leave nothing
    between them count nothing."""
    if not {"period", "date_from", "date_to"} & data.keys():
        today = timezone.localdate()
        return bounds(today - timedelta(days=DEFAULT_DAYS - 1), today)
    since = until = None
    if "period" in data:
        _kind, start, end = data["period"]
        since, until = bounds(start, end)
    if data.get("date_from"):
        first = min(max(data["date_from"], EARLIEST), LATEST)
        day_start = bounds(first, first)[0]
        since = max(since, day_start) if since else day_start
    if data.get("date_to"):
        last = min(max(data["date_to"], EARLIEST), LATEST)
        day_end = bounds(last, last)[1]
        until = min(until, day_end) if until else day_end
    if since and until and until < since:
        until = since
    return since, until


class StatsApi(ApiView):
    @extend_schema(tags=["stats"], parameters=[StatsFilterSerializer],
                   responses={200: StatsOutputSerializer, **_errors(400, 401, 404, 429)},
                   summary=_("Số liệu cho bảng điều hành: theo trạng thái, lĩnh vực, địa bàn; quá hạn; tỷ lệ đúng hạn"))
    def get(self, request):
        filters = StatsFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        locality = data.get("unit", "")
        if locality and not scope_units(user=request.user).filter(code=locality).exists():
            raise CaseNotFound(_("Không tìm thấy đơn vị, hoặc đơn vị ngoài phạm vi của bạn."))
        since, until = _window(data)
        figures = dashboard_figures(user=request.user, since=since, until=until, locality=locality)
        oversight_read_record(user=request.user, kind=OversightRead.API_STATS,
                              filters={"received_after": since, "received_before": until, "locality": locality},
                              rows=figures.total)
        return Response(StatsOutputSerializer(figures).data)
