"""The bell's JSON endpoints (the full notification screens come with the UI).

Thin: each reads through a selector or writes through a service. They speak as the REST API does (api.views.ApiView:
JSON in and out, the same errors and throttling), and the schema lists every status each one answers.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api.serializers import error_responses
from api.views import ApiView

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
    # The case's code; null for a message not about a case (a request to collaborators).
    case = serializers.CharField(source="params.code", allow_null=True)
    # The page of this site it opens (the case's, or the message's own).
    link = serializers.CharField(source="opens")
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
    # The case, when the group is a single notification about a case.
    case = serializers.SerializerMethodField()
    # The page of this site it opens: a group of one its case or its message's page, a larger one their list.
    link = serializers.CharField(source="opens")

    def get_case(self, group) -> str | None:
        return group.single.params.get("code") if group.single else None


class NotificationGroupListOutput(serializers.Serializer):
    unread = serializers.IntegerField()
    results = NotificationGroupOutput(many=True)


class MarkedOutput(serializers.Serializer):
    marked = serializers.IntegerField()


class PreferencePayload(serializers.Serializer):
    email_mode = serializers.ChoiceField(choices=EmailMode.choices)



def _errors(*codes):
    return error_responses(*codes, e404=_("Không tìm thấy thông báo."))


class UnreadCountApi(ApiView):
    @extend_schema(responses={200: UnreadCountOutput, **_errors(401, 429)})
    def get(self, request):
        return Response(UnreadCountOutput({"unread": notification_unread_count(user=request.user)}).data)


class NotificationListApi(ApiView):
    """The latest 50 notifications shown to the caller, newest first, and the unread count."""

    @extend_schema(responses={200: NotificationListOutput, **_errors(401, 429)})
    def get(self, request):
        data = {
            "unread": notification_unread_count(user=request.user),
            "results": notification_list_for_user(user=request.user, limit=50),
        }
        return Response(NotificationListOutput(data).data)


class NotificationGroupListApi(ApiView):
    """The caller's latest 50 groups of notifications (kind, unit, day), newest first, and the unread count."""

    @extend_schema(responses={200: NotificationGroupListOutput, **_errors(401, 429)})
    def get(self, request):
        data = {
            "unread": notification_unread_count(user=request.user),
            "results": notification_groups_for_user(user=request.user, limit=50),
        }
        return Response(NotificationGroupListOutput(data).data)


class NotificationReadApi(ApiView):
    @extend_schema(request=None, responses={200: NotificationOutput, **_errors(401, 404, 429)})
    def post(self, request, notification_id: int):
        try:
            notification = notification_mark_read(user=request.user, notification_id=notification_id)
        except NotificationNotFound:
            raise NotFound(_("Không tìm thấy thông báo.")) from None
        return Response(NotificationOutput(notification).data)


class NotificationReadAllApi(ApiView):
    @extend_schema(request=None, responses={200: MarkedOutput, **_errors(401, 429)})
    def post(self, request):
        return Response(MarkedOutput({"marked": notification_mark_all_read(user=request.user)}).data)


class PreferenceApi(ApiView):
    """Immediate email or one daily digest."""

    @extend_schema(responses={200: PreferencePayload, **_errors(401, 429)})
    def get(self, request):
        return Response(PreferencePayload({"email_mode": preference_get(user=request.user)}).data)

    @extend_schema(request=PreferencePayload, responses={200: PreferencePayload, **_errors(400, 401, 429)})
    def put(self, request):
        payload = PreferencePayload(data=request.data)
        payload.is_valid(raise_exception=True)
        preference = preference_set(user=request.user, email_mode=payload.validated_data["email_mode"])
        return Response(PreferencePayload({"email_mode": preference.email_mode}).data)
