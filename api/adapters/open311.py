"""Open311 GeoReport v2, in JSON and XML: services are topics, service requests are cases.

Every method of the spec (open311.org GeoReport v2) is here, the format named
by the path's extension: discovery, the service list and each service's
definition, filing a request, listing and reading requests, and tokens.

Reading needs no key, as the spec has it, and shows public fields of the
public kinds of matter only (`api.selectors.open311_readable_cases`). Filing
needs `api_key`, an integration key of an Open311 channel source: the case is
logged as the source's account, in the subtree of the unit that account logs
cases for (`source_unit`), within the jurisdiction. With its key a source also
reads back in full what it filed. `jurisdiction_id` is checked against
`settings.OPEN311_JURISDICTIONS` on every method. Errors come in GeoReport's
shape, in the asked format.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.exceptions import CaseError, CaseNotFound
from cases.models import OPEN_STATUSES, CaseKind, Topic, Unit
from cases.services import CaseLocation, ReporterInput, case_intake
from cases.validation import locality_out_of_reach

from ..idempotency import idempotent
from ..inbound import inbound_intake_record
from ..integration_keys import integration_key_source
from ..models import ChannelSource
from ..selectors import (
    open311_readable_cases, open311_service, open311_services, source_filed_cases, source_unit, unit_by_code,
)
from ..throttling import Open311AddressThrottle, Open311KeyThrottle
from .georeport_formats import GeoReportJSONRenderer, GeoReportXMLRenderer, georeport_errors
from .open311_serializers import (
    KIND_ATTRIBUTE,
    ApiKeySerializer,
    JurisdictionSerializer,
    ServiceDefinitionSerializer,
    ServiceRequestCreatedSerializer,
    ServiceRequestInputSerializer,
    ServiceRequestQuerySerializer,
    ServiceRequestSerializer,
    ServiceSerializer,
    TokenAnswerSerializer,
    comma_list,
    service_definition,
)

MAX_REQUESTS_LISTED = 1000  # the spec's default limit: 90 days or 1000 requests, whichever is smaller
WINDOW = timedelta(days=90)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DISCOVERY_CHANGESET = "2026-11-28 00:00"  # when this facade's endpoints last changed (sortable, as the spec asks)


class Open311Error(Exception):
    def __init__(self, http_status: int, description: str):
        self.http_status, self.description = http_status, str(description)


def _errors_of(exc: serializers.ValidationError) -> str:
    detail = exc.detail
    if isinstance(detail, dict):
        return "; ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in detail.items())
    return " ".join(map(str, detail))


def jurisdiction_root(params) -> Unit | None:
    """The unit the named (or only) jurisdiction covers, None for every unit; 400 or 404 as the spec says."""
    given = JurisdictionSerializer(data=params)
    given.is_valid(raise_exception=True)
    configured = settings.OPEN311_JURISDICTIONS
    name = given.validated_data.get("jurisdiction_id", "").strip()
    if not name:
        if len(configured) != 1:
            raise Open311Error(400, _("Cần jurisdiction_id (máy chủ này phục vụ nhiều nơi)."))
        name = next(iter(configured))
    if name not in configured:
        raise Open311Error(404, _("Không có jurisdiction_id “%(id)s”.") % {"id": name[:100]})
    unit_code = configured[name]
    if not unit_code:
        return None
    unit = unit_by_code(unit_code, active_only=False)
    if unit is None:  # a configuration naming a unit that is gone serves nothing rather than everything
        raise Open311Error(404, _("Không có jurisdiction_id “%(id)s”.") % {"id": name})
    return unit


class Open311Api(APIView):
    """Answers in GeoReport's own shapes, errors included: `[{"code": 400, "description": "..."}]`."""

    authentication_classes = []  # `api_key` is the authentication
    permission_classes = [AllowAny]
    parser_classes = [FormParser, MultiPartParser, JSONParser]  # GeoReport clients post forms
    renderer_classes = [GeoReportJSONRenderer, GeoReportXMLRenderer]  # chosen by the `format` in the path
    throttle_classes = [Open311KeyThrottle, Open311AddressThrottle]
    xml_root = "service_requests"

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
            detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
            response.data = georeport_errors(response.status_code, detail)
            return response
        return Response(georeport_errors(http_status, description), status=http_status)

    def key_source(self, request) -> ChannelSource | None:
        """The Open311 source whose live key `api_key` is, checked once a request; None without one."""
        if not hasattr(request, "_open311_source"):
            params = request.data if request.method == "POST" else request.query_params
            raw = params.get("api_key") if hasattr(params, "get") else None
            source = integration_key_source(raw) if isinstance(raw, str) and raw else None
            request._open311_source = source if source and source.kind == ChannelSource.Kind.OPEN311 else None
            request._open311_key_given = bool(raw)
        return request._open311_source

    def reader_source(self, request) -> ChannelSource | None:
        """A read's key, optional; one that is given but not valid is a 403, as the spec's errors say."""
        source = self.key_source(request)
        if source is None and request._open311_key_given:
            raise Open311Error(403, _("api_key không hợp lệ."))
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


