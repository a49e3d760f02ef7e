"""Input serializers check the shape of a request; output serializers say what a client sees.

Rules about content (a blank reason, an inactive topic, who may hand work to
whom) stay in cases.services, which answer with field errors of their own.
Reporter identity is never part of a case's output.
"""

import re
from datetime import UTC, datetime, timedelta

from django.contrib.auth import authenticate, get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

from cases.exceptions import CaseNotFound
from cases.lifecycle import transition_of
from cases.models import CaseKind, CaseStatus, Channel, Priority, Topic, Unit
from cases.selectors import case_get_for_user, reference_by_code
from security.two_factor import second_factor_refusal
from cases.validation import DESCRIPTION_MAX_CHARS, DESCRIPTION_TOO_LONG
from workflow.engine import case_directing_units

from .exceptions import ERROR_CODES
from .fields import NOT_EMPTY, YEAR_FROM_2000, TextField, WholeNumberField

EARLIEST_RECEIVED_AT = datetime(2000, 1, 1, tzinfo=UTC)
# An extension is a decision about weeks, not years; further out is a typing error.
LATEST_EXTENSION = timedelta(days=366)

# --- reference data by code ---------------------------------------------------


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 32, "pattern": NOT_EMPTY})
class CodeField(serializers.SlugRelatedField):
    """Reference data (unit, topic, channel) by its code (32 characters at most, as the models keep them)."""

    def to_internal_value(self, data):
        # Anything that cannot be a stored code is simply unknown (and NUL never reaches PostgreSQL).
        if not isinstance(data, str) or "\x00" in data or len(data) > 64:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data)[:64])
        return super().to_internal_value(data)


class CachedCodeField(CodeField):
    """A channel or topic by its code, from the process's copy of the table (`reference_by_code`): no query on
    every request. A code the copy does not know is looked up in the database as CodeField does."""

    def to_internal_value(self, data):
        if isinstance(data, str) and (row := reference_by_code(self.queryset.model, data)) is not None:
            return row
        return super().to_internal_value(data)


def _by_code(model, message, *, field_class=CodeField, **kwargs):
    return field_class(slug_field="code", queryset=model.objects.all(), error_messages={"does_not_exist": message},
                       **kwargs)


def topic_field(**kwargs):
    return _by_code(Topic, _("Không có lĩnh vực mã “{value}”."), field_class=CachedCodeField, **kwargs)


def unit_field(**kwargs):
    return _by_code(Unit, _("Không có đơn vị mã “{value}”."), **kwargs)


class CaseCodeField(TextField):
    """A case code, resolved among the cases the caller may see (others look missing)."""

    default_error_messages = {"not_found": _("Không tìm thấy vụ việc mã “{value}”.")}

    def run_validation(self, data=serializers.empty):
        code = super().run_validation(data)  # the string checks (NUL, blank) come first
        try:
            return case_get_for_user(user=self.context["request"].user, code=code)
        except CaseNotFound:
            self.fail("not_found", value=code)


class UsernameField(TextField):
    default_error_messages = {"not_found": _("Không có người dùng “{value}”.")}

    def run_validation(self, data=serializers.empty):
        username = super().run_validation(data)  # the string checks (NUL, blank) come first
        if username is None:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            self.fail("not_found", value=username)
        return user


# --- outputs ------------------------------------------------------------------


class CaseOutputSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="DL-YYYY-NNNNNN")
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    title = serializers.CharField()
    description = serializers.CharField()
    channel = serializers.CharField(source="channel.code")
    topic = serializers.CharField(source="topic.code")
    topic_name = serializers.CharField(source="topic.name")
    locality = serializers.CharField(source="locality.code")
    locality_name = serializers.CharField(source="locality.name")
    owner = serializers.CharField(source="owner.code", help_text=_("Đơn vị đang phải xử lý (mã)."))
    owner_name = serializers.CharField(source="owner.name")
    assignee = serializers.CharField(source="assignee.username", allow_null=True, default=None)
    priority = serializers.ChoiceField(choices=Priority.choices)
    kind = serializers.ChoiceField(choices=CaseKind.choices, help_text=_("Loại vụ việc."))
    received_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True, help_text=_("Hạn của bước hiện tại."))
    overdue = serializers.SerializerMethodField()
    escalation_level = serializers.IntegerField()
    report_count = serializers.IntegerField()
    external_ref = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True, coerce_to_string=False,
                                        help_text=_("Vĩ độ (WGS84), khi kênh cho biết."))
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True, coerce_to_string=False,
                                         help_text=_("Kinh độ (WGS84), khi kênh cho biết."))
    address = serializers.CharField(help_text=_("Địa chỉ người phản ánh ghi (rỗng khi không có)."))
    public_response = serializers.CharField()
    outcome = serializers.CharField()
    closing_reason = serializers.CharField()
    merged_into = serializers.CharField(source="merged_into.code", allow_null=True, default=None)
    transfer_agency = serializers.CharField(
        help_text=_("Cơ quan có thẩm quyền đã nhận đơn chuyển (rỗng khi chưa chuyển)."),
    )
    transfer_legal_basis = serializers.CharField(help_text=_("Căn cứ pháp lý của việc chuyển đơn."))
    reporter_notified_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Thời điểm đã báo cho người phản ánh về việc chuyển đơn."),
    )
    reporter_notified_how = serializers.CharField(help_text=_("Hình thức đã báo cho người phản ánh."))
    kept_closed_reason = serializers.CharField(
        help_text=_("Lý do giữ kết quả khi người phản ánh báo chưa khắc phục (hiện trên trang tra cứu)."),
    )
    instruction_pending = serializers.BooleanField(help_text=_("Có chỉ đạo của cấp trên đang chờ tiếp thu."))
    reopen_requested = serializers.BooleanField(
        help_text=_("Người phản ánh báo chưa khắc phục; đang chờ lãnh đạo quyết định."),
    )
    escalated_to = serializers.SerializerMethodField(
        help_text=_("Mã các đơn vị cấp trên được chuyển lên, đang chờ chỉ đạo xử lý."),
    )
    version = serializers.IntegerField(
        help_text=_("Gửi lại trong thao tác chuyển trạng thái để phát hiện thay đổi đồng thời (409).")
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, case) -> bool:
        return bool(case.is_open and case.deadline and case.deadline < timezone.now())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_escalated_to(self, case) -> list[str]:
        # A list view reads them for the whole page at once (api.selectors.case_escalated_to_codes).
        known = self.context.get("escalated_to")
        if known is not None:
            return known.get(case.pk, [])
        if not case.escalation_level:
            return []  # only an escalation opens a direction task
        return [unit.code for unit in case_directing_units(case)]


class CaseEventOutputSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    action = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    note = serializers.CharField()
    data = serializers.DictField()
    hash = serializers.CharField()
    prev_hash = serializers.CharField()

    def get_fields(self):
        # `from` is a Python keyword, so these three are declared here.
        fields = super().get_fields()
        fields["from"] = serializers.CharField(source="from_status")
        fields["to"] = serializers.CharField(source="to_status")
        fields["time"] = serializers.DateTimeField(source="created_at")
        return fields


class NoteInputSerializer(serializers.Serializer):
    # Blank is the service's to refuse, with the same message as on the case page (the schema says it all the same).
    text = TextField(allow_blank=True, not_blank=True, trim_whitespace=False,
                     max_length_by_service=DESCRIPTION_MAX_CHARS,
                     help_text=_("Nội dung ghi chú nội bộ: chỉ cán bộ xem được, không công khai."))


class TransitionOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()

    @classmethod
    def for_case(cls, case, names):
        return cls([{"name": name, "label": str(transition_of(case, name).label)} for name in names], many=True)


class TokenInputSerializer(serializers.Serializer):
    username = TextField()
    password = TextField(style={"input_type": "password"}, trim_whitespace=False)
    otp = TextField(
        required=False, allow_blank=True, max_length=12,
        help_text=_("Mã 6 chữ số của ứng dụng xác thực: bắt buộc với lãnh đạo, giám sát, kiểm tra, quản trị "
                    "khi hệ thống bật xác thực hai bước."),
    )

    def validate(self, data):
        # The password first: whether an account needs the second factor is told only to its owner.
        user = authenticate(request=self.context.get("request"), username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise serializers.ValidationError(_("Tên đăng nhập hoặc mật khẩu không đúng."), code="invalid")
        if refusal := second_factor_refusal(user, data.get("otp", "")):
            raise serializers.ValidationError({"otp": [refusal]})
        data["user"] = user
        return data


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(help_text=_("Hết hạn lúc này (mặc định 8 giờ sau khi cấp)."))


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=ERROR_CODES, help_text=_("Mã lỗi cố định, để máy đọc."))
    errors = serializers.DictField(required=False, help_text=_("Lỗi theo từng trường (chỉ với mã 400)."))


