"""Input fields that take what the OpenAPI schema says they take, and a schema that says what they refuse.

DRF's CharField reads `0` or `true` as the text "0" or "True" and refuses a NUL character (PostgreSQL cannot
store one); its IntegerField reads the string "5" as 5. An API whose schema says `string` or `integer` refuses
the other types instead, and its schema names every text rule the server applies: no NUL anywhere, and for text a
service refuses blank (cases.validation.required_text strips it first), at least one character that is not a
space. The rules are patterns, so a client library checks them before it sends.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

# What str.strip() takes off (str.isspace), spelled out: JSON Schema's `\s` is ECMAScript's, a different set.
_SPACES = "".join(f"\\u{ord(c):04x}" for c in map(chr, range(0x3001)) if c.isspace())
YEAR_FROM_2000 = "^[2-9][0-9]{3}-"  # a date or a date-time written with a year from 2000
NOT_EMPTY = "^[^\\u0000]+$"  # drf-spectacular adds "or empty" (maxLength 0) for text that may be blank
NOT_BLANK = f"^[^\\u0000]*[^\\u0000{_SPACES}][^\\u0000]*$"


class TextField(serializers.CharField):
    """A JSON string and nothing else.

    `not_blank=True` documents text that a service refuses when blank (it says why, in its own words, so the
    field itself still lets blank text through); `max_length_by_service` and `pattern_by_service` a limit or a
    form that a service or a `validate_…` method enforces the same way.
    A field that refuses blank text itself (allow_blank=False, the default) is documented as not blank as well.
    """

    default_error_messages = {"not_a_string": _("Giá trị phải là một chuỗi văn bản.")}

    def __init__(self, *, allow_blank: bool = False, not_blank: bool = False,
                 max_length_by_service: int | None = None, pattern_by_service: str | None = None, **kwargs):
        super().__init__(allow_blank=allow_blank, **kwargs)
        self.blank_ok = allow_blank  # what run_validation lets through
        self.not_blank = not_blank or (not allow_blank and self.trim_whitespace)  # "  " is blank once trimmed
        self.allow_blank = allow_blank and not self.not_blank  # what drf-spectacular documents
        self.max_length_by_service = max_length_by_service
        self.pattern_by_service = pattern_by_service

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str) and (data == "" or (self.trim_whitespace and data.strip() == "")):
            if not self.blank_ok:
                self.fail("blank")
            return ""
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class WholeNumberField(serializers.IntegerField):
    """A JSON number without a fraction; DRF's IntegerField would also take the strings "5" and "5.0"."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextFieldSchema(OpenApiSerializerFieldExtension):
    target_class = TextField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction != "request" or schema.get("type") != "string":
            return schema
        field = self.target
        if field.max_length_by_service is not None:
            schema["maxLength"] = field.max_length_by_service
        if field.pattern_by_service is not None:
            schema["pattern"] = field.pattern_by_service
        elif "pattern" not in schema and "enum" not in schema and "format" not in schema:
            schema["pattern"] = NOT_BLANK if field.not_blank else NOT_EMPTY
        if field.not_blank:
            schema["minLength"] = max(schema.get("minLength", 0), 1)
        return schema


def empty_query_values_allowed(result, generator, request, public):
    """drf-spectacular postprocessing hook: an optional query parameter sent empty (`?topic=`) is read as not
    sent (DRF's rule for form-like input), so the schema says `allowEmptyValue` for each."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
