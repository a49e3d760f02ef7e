"""A generic signed webhook for chat-app bots and portals: each message opens or follows a case.

The sender signs `<timestamp>.<raw body>` with the source's secret
(HMAC-SHA256) and sends `X-DLXH-Timestamp` and `X-DLXH-Signature:
sha256=<hex>`. A message is handled once per `message_id`, so the platform
may retry freely; a `thread_id` (the conversation) or a `case_code` makes a
message a follow-up of an existing case.
"""

import base64
import binascii
import hashlib
import hmac
import json
import time

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Priority
from cases.services import ReporterInput
from cases.validation import DESCRIPTION_MAX_CHARS, DESCRIPTION_TOO_LONG

from ..inbound import Inbound, InboundFile, inbound_message_handle
from ..models import ChannelSource
from ..selectors import channel_sources_active
from ..serializers import ErrorSerializer, ReporterInputSerializer, topic_field, unit_field

SIGNATURE_HEADER = "X-DLXH-Signature"
TIMESTAMP_HEADER = "X-DLXH-Timestamp"
MAX_CLOCK_SKEW_SECONDS = 300
MAX_ATTACHMENTS = 10


class BadSignature(APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "bad_signature"
    default_detail = _("Chữ ký của yêu cầu không hợp lệ hoặc đã quá hạn.")


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """What a sender puts in X-DLXH-Signature."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _check_signature(request, source: ChannelSource, body: bytes) -> None:
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    given = request.headers.get(SIGNATURE_HEADER, "")
    try:
        fresh = abs(time.time() - int(timestamp)) <= MAX_CLOCK_SKEW_SECONDS
    except ValueError:
        fresh = False
    # An old signed request replayed later is refused even though it verifies.
    if not source.secret or not fresh:
        raise BadSignature()
    expected = webhook_signature(secret=source.secret, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected, given):
        raise BadSignature()


class WebhookAttachmentSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    content_base64 = serializers.CharField()

    def validate_content_base64(self, value):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError(_("Nội dung tệp không phải base64 hợp lệ.")) from None


class WebhookMessageSerializer(serializers.Serializer):
    message_id = serializers.CharField(max_length=255, help_text=_("Mã tin nhắn của nền tảng; gửi lại cùng mã thì không tạo gì thêm."))
    thread_id = serializers.CharField(max_length=255, required=False, allow_blank=True, default="",
                                      help_text=_("Mã cuộc trò chuyện: các tin sau bổ sung vào cùng vụ việc."))
    case_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    text = serializers.CharField(max_length=DESCRIPTION_MAX_CHARS, error_messages={"max_length": DESCRIPTION_TOO_LONG})
    sender = ReporterInputSerializer(required=False, allow_null=True, default=None)
    topic = topic_field(required=False, allow_null=True, default=None)
    locality = unit_field(required=False, allow_null=True, default=None)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    attachments = WebhookAttachmentSerializer(many=True, required=False, default=list, max_length=MAX_ATTACHMENTS)


class WebhookResultSerializer(serializers.Serializer):
    case = serializers.CharField(help_text=_("Mã vụ việc để báo lại cho người dân."))
    status = serializers.CharField()
    action = serializers.ChoiceField(choices=["intake", "append"])
    duplicate = serializers.BooleanField()
    attachments_refused = serializers.ListField(child=serializers.CharField())


@extend_schema(
    tags=["channels"], auth=[], request=WebhookMessageSerializer,
    parameters=[
        OpenApiParameter(SIGNATURE_HEADER, location=OpenApiParameter.HEADER, required=True,
                         description="sha256=HMAC-SHA256(secret, timestamp + '.' + body), hex"),
        OpenApiParameter(TIMESTAMP_HEADER, location=OpenApiParameter.HEADER, required=True,
                         description=_("Giây Unix; lệch quá 5 phút thì bị từ chối.")),
    ],
    responses={
        201: OpenApiResponse(WebhookResultSerializer, description=_("Tin mới: đã tạo hoặc bổ sung vụ việc.")),
        200: OpenApiResponse(WebhookResultSerializer, description=_("Tin đã nhận trước đó.")),
        400: ErrorSerializer, 401: ErrorSerializer, 404: ErrorSerializer,
    },
    summary=_("Nhận một tin nhắn từ ứng dụng chat hoặc cổng thông tin"),
)
class WebhookMessageApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]  # the signature is the authentication
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    def post(self, request, source_code):
        source = channel_sources_active(kind=ChannelSource.Kind.WEBHOOK, code=source_code).first()
        if source is None:
            raise NotFound()
        body = request.body  # the exact bytes that were signed
        _check_signature(request, source, body)
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            raise ParseError() from None
        serializer = WebhookMessageSerializer(data=payload)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        sender = data["sender"] or {}
        handled = inbound_message_handle(source=source, message=Inbound(
            external_id=data["message_id"], thread_id=data["thread_id"], case_code=data["case_code"],
            subject=data["title"], text=data["text"],
            sender=ReporterInput(full_name=sender.get("name", ""), phone=sender.get("phone", ""),
                                 email=sender.get("email", ""), address=sender.get("address", "")),
            attachments=[InboundFile(name=a["name"], content=a["content_base64"]) for a in data["attachments"]],
            topic=data["topic"], locality=data["locality"], priority=data["priority"],
        ))
        result = {
            "case": handled.case.code, "status": handled.case.status, "action": handled.action,
            "duplicate": not handled.is_new, "attachments_refused": handled.skipped_attachments,
        }
        return Response(result, status=status.HTTP_201_CREATED if handled.is_new else status.HTTP_200_OK)
