"""Open311 GeoReport v2 (JSON): services are topics, service requests are cases.

Civic-issue apps that speak the standard can list services, file a request
and follow it. Filing and reading need `api_key`: an integration key of an
Open311 channel source (`api.IntegrationKey`, never a person's token). The key
names its source, which is the `jurisdiction_id` (optional; when given it must
be the key's): cases are filed as the source's account (`acts_as`, an intake
clerk of the receiving unit) with its channel, default topic and locality, and
the key reads back only the cases its source filed, through the same
permission-scoped selectors as everything else. `address_id` may be a unit
code, otherwise the source's default locality is used and the address and
coordinates are kept in the description.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.exceptions import CaseError, CaseNotFound
from cases.models import OPEN_STATUSES, CaseStatus, Topic, Unit
from cases.services import ReporterInput, case_intake

from ..idempotency import idempotent
from ..inbound import inbound_intake_record
from ..integration_keys import integration_key_source
from ..models import ChannelSource
from ..selectors import source_filed_cases
from ..throttling import AnonThrottle

MAX_REQUESTS_LISTED = 200
DEFAULT_WINDOW = timedelta(days=90)


class Open311Error(Exception):
    def __init__(self, http_status: int, description: str):
        self.http_status, self.description = http_status, str(description)


# --- serializers --------------------------------------------------------------


class ServiceSerializer(serializers.Serializer):
    service_code = serializers.CharField(source="code")
    service_name = serializers.CharField(source="name")
    description = serializers.SerializerMethodField()
    metadata = serializers.SerializerMethodField()
    type = serializers.SerializerMethodField()
    keywords = serializers.SerializerMethodField()
    group = serializers.SerializerMethodField()

    def get_description(self, topic) -> str:
        return ""

    def get_metadata(self, topic) -> bool:
        return False  # no extra attributes: description and location are enough

    def get_type(self, topic) -> str:
        return "realtime"

    def get_keywords(self, topic) -> str:
        return ""

    def get_group(self, topic) -> str:
        return self.context["groups"].get(topic.path[: Topic.steplen], "")


class ServiceRequestSerializer(serializers.Serializer):
    service_request_id = serializers.CharField(source="code")
    status = serializers.SerializerMethodField()
    status_notes = serializers.SerializerMethodField()
    service_name = serializers.CharField(source="topic.name")
    service_code = serializers.CharField(source="topic.code")
    description = serializers.CharField()
    agency_responsible = serializers.CharField(source="owner.name")
    service_notice = serializers.SerializerMethodField()
    requested_datetime = serializers.DateTimeField(source="received_at")
    updated_datetime = serializers.DateTimeField(source="updated_at")
    expected_datetime = serializers.DateTimeField(source="deadline", allow_null=True)
    address = serializers.CharField(source="locality.name")
    address_id = serializers.CharField(source="locality.code")
    zipcode = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()
    long = serializers.SerializerMethodField()
    media_url = serializers.SerializerMethodField()

    def get_status(self, case) -> str:
        return "open" if case.status in OPEN_STATUSES else "closed"

    def get_status_notes(self, case) -> str:
        return case.outcome or case.public_response or case.closing_reason or str(CaseStatus(case.status).label)

    def get_service_notice(self, case) -> str:
        return ""

    def get_zipcode(self, case) -> str | None:
        return None

    def get_lat(self, case) -> float | None:
        return None

    def get_long(self, case) -> float | None:
        return None

    def get_media_url(self, case) -> str | None:
        return None


class ServiceRequestCreatedSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    service_notice = serializers.CharField()
    account_id = serializers.CharField(allow_null=True)


API_KEY_MAX_LENGTH = 100  # `ik-` + 8 + `.` + 43 characters today


class ServiceRequestInputSerializer(serializers.Serializer):
    api_key = serializers.CharField(max_length=API_KEY_MAX_LENGTH)
    jurisdiction_id = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    service_code = serializers.CharField(max_length=32)
    lat = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    long = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
    address_string = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    address_id = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    device_id = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    account_id = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    media_url = serializers.URLField(required=False, allow_blank=True, default="")

    def validate(self, data):
        if not (data["address_string"] or data["address_id"] or (data["lat"] is not None and data["long"] is not None)):
            raise serializers.ValidationError(_("Cần một vị trí: lat và long, address_string hoặc address_id."))
        return data


class ServiceRequestQuerySerializer(serializers.Serializer):
    api_key = serializers.CharField(max_length=API_KEY_MAX_LENGTH)
    jurisdiction_id = serializers.CharField(max_length=50, required=False, allow_blank=True)
    service_request_id = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    service_code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    start_date = serializers.DateTimeField(required=False)
    end_date = serializers.DateTimeField(required=False)
    status = serializers.ChoiceField(choices=["open", "closed"], required=False)


class ApiKeySerializer(serializers.Serializer):
    api_key = serializers.CharField(max_length=API_KEY_MAX_LENGTH)
    jurisdiction_id = serializers.CharField(max_length=50, required=False, allow_blank=True)


# --- views --------------------------------------------------------------------


def _errors_of(exc: serializers.ValidationError) -> str:
    detail = exc.detail
    if isinstance(detail, dict):
        return "; ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in detail.items())
    return " ".join(map(str, detail))


class Open311Api(APIView):
    """Answers in GeoReport's own shapes, errors included: `[{"code": 400, "description": "..."}]`."""

    authentication_classes = []  # `api_key` is the authentication
    permission_classes = [AllowAny]
    parser_classes = [FormParser, MultiPartParser, JSONParser]  # GeoReport clients post forms
    renderer_classes = [JSONRenderer]
    throttle_classes = [AnonThrottle]

    def handle_exception(self, exc):
        if isinstance(exc, Open311Error):
            http_status, description = exc.http_status, exc.description
        elif isinstance(exc, serializers.ValidationError):
            http_status, description = 400, _errors_of(exc)
        elif isinstance(exc, DjangoValidationError):
            http_status, description = 400, " ".join(exc.messages)
        elif isinstance(exc, CaseNotFound):
            http_status, description = 404, exc.message
        elif isinstance(exc, CaseError):
            http_status, description = 403, exc.message
        else:
            response = super().handle_exception(exc)  # parse errors, throttling, ...: same shape below
            response.data = [{"code": response.status_code, "description": str(response.data.get("detail", ""))}]
            return response
        return Response([{"code": http_status, "description": str(description)}], status=http_status)

    def source_of(self, params) -> ChannelSource:
        """The Open311 source whose integration key `api_key` is: 403 for anything else, a person's token included."""
        given = ApiKeySerializer(data=params)
        given.is_valid(raise_exception=True)
        source = integration_key_source(given.validated_data["api_key"])
        if source is None or source.kind != ChannelSource.Kind.OPEN311:
            raise Open311Error(403, _("api_key không hợp lệ."))
        # The key names its jurisdiction; another one (or one that does not exist) is not found for it.
        if given.validated_data.get("jurisdiction_id") not in (None, "", source.code):
            raise Open311Error(404, _("Không có jurisdiction_id này."))
        return source