class DiscoveryApi(Open311Api):
    xml_root = "discovery"

    @extend_schema(tags=["open311"], auth=[], responses={200: OpenApiResponse(description="Service discovery"),
                                                        429: _ERRORS[429]},
                   summary="Open311 service discovery")
    def get(self, request, format=None):
        endpoint = request.build_absolute_uri("./").rstrip("/")
        changeset = DISCOVERY_CHANGESET
        return Response({
            "changeset": changeset,
            "contact": settings.OPEN311_CONTACT,
            "key_service": settings.OPEN311_KEY_SERVICE,
            "endpoints": [{
                "specification": SPECIFICATION, "url": endpoint, "changeset": changeset, "type": "production",
                "formats": ["text/xml", "application/json"],
            }],
        })


class ServiceListApi(Open311Api):
    xml_root = "services"

    @extend_schema(tags=["open311"], auth=[], parameters=[JurisdictionSerializer],
                   responses={200: ServiceSerializer(many=True), **_ERRORS}, summary="GeoReport v2: services (topics)")
    def get(self, request, format=None):
        jurisdiction_root(request.query_params)
        topics = open311_services()
        groups = {t.path: t.name for t in topics if t.depth == 1}
        keywords: dict[str, list[str]] = {}
        for topic in topics:  # a topic's subtopics name what it covers
            if topic.depth > 1:
                keywords.setdefault(topic.path[: -Topic.steplen], []).append(topic.name)
        context = {"groups": groups, "keywords": keywords}
        return Response(ServiceSerializer(topics, many=True, context=context).data)


class ServiceDefinitionApi(Open311Api):
    xml_root = "service_definition"

    @extend_schema(tags=["open311"], auth=[], parameters=[JurisdictionSerializer],
                   responses={200: ServiceDefinitionSerializer, **_ERRORS}, summary="GeoReport v2: a service's attributes")
    def get(self, request, service_code, format=None):
        jurisdiction_root(request.query_params)
        topic = open311_service(service_code)
        if topic is None:
            raise Open311Error(404, _("Không có service_code “%(code)s”.") % {"code": service_code[:32]})
        return Response(ServiceDefinitionSerializer(service_definition(topic)).data)


class ServiceRequestListCreateApi(Open311Api):
    @extend_schema(tags=["open311"], auth=[], parameters=[ServiceRequestQuerySerializer],
                   responses={200: ServiceRequestSerializer(many=True), **_ERRORS},
                   summary="GeoReport v2: service requests (cases), public fields; a key adds its own in full")
    def get(self, request, format=None):
        source = self.reader_source(request)
        within = jurisdiction_root(request.query_params)
        query = ServiceRequestQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        cases = open311_readable_cases(within=within, source=source)
        if codes := comma_list(params.get("service_request_id")):
            cases = cases.filter(code__in=[code.upper() for code in codes[:MAX_REQUESTS_LISTED]])
        else:
            cases = _filtered(cases, params)
        return Response(_requests_answer(list(cases[:MAX_REQUESTS_LISTED]), source))

    @extend_schema(tags=["open311"], auth=[], request={"application/x-www-form-urlencoded": ServiceRequestInputSerializer,
                                                       "multipart/form-data": ServiceRequestInputSerializer,
                                                       "application/json": ServiceRequestInputSerializer},
                   responses={201: ServiceRequestCreatedSerializer(many=True), **_ERRORS},
                   summary="GeoReport v2: file a service request (intake)")
    def post(self, request, format=None):
        source = self.key_source(request)
        if source is None:  # authorization before validation
            raise Open311Error(403, _("api_key không hợp lệ."))
        key_unit = source_unit(source)
        if key_unit is None:
            raise Open311Error(403, _("Tài khoản của nguồn tiếp nhận không còn vai trò tiếp nhận."))
        request.user = source.acts_as  # Idempotency-Key belongs to the source's account
        return idempotent(request, lambda: self._file(request, source, key_unit))

    def _file(self, request, source, key_unit):
        within = jurisdiction_root(request.data)
        params = ServiceRequestInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        topic = open311_service(data["service_code"])
        if topic is None:
            raise Open311Error(404, _("Không có service_code “%(code)s”.") % {"code": data["service_code"]})
        kind = _kind_attribute(request.data)
        locality = _locality(data["address_id"], source=source, scopes=(key_unit, within))
        with transaction.atomic():
            case = case_intake(
                by=source.acts_as, title=_title(data["description"], topic), description=data["description"],
                channel=source.channel, topic=topic, locality=locality, kind=kind,
                reporter=ReporterInput(full_name=f"{data['first_name']} {data['last_name']}".strip(),
                                       phone=data["phone"], email=data["email"]),
                external_ref=(data["account_id"] or data["device_id"])[:100],
                location=CaseLocation(latitude=data["lat"], longitude=data["long"], address=data["address_string"],
                                      media_url=data["media_url"]),
                attachments=[data["media"]] if data.get("media") else (),
            )
            inbound_intake_record(source=source, case=case)  # what this source may read back in full
        created = [{"service_request_id": case.code, "service_notice": None, "account_id": data["account_id"] or None}]
        return Response(created, status=status.HTTP_201_CREATED)