# What each error status means wherever the API answers it; an endpoint names its own 404 and 409.
ERROR_MEANINGS = {
    400: _("Dữ liệu không hợp lệ; `errors` nêu lỗi theo từng trường."),
    401: _("Chưa xác thực."),
    403: _("Vai trò của bạn không cho phép thao tác này."),
    404: _("Không tìm thấy, hoặc bạn không được xem."),
    422: _("Khóa Idempotency-Key đã được dùng cho một yêu cầu khác."),
    429: _("Gửi quá nhiều yêu cầu; thử lại sau."),
}


def error_responses(*codes, **meanings) -> dict:
    """The schema's error answers for `codes`; `meanings` as `e404=_("...")` say what a status means here."""
    described = {**ERROR_MEANINGS, **{int(key.removeprefix("e")): text for key, text in meanings.items()}}
    return {code: OpenApiResponse(ErrorSerializer, description=described[code]) for code in codes}


# --- list filters -------------------------------------------------------------


class CaseFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    owner = TextField(required=False, max_length=32, help_text=_("Mã đơn vị đang xử lý."))
    locality = TextField(required=False, max_length=32, help_text=_("Mã địa bàn, gồm cả cấp dưới."))
    topic = TextField(required=False, max_length=32, help_text=_("Mã lĩnh vực, gồm cả lĩnh vực con."))
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    channel = TextField(required=False, max_length=32)
    overdue = serializers.BooleanField(required=False, default=False)
    q = TextField(required=False, max_length=200, help_text=_("Tìm theo chữ, không phân biệt dấu."))
    received_after = serializers.DateTimeField(required=False)
    received_before = serializers.DateTimeField(required=False)


# --- intake -------------------------------------------------------------------


@extend_schema_field({"type": "string", "format": "date-time", "pattern": YEAR_FROM_2000})
class ReceivedAtField(serializers.DateTimeField):
    """A time written with a year from 2000, as the schema's pattern says: earlier ones are typing errors (and
    would print with local-mean-time offsets no client parses). The year as written, whatever its offset."""

    default_error_messages = {"too_early": _("Thời điểm tiếp nhận phải từ năm 2000 trở đi.")}

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if isinstance(value, str) and not re.match(YEAR_FROM_2000, value):
            self.fail("too_early")
        return parsed


class ReporterInputSerializer(serializers.Serializer):
    name = TextField(required=False, allow_blank=True, max_length=200)
    phone = TextField(required=False, allow_blank=True, max_length=30)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = TextField(required=False, allow_blank=True, max_length=500)


class CaseIntakeInputSerializer(serializers.Serializer):
    title = TextField(allow_blank=True, not_blank=True, max_length_by_service=300)  # the service says why
    description = TextField(required=False, allow_blank=True, default="", max_length=DESCRIPTION_MAX_CHARS,
                            error_messages={"max_length": DESCRIPTION_TOO_LONG})
    channel = _by_code(Channel, _("Không có kênh tiếp nhận mã “{value}”."), field_class=CachedCodeField)
    topic = topic_field()
    locality = unit_field(help_text=_("Mã đơn vị nơi phát sinh vụ việc."))
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    received_at = ReceivedAtField(required=False, allow_null=True, default=None)
    reporter = ReporterInputSerializer(required=False, allow_null=True, default=None,
                                       help_text=_("Bỏ trống khi phản ánh ẩn danh."))
    external_ref = TextField(required=False, allow_blank=True, max_length=100, default="")
    kind = serializers.ChoiceField(
        choices=CaseKind.choices, default=CaseKind.REFLECTION,
        error_messages={"invalid_choice": _("Không có loại vụ việc “{input}”.")},
        help_text=_("Khiếu nại, tố cáo được chuyển đến cơ quan có thẩm quyền; các loại khác xử lý tại đây."),
    )



