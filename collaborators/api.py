"""The collaborators over the REST API: /api/v1/collaborators/, /api/v1/subjects/, /api/v1/opinion-notes/.

Thin classes over collaborators.services (writes) and collaborators.selectors (reads); errors come out as JSON
through api.exceptions (a note out of reach is a 404). Filing a note is idempotent twice over: the
`Idempotency-Key` header replays the first response (api.idempotency), and the note's own key (the body's
`idempotency_key`, or the header when it is a UUID) files it once even across the web form and the API.
"""

import uuid

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.fields import TextField
from api.idempotency import HEADER, idempotent
from api.serializers import error_responses, topic_field, unit_field
from api.views import IDEMPOTENCY_PARAMETER, ApiView
from cases.exceptions import PermissionDenied

from .models import Attitude, CollaboratorStatus, HeardChannel, Intensity, SocialGroup, Spread, SubjectKind, SubjectStatus
from .permissions import managed_units
from .selectors.network import collaborator_list_for_user
from .selectors.notes import note_get_for_user, note_list_for_user, subject_get_for_user, subject_list_for_user
from .services.notes import collaborator_of, note_file
from .services.subjects import subject_open

MAX_LISTED = 200



def _errors(*codes):
    return error_responses(*codes)


class CollaboratorOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    unit = serializers.CharField(source="unit.code")
    localities = serializers.SerializerMethodField()
    social_group = serializers.CharField()
    organisation = serializers.CharField()
    term_start = serializers.DateField()
    term_end = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=CollaboratorStatus.choices)

    def get_localities(self, collaborator) -> list[str]:
        return [unit.code for unit in collaborator.localities.all()]


class CollaboratorListApi(ApiView):
    @extend_schema(tags=["collaborators"], responses={200: CollaboratorOutputSerializer(many=True),
                                                      **_errors(401, 429)},
                   summary=_("Cộng tác viên của các đơn vị bạn quản lý, giám sát"))
    def get(self, request):
        rows = collaborator_list_for_user(user=request.user)[:MAX_LISTED]
        return Response(CollaboratorOutputSerializer(rows, many=True).data)


class SubjectOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=SubjectKind.choices)
    status = serializers.ChoiceField(choices=SubjectStatus.choices)
    unit = serializers.CharField(source="unit.code")
    topic = serializers.CharField(source="topic.code", allow_null=True, default=None)
    description = serializers.CharField()
    opened_at = serializers.DateTimeField()


class SubjectInputSerializer(serializers.Serializer):
    unit = unit_field(required=False, help_text=_("Mã đơn vị (bạn là lãnh đạo hoặc văn phòng tổng hợp); mặc định "
                                                  "đơn vị của bạn."))
    title = TextField(max_length=300)
    kind = serializers.ChoiceField(choices=SubjectKind.choices, default=SubjectKind.POLICY)
    topic = topic_field(required=False, allow_null=True, default=None)
    description = TextField(required=False, allow_blank=True, default="", max_length=4000)


class SubjectListCreateApi(ApiView):
    @extend_schema(tags=["collaborators"], responses={200: SubjectOutputSerializer(many=True), **_errors(401, 429)},
                   summary=_("Chủ đề dư luận bạn được xem"))
    def get(self, request):
        return Response(SubjectOutputSerializer(subject_list_for_user(user=request.user)[:MAX_LISTED], many=True).data)

    @extend_schema(tags=["collaborators"], request=SubjectInputSerializer,
                   responses={201: SubjectOutputSerializer, **_errors(400, 401, 403, 429)},
                   summary=_("Mở một chủ đề theo dõi"))
    def post(self, request):
        units = managed_units(request.user)
        if not units:
            raise PermissionDenied(_("Chỉ lãnh đạo hoặc văn phòng tổng hợp của đơn vị mới mở chủ đề."))
        serializer = SubjectInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        unit = data.pop("unit", None)
        if unit is None:
            if len(units) > 1:
                raise serializers.ValidationError({"unit": [_("Bạn quản lý nhiều đơn vị; hãy chọn một.")]})
            from cases.models import Unit

            unit = Unit.objects.get(pk=units[0])
        subject = subject_open(by=request.user, unit=unit, **data)
        return Response(SubjectOutputSerializer(subject).data, status=status.HTTP_201_CREATED)


class OpinionNoteOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    subject = serializers.IntegerField(source="subject_id")
    subject_title = serializers.CharField(source="subject.title")
    unit = serializers.CharField(source="unit.code")
    locality = serializers.CharField(source="locality.code")
    groups = serializers.ListField(child=serializers.ChoiceField(choices=SocialGroup.choices))
    attitude = serializers.ChoiceField(choices=Attitude.choices)
    spread = serializers.CharField()
    intensity = serializers.CharField()
    summary = serializers.CharField()
    recommendation = serializers.CharField()
    channel = serializers.CharField()
    observed_on = serializers.DateField()
    filed_at = serializers.DateTimeField()
    case = serializers.CharField(source="case.code", allow_null=True, default=None)


class OpinionNoteInputSerializer(serializers.Serializer):
    subject = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                       max_value=2**31 - 1, help_text=_("Số của chủ đề đang theo dõi."))
    new_subject = TextField(required=False, allow_blank=True, default="", max_length=300,
                            help_text=_("Hoặc tên một chủ đề mới đề xuất."))
    locality = unit_field()
    attitude = serializers.ChoiceField(choices=Attitude.choices)
    summary = TextField(max_length=4000, help_text=_("Không ghi họ tên, điện thoại, thư điện tử, số CMND/CCCD."))
    groups = serializers.ListField(child=serializers.ChoiceField(choices=SocialGroup.choices), required=False,
                                   default=list, max_length=len(SocialGroup.values))
    spread = serializers.ChoiceField(choices=Spread.choices, required=False, default="")
    intensity = serializers.ChoiceField(choices=Intensity.choices, required=False, default="")
    recommendation = TextField(required=False, allow_blank=True, default="", max_length=4000)
    channel = serializers.ChoiceField(choices=HeardChannel.choices, required=False, default="")
    observed_on = serializers.DateField(required=False, allow_null=True, default=None)
    idempotency_key = serializers.UUIDField(required=False, allow_null=True, default=None, help_text=_(
        "Khóa thiết bị chọn khi viết phiếu; gửi lại cùng khóa thì nhận lại đúng phiếu đã gửi."))


class NoteFilterSerializer(serializers.Serializer):
    subject = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    locality = TextField(required=False, max_length=64, help_text=_("Mã địa bàn."))
    attitude = serializers.ChoiceField(choices=Attitude.choices, required=False)


class NoteListCreateApi(ApiView):
    @extend_schema(tags=["collaborators"], parameters=[NoteFilterSerializer],
                   responses={200: OpinionNoteOutputSerializer(many=True), **_errors(400, 401, 429)},
                   summary=_("Phiếu thông tin dư luận bạn được xem, mới nhất trước"))
    def get(self, request):
        filters = NoteFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = dict(filters.validated_data)
        notes = note_list_for_user(user=request.user, filters={
            "subject": data.get("subject"), "attitude": data.get("attitude")})
        if data.get("locality"):
            notes = notes.filter(locality__code=data["locality"])
        notes = notes.select_related("case")[:MAX_LISTED]
        return Response(OpinionNoteOutputSerializer(notes, many=True).data)

    @extend_schema(tags=["collaborators"], request=OpinionNoteInputSerializer, parameters=[IDEMPOTENCY_PARAMETER],
                   responses={201: OpinionNoteOutputSerializer, 200: OpinionNoteOutputSerializer,
                              **_errors(400, 401, 403, 422, 429)},
                   summary=_("Gửi một phiếu thông tin dư luận (cộng tác viên)"))
    def post(self, request):
        collaborator_of(request.user)  # who may file before what was sent (403 before 400)
        return idempotent(request, lambda: self._file(request))

    def _file(self, request):
        serializer = OpinionNoteInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        subject_id = data.pop("subject")
        subject = subject_get_for_user(user=request.user, pk=subject_id) if subject_id else None
        if data["idempotency_key"] is None:
            data["idempotency_key"] = _uuid_or_none(request.headers.get(HEADER))
        filed = note_file(by=request.user, subject=subject, **data)
        return Response(OpinionNoteOutputSerializer(filed.note).data,
                        status=status.HTTP_201_CREATED if filed.created else status.HTTP_200_OK)


def _uuid_or_none(value):
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


class NoteDetailApi(ApiView):
    @extend_schema(tags=["collaborators"], responses={200: OpinionNoteOutputSerializer, **_errors(401, 404, 429)},
                   summary=_("Một phiếu thông tin dư luận"))
    def get(self, request, code):
        return Response(OpinionNoteOutputSerializer(note_get_for_user(user=request.user, code=code)).data)