# A list even for errors, as GeoReport has it (spectacular would document a bare object).
_ERROR_LIST = {
    "type": "array",
    "items": {
        "type": "object", "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
_ERRORS = {code: OpenApiResponse(_ERROR_LIST, description="GeoReport error list") for code in (400, 403, 404, 429)}


class ServiceListApi(Open311Api):
    @extend_schema(tags=["open311"], auth=[], responses={200: ServiceSerializer(many=True), **_ERRORS},
                   summary="GeoReport v2: services (topics)")
    def get(self, request):
        topics = Topic.objects.filter(is_active=True).order_by("path")
        groups = {t.path: t.name for t in topics if t.depth == 1}
        return Response(ServiceSerializer(topics, many=True, context={"groups": groups}).data)


class ServiceRequestListCreateApi(Open311Api):
    @extend_schema(tags=["open311"], auth=[], parameters=[ServiceRequestQuerySerializer],
                   responses={200: ServiceRequestSerializer(many=True), **_ERRORS},
                   summary="GeoReport v2: the service requests (cases) this key's source filed")
    def get(self, request):
        source = self.source_of(request.query_params)
        query = ServiceRequestQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        codes = [c.strip() for c in params.get("service_request_id", "").split(",") if c.strip()]
        cases = source_filed_cases(source=source, filters={"topic": params.get("service_code")})
        if codes:
            cases = cases.filter(code__in=codes[:MAX_REQUESTS_LISTED])
        else:
            end = params.get("end_date") or timezone.now()
            cases = cases.filter(received_at__gte=params.get("start_date") or end - DEFAULT_WINDOW, received_at__lt=end)
        if params.get("status"):
            wanted_open = params["status"] == "open"
            cases = cases.filter(status__in=OPEN_STATUSES) if wanted_open else cases.exclude(status__in=OPEN_STATUSES)
        return Response(ServiceRequestSerializer(cases[:MAX_REQUESTS_LISTED], many=True).data)

    @extend_schema(tags=["open311"], auth=[], request={"application/x-www-form-urlencoded": ServiceRequestInputSerializer,
                                                       "application/json": ServiceRequestInputSerializer},
                   responses={201: ServiceRequestCreatedSerializer(many=True), **_ERRORS},
                   summary="GeoReport v2: file a service request (intake)")
    def post(self, request):
        source = self.source_of(request.data)
        request.user = source.acts_as  # Idempotency-Key belongs to the source's account
        return idempotent(request, lambda: self._file(request, source))

    def _file(self, request, source):
        params = ServiceRequestInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        topic = Topic.objects.filter(code=data["service_code"], is_active=True).first()
        if topic is None:
            raise Open311Error(400, _("Không có service_code “%(code)s”.") % {"code": data["service_code"]})
        locality = Unit.objects.filter(code=data["address_id"], is_active=True).first() if data["address_id"] else None
        with transaction.atomic():
            case = case_intake(
                by=source.acts_as, title=_title(data["description"], topic), description=_description(data),
                channel=source.channel, topic=topic, locality=locality or source.default_locality,
                reporter=ReporterInput(full_name=f"{data['first_name']} {data['last_name']}".strip(),
                                       phone=data["phone"], email=data["email"]),
                external_ref=(data["account_id"] or data["device_id"])[:100],
            )
            inbound_intake_record(source=source, case=case)  # what this source may read back
        created = [{"service_request_id": case.code, "service_notice": "", "account_id": data["account_id"] or None}]
        return Response(created, status=status.HTTP_201_CREATED)


class ServiceRequestDetailApi(Open311Api):
    @extend_schema(tags=["open311"], auth=[], parameters=[ApiKeySerializer],
                   responses={200: ServiceRequestSerializer(many=True), **_ERRORS},
                   summary="GeoReport v2: one service request")
    def get(self, request, code):
        source = self.source_of(request.query_params)
        case = source_filed_cases(source=source).filter(code=code).first()
        if case is None:
            raise CaseNotFound()
        return Response(ServiceRequestSerializer([case], many=True).data)


def _title(description: str, topic: Topic) -> str:
    first_line = next((line.strip() for line in description.splitlines() if line.strip()), "")
    return (first_line or topic.name)[:300]


def _description(data) -> str:
    lines = [data["description"].strip()]
    if data["address_string"]:
        lines.append(_("Địa chỉ: %(address)s") % {"address": data["address_string"]})
    if data["lat"] is not None and data["long"] is not None:
        lines.append(_("Tọa độ: %(lat)s, %(long)s") % {"lat": data["lat"], "long": data["long"]})
    if data["media_url"]:
        lines.append(_("Ảnh: %(url)s") % {"url": data["media_url"]})
    return "\n".join(line for line in lines if line)