# --- transitions --------------------------------------------------------------


class TransitionInputSerializer(serializers.Serializer):
    version = WholeNumberField(
        required=False, min_value=0,
        help_text=_("Phiên bản vụ việc mà bạn đã xem; khác với hiện tại thì trả về 409."),
    )


class VerifyInputSerializer(TransitionInputSerializer):
    topic = topic_field(required=False, help_text=_("Sửa lĩnh vực khi cần."))
    locality = unit_field(required=False, help_text=_("Sửa địa bàn khi cần."))
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    note = TextField(required=False, allow_blank=True, default="")


class RejectInputSerializer(TransitionInputSerializer):
    reason = TextField(allow_blank=True, not_blank=True)


class MergeInputSerializer(TransitionInputSerializer):
    into = CaseCodeField(help_text=_("Mã vụ việc được giữ lại."))
    note = TextField(required=False, allow_blank=True, default="")


class AssignInputSerializer(TransitionInputSerializer):
    unit = unit_field(help_text=_("Mã đơn vị xử lý."))
    assignee = UsernameField(required=False, allow_null=True, default=None)
    note = TextField(required=False, allow_blank=True, default="")


class ReassignInputSerializer(TransitionInputSerializer):
    unit = unit_field(help_text=_("Mã đơn vị xử lý mới."))
    assignee = UsernameField(required=False, allow_null=True, default=None)
    reason = TextField(allow_blank=True, not_blank=True)


class OrientInputSerializer(TransitionInputSerializer):
    response = TextField(allow_blank=True, not_blank=True,
                         help_text=_("Nội dung đã định hướng, trả lời: ở đâu, cho ai."))


class ResolveInputSerializer(TransitionInputSerializer):
    outcome = TextField(allow_blank=True, not_blank=True)


class ReopenInputSerializer(TransitionInputSerializer):
    reason = TextField(allow_blank=True, not_blank=True)


class KeepClosedInputSerializer(TransitionInputSerializer):
    reason = TextField(allow_blank=True, not_blank=True, help_text=_("Lý do giữ kết quả; hiện trên trang tra cứu."))


class TransferInputSerializer(TransitionInputSerializer):
    agency = TextField(allow_blank=True, not_blank=True, help_text=_("Cơ quan có thẩm quyền nhận đơn."))
    legal_basis = TextField(allow_blank=True, not_blank=True, help_text=_("Căn cứ pháp lý của việc chuyển đơn."))
    note = TextField(required=False, allow_blank=True, default="")


class ReporterNotifiedInputSerializer(TransitionInputSerializer):
    how = TextField(allow_blank=True, not_blank=True, help_text=_("Đã báo cho người phản ánh bằng cách nào."))
    notified_at = serializers.DateTimeField(required=False, allow_null=True, default=None,
                                            help_text=_("Thời điểm đã báo; mặc định là lúc này."))
    note = TextField(required=False, allow_blank=True, default="")


class PullUpInputSerializer(TransitionInputSerializer):
    reason = TextField(allow_blank=True, not_blank=True)


class InstructInputSerializer(TransitionInputSerializer):
    instruction = TextField(allow_blank=True, not_blank=True, help_text=_("Nội dung chỉ đạo đơn vị đang xử lý."))


class AcknowledgeInputSerializer(TransitionInputSerializer):
    note = TextField(required=False, allow_blank=True, default="")


class ExtendInputSerializer(TransitionInputSerializer):
    new_due = serializers.DateTimeField(help_text=_("Hạn mới của bước hiện tại."))
    decision_ref = TextField(allow_blank=True, not_blank=True, help_text=_("Số, ký hiệu văn bản quyết định gia hạn."))
    reason = TextField(allow_blank=True, not_blank=True)

    def validate_new_due(self, value):
        # Far-off times are typing errors (and would make the clock plan years of reminders).
        if value < EARLIEST_RECEIVED_AT or value > timezone.now() + LATEST_EXTENSION:
            raise serializers.ValidationError(_("Hạn mới phải trong vòng một năm tới."))
        return value
