"""The bell's JSON endpoints (the full notification screens come with the UI).

Thin: each reads through a selector or writes through a service.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import EmailMode
from .selectors import (
    notification_groups_for_user,
    notification_list_for_user,
    notification_unread_count,
    preference_get,
)
from .services import NotificationNotFound, notification_mark_all_read, notification_mark_read, preference_set


class NotificationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    case = serializers.CharField(source="params.code")
    subject = serializers.CharField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    read = serializers.SerializerMethodField()

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class UnreadCountOutput(serializers.Serializer):
    unread = serializers.IntegerField()


class NotificationListOutput(serializers.Serializer):
    unread = serializers.IntegerField()
    results = NotificationOutput(many=True)


class NotificationGroupOutput(serializers.Serializer):
    """Events of one kind at one unit on one local day, as the bell shows them."""

    kind = serializers.CharField()
    unit = serializers.CharField()
    day = serializers.DateField()
    count = serializers.IntegerField()
    unread = serializers.IntegerField()
    text = serializers.CharField()
    latest_at = serializers.DateTimeField()
    # The case, when the group is a single notification.
    case = serializers.SerializerMethodField()

    def get_case(self, group) -> str | None:
        return group.single.params.get("code") if group.single else None


class NotificationGroupListOutput(serializers.Serializer):
    unread = serializers.IntegerField()
    results = NotificationGroupOutput(many=True)


class MarkedOutput(serializers.Serializer):
    marked = serializers.IntegerField()


class PreferencePayload(serializers.Serializer):
    email_mode = serializers.ChoiceField(choices=EmailMode.choices)


class UnreadCountApi(APIView):
    @extend_schema(responses=UnreadCountOutput)
    def get(self, request):
        return Response(UnreadCountOutput({"unread": notification_unread_count(user=request.user)}).data)


class NotificationListApi(APIView):
    """The latest 50 notifications shown to the caller, newest first, and the unread count."""

    @extend_schema(responses=NotificationListOutput)
    def get(self, request):
        data = {
            "unread": notification_unread_count(user=request.user),
            "results": notification_list_for_user(user=request.user, limit=50),
        }
        return Response(NotificationListOutput(data).data)


class NotificationGroupListApi(APIView):
    """The caller's latest 50 groups of notifications (kind, unit, day), newest first, and the unread count."""

    @extend_schema(responses=NotificationGroupListOutput)
    def get(self, request):
        data = {
            "unread": notification_unread_count(user=request.user),
            "results": notification_groups_for_user(user=request.user, limit=50),
        }
        return Response(NotificationGroupListOutput(data).data)


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses=NotificationOutput)
    def post(self, request, notification_id: int):
        try:
            notification = notification_mark_read(user=request.user, notification_id=notification_id)
        except NotificationNotFound:
            raise NotFound(_("Không tìm thấy thông báo.")) from None
        return Response(NotificationOutput(notification).data)


class NotificationReadAllApi(APIView):
    @extend_schema(request=None, responses=MarkedOutput)
    def post(self, request):
        return Response(MarkedOutput({"marked": notification_mark_all_read(user=request.user)}).data)


class PreferenceApi(APIView):
    """Immediate email or one daily digest."""

    @extend_schema(responses=PreferencePayload)
    def get(self, request):
        return Response(PreferencePayload({"email_mode": preference_get(user=request.user)}).data)

    @extend_schema(request=PreferencePayload, responses=PreferencePayload)
    def put(self, request):
        payload = PreferencePayload(data=request.data)
        payload.is_valid(raise_exception=True)
        preference = preference_set(user=request.user, email_mode=payload.validated_data["email_mode"])
        return Response(PreferencePayload({"email_mode": preference.email_mode}).data)