class ServiceRequestDetailApi(Open311Api):
    @extend_schema(tags=["open311"], auth=[], parameters=[ApiKeySerializer],
                   responses={200: ServiceRequestSerializer(many=True), **_ERRORS}, summary="GeoReport v2: one service request")
    def get(self, request, code, format=None):
        source = self.reader_source(request)
        within = jurisdiction_root(request.query_params)
        case = open311_readable_cases(within=within, source=source).filter(code=code.upper()).first()
        if case is None:
            raise CaseNotFound()
        return Response(_requests_answer([case], source))


class TokenApi(Open311Api):
    """Requests are realtime here, so a token is never needed; a client that asks anyway with the
    request's id gets it back, as for a token already turned into a request."""

    @extend_schema(tags=["open311"], auth=[], parameters=[JurisdictionSerializer],
                   responses={200: TokenAnswerSerializer(many=True), **_ERRORS},
                   summary="GeoReport v2: the service_request_id of a token")
    def get(self, request, token, format=None):
        within = jurisdiction_root(request.query_params)
        case = open311_readable_cases(within=within).filter(code=token.upper()).first()
        if case is None:
            raise Open311Error(404, _("Không có token “%(token)s”.") % {"token": token[:40]})
        return Response([{"service_request_id": case.code, "token": token}])


def _filtered(cases, params):
    end = params.get("end_date") or timezone.now()
    start = params.get("start_date") or end - WINDOW
    if end - start > WINDOW:
        raise Open311Error(400, _("Khoảng start_date – end_date không được quá 90 ngày."))
    cases = cases.filter(received_at__gte=start, received_at__lt=end)
    if service_codes := comma_list(params.get("service_code")):
        cases = cases.filter(topic__code__in=service_codes)
    statuses = set(params.get("status") or ())
    if statuses == {"open"}:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        cases = cases.exclude(status__in=OPEN_STATUSES)
    return cases


def _requests_answer(cases, source) -> list:
    full_ids = set()
    if source is not None and cases:
        full_ids = set(source_filed_cases(source=source).filter(pk__in=[c.pk for c in cases]).values_list("pk", flat=True))
    return ServiceRequestSerializer(cases, many=True, context={"full_ids": full_ids}).data


def _kind_attribute(data) -> str:
    attributes = {key[len("attribute["):-1]: key for key in data if key.startswith("attribute[") and key.endswith("]")}
    if unknown := sorted(set(attributes) - {KIND_ATTRIBUTE}):
        raise Open311Error(400, _("Dịch vụ không có thuộc tính “%(code)s”.") % {"code": unknown[0][:40]})
    kind = data.get(attributes[KIND_ATTRIBUTE], "") if attributes else ""
    if kind and kind not in CaseKind.values:
        raise Open311Error(400, _("Thuộc tính kind không nhận “%(value)s”.") % {"value": str(kind)[:40]})
    return kind or CaseKind.REFLECTION


def _locality(address_id: str, *, source: ChannelSource, scopes) -> Unit:
    """The case's locality: `address_id` (a unit code) or the source's default, inside both the key's
    unit and the jurisdiction; anything else is refused, never filed somewhere the key does not reach."""
    locality = source.default_locality
    if address_id:
        locality = unit_by_code(address_id)
        if locality is None:
            raise Open311Error(400, _("Không có address_id “%(id)s”.") % {"id": address_id})
    for scope in scopes:
        if scope is not None and not locality.path.startswith(scope.path):
            raise locality_out_of_reach()
    return locality


def _title(description: str, topic: Topic) -> str:
    first_line = next((line.strip() for line in description.splitlines() if line.strip()), "")
    return (first_line or topic.name)[:300]
