"""The shapes of Open311 GeoReport v2: what its clients send and what they read back."""

from decimal import Decimal

from django.utils.translation import gettext as _
from rest_framework import serializers

from cases.models import OPEN_STATUSES, CaseKind, CaseStatus, Topic
from cases.validation import DESCRIPTION_MAX_CHARS

API_KEY_MAX_LENGTH = 100  # `ik-` + 8 + `.` + 43 characters today
STATUSES = ("open", "closed")
# The one attribute every service takes (GeoReport's `attribute[kind]=…`): the kind of matter the law
# distinguishes. Optional: a reflection when left out.
KIND_ATTRIBUTE = "kind"


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
        return True  # the definition offers the optional `kind` attribute

    def get_type(self, topic) -> str:
        return "realtime"  # the service_request_id comes back at once

    def get_keywords(self, topic) -> str:
        return ", ".join(self.context["keywords"].get(topic.path, []))

    def get_group(self, topic) -> str:
        return self.context["groups"].get(topic.path[: Topic.steplen], "")


class AttributeValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class AttributeSerializer(serializers.Serializer):
    variable = serializers.BooleanField()
    code = serializers.CharField()
    datatype = serializers.CharField()
    required = serializers.BooleanField()
    datatype_description = serializers.CharField(allow_null=True)
    order = serializers.IntegerField()
    description = serializers.CharField()
    values = AttributeValueSerializer(many=True)


class ServiceDefinitionSerializer(serializers.Serializer):
    service_code = serializers.CharField()
    attributes = AttributeSerializer(many=True)


def service_definition(topic: Topic) -> dict:
    kinds = [{"key": value, "name": str(label)} for value, label in CaseKind.choices]
    return {
        "service_code": topic.code,
        "attributes": [{
            "variable": True, "code": KIND_ATTRIBUTE, "datatype": "singlevaluelist", "required": False,
            "datatype_description": None, "order": 1,
            "description": _("Loại đơn (để trống: phản ánh)."), "values": kinds,
        }],
    }


class ServiceRequestSerializer(serializers.Serializer):
    """One request. Anyone may read the public fields; the description, the address, the coordinates and
    the media link only the source that filed it (context `full_ids`): they may say who or where someone is."""

    service_request_id = serializers.CharField(source="code")
    status = serializers.SerializerMethodField()
    status_notes = serializers.SerializerMethodField()
    service_name = serializers.CharField(source="topic.name")
    service_code = serializers.CharField(source="topic.code")
    description = serializers.SerializerMethodField()
    agency_responsible = serializers.CharField(source="owner.name")
    service_notice = serializers.SerializerMethodField()
    requested_datetime = serializers.DateTimeField(source="received_at")
    updated_datetime = serializers.DateTimeField(source="updated_at")
    expected_datetime = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    address_id = serializers.CharField(source="locality.code")
    zipcode = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()
    long = serializers.SerializerMethodField()
    media_url = serializers.SerializerMethodField()

    def _full(self, case) -> bool:
        return case.pk in self.context.get("full_ids", ())

    def get_status(self, case) -> str:
        return "open" if case.status in OPEN_STATUSES else "closed"

    def get_status_notes(self, case) -> str:
        label = str(CaseStatus(case.status).label)
        if self._full(case):
            return case.outcome or case.public_response or case.closing_reason or label
        return case.public_response or label

    def get_description(self, case) -> str | None:
        return case.description if self._full(case) else None

    def get_service_notice(self, case) -> str | None:
        return None

    def get_expected_datetime(self, case) -> str | None:
        if case.deadline is None or case.status not in OPEN_STATUSES:
            return None
        return serializers.DateTimeField().to_representation(case.deadline)

    def get_address(self, case) -> str:
        if self._full(case) and case.address:
            return f"{case.address}, {case.locality.name}"
        return case.locality.name

    def get_zipcode(self, case) -> str | None:
        return None

    def get_lat(self, case) -> float | None:
        return float(case.latitude) if self._full(case) and case.latitude is not None else None

    def get_long(self, case) -> float | None:
        return float(case.longitude) if self._full(case) and case.longitude is not None else None

    def get_media_url(self, case) -> str | None:
        return (case.media_url or None) if self._full(case) else None


class ServiceRequestCreatedSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    service_notice = serializers.CharField(allow_null=True)
    account_id = serializers.CharField(allow_null=True)


class TokenAnswerSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    token = serializers.CharField()


class JurisdictionSerializer(serializers.Serializer):
    jurisdiction_id = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ApiKeySerializer(JurisdictionSerializer):
    api_key = serializers.CharField(max_length=API_KEY_MAX_LENGTH, required=False, allow_blank=True,
                                    help_text="Optional on reads: with it, the requests its source filed in full.")


class ServiceRequestInputSerializer(serializers.Serializer):
    api_key = serializers.CharField(max_length=API_KEY_MAX_LENGTH)
    jurisdiction_id = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    service_code = serializers.CharField(max_length=32)
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None,
                                   min_value=Decimal(-90), max_value=Decimal(90), coerce_to_string=False)
    long = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True, default=None,
                                    min_value=Decimal(-180), max_value=Decimal(180), coerce_to_string=False)
    address_string = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    address_id = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    device_id = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    account_id = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=DESCRIPTION_MAX_CHARS, required=False, allow_blank=True, default="")
    media_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    media = serializers.FileField(required=False, help_text="A photo or document (multipart), kept as an attachment.")

    def to_internal_value(self, data):
        # Coordinates come rounded to what is stored (6 decimals, about 10 cm), never refused for their precision.
        if hasattr(data, "copy"):
            data = data.copy()
            for name in ("lat", "long"):
                value = data.get(name)
                if isinstance(value, str) and value.strip():
                    try:
                        data[name] = str(round(Decimal(value.strip()), 6))
                    except ArithmeticError:
                        pass  # the field's own message says it is not a number
        return super().to_internal_value(data)

    def validate(self, data):
        has_lat, has_long = data["lat"] is not None, data["long"] is not None
        if has_lat != has_long:
            raise serializers.ValidationError(_("lat và long phải gửi cùng nhau."))
        if not (data["address_string"] or data["address_id"] or has_lat):
            raise serializers.ValidationError(_("Cần một vị trí: lat và long, address_string hoặc address_id."))
        return data


class ServiceRequestQuerySerializer(ApiKeySerializer):
    service_request_id = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                               help_text="Comma separated; overrides every other filter.")
    service_code = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                         help_text="Comma separated.")
    start_date = serializers.DateTimeField(required=False, allow_null=True)
    end_date = serializers.DateTimeField(required=False, allow_null=True)
    status = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                   help_text="`open`, `closed` or both, comma separated.")

    def validate_status(self, value):
        wanted = comma_list(value)
        if unknown := [v for v in wanted if v not in STATUSES]:
            raise serializers.ValidationError(_("status chỉ nhận open, closed (không có “%(value)s”).")
                                              % {"value": unknown[0]})
        return wanted


def comma_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]
