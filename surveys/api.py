"""Surveys over the REST API: plans (list, draft, read, edit, approve) and their questionnaire versions
(list, draft, read, edit, freeze). Thin classes over surveys.services and surveys.selectors; errors come out
as JSON through api.exceptions (a plan out of reach is a 404, a frozen version a 409)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from api.fields import TextField, WholeNumberField
from api.idempotency import idempotent
from api.serializers import error_responses, unit_field
from api.views import IDEMPOTENCY_PARAMETER, ApiView
from cases.exceptions import PermissionDenied

from .models import STEP_ORDER, PlanStatus, SurveyMethod
from .questionnaire import question_count
from .exceptions import SurveyNotFound
from .permissions import may_collect
from .selectors import (
    answers_for_user,
    plan_get_for_user,
    plan_list_for_user,
    plan_parts,
    questionnaire_get,
    units_planning_for,
)
from .services import (
    PlanInput,
    answer_collect,
    answer_correct,
    answer_corrected,
    plan_close,
    plan_approve,
    plan_check_writer,
    plan_create,
    plan_update,
    questionnaire_draft,
    questionnaire_freeze,
    questionnaire_update,
)
from .services.plans import KNOWN_VARIABLES, MAX_AMOUNT, MAX_LINES, MAX_POPULATION, MAX_TARGET

MAX_LISTED = 200


def _errors(*codes):
    return error_responses(
        *codes, e404=_("Không tìm thấy cuộc điều tra, hoặc bạn không được xem."),
        e409=_("Kế hoạch đã phê duyệt, phiếu hỏi đã khóa, hoặc đã có một phiên bản đang soạn."),
    )


class QuotaSerializer(serializers.Serializer):
    stratum = serializers.DictField(child=TextField(max_length=64), help_text=_(
        "Một nhóm cho mỗi biến phân tầng, ví dụ {\"sex\": \"female\", \"age_group\": \"18-29\"}; "
        "với địa bàn là mã đơn vị."))
    target = WholeNumberField(min_value=0, max_value=MAX_TARGET)


class MarginSerializer(serializers.Serializer):
    variable = serializers.ChoiceField(choices=KNOWN_VARIABLES)
    category = TextField(max_length=64)
    population = WholeNumberField(min_value=0, max_value=MAX_POPULATION)


class BudgetLineSerializer(serializers.Serializer):
    item = TextField(max_length=300)
    amount = WholeNumberField(min_value=0, max_value=MAX_AMOUNT, help_text=_("Số tiền, đồng."))
    note = TextField(max_length=300, required=False, allow_blank=True, default="")


class StepDeadlinesSerializer(serializers.Serializer):
    """A date per step; a step left out gets a default spread over the period."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in STEP_ORDER:
            self.fields[kind] = serializers.DateField(required=False)


class PlanUpdateInputSerializer(serializers.Serializer):
    """A plan's content; its unit stays the one it was drafted for."""

    topic = TextField(max_length=300)
    purpose = TextField(max_length=5000, required=False, allow_blank=True, default="")
    localities = serializers.ListField(child=unit_field(), required=False, default=list, max_length=MAX_LINES,
                                       help_text=_("Mã các đơn vị là địa bàn điều tra, thuộc đơn vị chủ trì."))
    period_start = serializers.DateField(help_text=_("Năm 2000–2099."))
    period_end = serializers.DateField(help_text=_("Năm 2000–2099, không trước ngày bắt đầu."))
    method = serializers.ChoiceField(choices=SurveyMethod.choices)
    target_size = WholeNumberField(min_value=1, max_value=MAX_TARGET)
    strata_variables = serializers.ListField(child=serializers.ChoiceField(choices=KNOWN_VARIABLES), required=False,
                                             default=list, max_length=len(KNOWN_VARIABLES))
    quotas = QuotaSerializer(many=True, required=False, default=list, max_length=MAX_LINES)
    margins = MarginSerializer(many=True, required=False, default=list, max_length=MAX_LINES)
    budget_lines = BudgetLineSerializer(many=True, required=False, default=list, max_length=MAX_LINES)
    step_deadlines = StepDeadlinesSerializer(required=False, default=dict)


class PlanInputSerializer(PlanUpdateInputSerializer):
    unit = unit_field(required=False, help_text=_(
        "Mã đơn vị chủ trì (bạn là văn phòng tổng hợp hoặc lãnh đạo của đơn vị); mặc định đơn vị của bạn."))


def _plan_input(data: dict, unit) -> PlanInput:
    data = dict(data)
    data.pop("unit", None)
    return PlanInput(unit=unit, **data)


class QuotaOutputSerializer(serializers.Serializer):
    stratum = serializers.DictField(child=serializers.CharField())
    target = serializers.IntegerField()


class MarginOutputSerializer(serializers.Serializer):
    variable = serializers.CharField()
    category = serializers.CharField()
    population = serializers.IntegerField()


class StepOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    deadline = serializers.DateTimeField()
    done_at = serializers.DateTimeField(allow_null=True)


class QuestionnaireOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    frozen_at = serializers.DateTimeField(allow_null=True)
    questions = serializers.SerializerMethodField()

    def get_questions(self, version) -> int:
        return question_count(version.content)


class QuestionnaireDetailOutputSerializer(QuestionnaireOutputSerializer):
    content = serializers.JSONField(help_text=_("Nội dung phiếu: xem docs/surveys.md."))


class PlanOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.CharField(source="unit.code")
    topic = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    method = serializers.CharField()
    target_size = serializers.IntegerField()
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    approved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True, help_text=_("Lúc kết thúc thu thập; trống khi chưa kết thúc."))


class PlanDetailOutputSerializer(PlanOutputSerializer):
    purpose = serializers.CharField()
    strata_variables = serializers.ListField(child=serializers.CharField())
    localities = serializers.SerializerMethodField()
    quotas = serializers.SerializerMethodField()
    margins = serializers.SerializerMethodField()
    budget_lines = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    questionnaires = serializers.SerializerMethodField()

    def _parts(self, plan):
        if not hasattr(plan, "_parts"):
            plan._parts = plan_parts(plan=plan)
        return plan._parts

    def get_localities(self, plan) -> list[str]:
        return [unit.code for unit in self._parts(plan)["localities"]]

    @extend_schema_field(QuotaOutputSerializer(many=True))
    def get_quotas(self, plan):
        return QuotaOutputSerializer(self._parts(plan)["quotas"], many=True).data

    @extend_schema_field(MarginOutputSerializer(many=True))
    def get_margins(self, plan):
        return MarginOutputSerializer(self._parts(plan)["margins"], many=True).data

    @extend_schema_field(BudgetLineSerializer(many=True))
    def get_budget_lines(self, plan):
        return BudgetLineSerializer(self._parts(plan)["budget_lines"], many=True).data

    @extend_schema_field(StepOutputSerializer(many=True))
    def get_steps(self, plan):
        return StepOutputSerializer(self._parts(plan)["steps"], many=True).data

    @extend_schema_field(QuestionnaireOutputSerializer(many=True))
    def get_questionnaires(self, plan):
        return QuestionnaireOutputSerializer(self._parts(plan)["questionnaires"], many=True).data


class PlanFilterSerializer(serializers.Serializer):
    unit = TextField(required=False, max_length=64, help_text=_("Mã đơn vị chủ trì."))
    status = serializers.ChoiceField(choices=PlanStatus.choices, required=False)


class PlanListCreateApi(ApiView):
    @extend_schema(tags=["surveys"], parameters=[PlanFilterSerializer],
                   responses={200: PlanOutputSerializer(many=True), **_errors(400, 401, 429)},
                   summary=_("Các kế hoạch điều tra bạn được xem"))
    def get(self, request):
        filters = PlanFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        plans = plan_list_for_user(user=request.user, filters=filters.validated_data)[:MAX_LISTED]
        return Response(PlanOutputSerializer(plans, many=True).data)

    @extend_schema(tags=["surveys"], request=PlanInputSerializer,
                   responses={201: PlanDetailOutputSerializer, **_errors(400, 401, 403, 429)},
                   summary=_("Lập dự thảo kế hoạch điều tra"))
    def post(self, request):
        units = list(units_planning_for(user=request.user))
        if not units:  # refused before the body is read (403 before 400)
            raise PermissionDenied(_("Chỉ văn phòng tổng hợp hoặc lãnh đạo của đơn vị mới lập kế hoạch điều tra."))
        serializer = PlanInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit = serializer.validated_data.get("unit")
        if unit is None:
            if len(units) > 1:
                raise ValidationError({"unit": _("Bạn lập kế hoạch cho nhiều đơn vị; hãy chọn một.")})
            unit = units[0]
        plan = plan_create(by=request.user, data=_plan_input(serializer.validated_data, unit))
        return Response(PlanDetailOutputSerializer(plan).data, status=status.HTTP_201_CREATED)


class PlanDetailApi(ApiView):
    @extend_schema(tags=["surveys"], responses={200: PlanDetailOutputSerializer, **_errors(401, 404, 429)},
                   summary=_("Một kế hoạch điều tra với mẫu, kinh phí, các bước và phiếu hỏi"))
    def get(self, request, pk):
        return Response(PlanDetailOutputSerializer(plan_get_for_user(user=request.user, pk=pk)).data)

    @extend_schema(tags=["surveys"], request=PlanUpdateInputSerializer,
                   responses={200: PlanDetailOutputSerializer, **_errors(400, 401, 403, 404, 409, 429)},
                   summary=_("Sửa dự thảo kế hoạch (thay toàn bộ nội dung; đơn vị giữ nguyên)"))
    def put(self, request, pk):
        plan = plan_get_for_user(user=request.user, pk=pk)
        plan_check_writer(request.user, plan.unit)  # 403 before 400
        serializer = PlanUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = plan_update(plan=plan, by=request.user, data=_plan_input(serializer.validated_data, plan.unit))
        return Response(PlanDetailOutputSerializer(plan).data)


class PlanApproveApi(ApiView):
    @extend_schema(tags=["surveys"], request=None,
                   responses={200: PlanDetailOutputSerializer, **_errors(401, 403, 404, 409, 429)},
                   summary=_("Lãnh đạo đơn vị phê duyệt kế hoạch điều tra"))
    def post(self, request, pk):
        plan = plan_approve(plan=plan_get_for_user(user=request.user, pk=pk), by=request.user)
        return Response(PlanDetailOutputSerializer(plan).data)


@extend_schema_field({"type": "object", "additionalProperties": True})
class ObjectField(serializers.JSONField):
    """A JSON object (the questionnaire's content); its rules are the service's (surveys.questionnaire)."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Nội dung phiếu phải là một đối tượng JSON."))
        return super().to_internal_value(data)


class QuestionnaireInputSerializer(serializers.Serializer):
    title = TextField(max_length=300, required=False)
    content = ObjectField(required=False, help_text=_(
        "Nội dung phiếu: form_id và items (các câu hỏi, phần); xem docs/surveys.md."))


class QuestionnaireListCreateApi(ApiView):
    @extend_schema(tags=["surveys"], responses={200: QuestionnaireOutputSerializer(many=True), **_errors(401, 404, 429)},
                   summary=_("Các phiên bản phiếu hỏi của một kế hoạch, mới nhất trước"))
    def get(self, request, pk):
        plan = plan_get_for_user(user=request.user, pk=pk)
        return Response(QuestionnaireOutputSerializer(plan_parts(plan=plan)["questionnaires"], many=True).data)

    @extend_schema(tags=["surveys"], request=QuestionnaireInputSerializer,
                   responses={201: QuestionnaireDetailOutputSerializer, **_errors(400, 401, 403, 404, 409, 429)},
                   summary=_("Lập phiên bản phiếu hỏi mới (mặc định chép từ phiên bản mới nhất)"))
    def post(self, request, pk):
        plan = plan_get_for_user(user=request.user, pk=pk)
        plan_check_writer(request.user, plan.unit)
        serializer = QuestionnaireInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = questionnaire_draft(plan=plan, by=request.user, **serializer.validated_data)
        return Response(QuestionnaireDetailOutputSerializer(version).data, status=status.HTTP_201_CREATED)


class QuestionnaireDetailApi(ApiView):
    @extend_schema(tags=["surveys"], responses={200: QuestionnaireDetailOutputSerializer, **_errors(401, 404, 429)},
                   summary=_("Một phiên bản phiếu hỏi với nội dung"))
    def get(self, request, pk, number):
        plan = plan_get_for_user(user=request.user, pk=pk)
        return Response(QuestionnaireDetailOutputSerializer(questionnaire_get(plan=plan, number=number)).data)

    @extend_schema(tags=["surveys"], request=QuestionnaireInputSerializer,
                   responses={200: QuestionnaireDetailOutputSerializer, **_errors(400, 401, 403, 404, 409, 429)},
                   summary=_("Sửa một phiên bản đang soạn; phiên bản đã khóa thì từ chối (409)"))
    def put(self, request, pk, number):
        plan = plan_get_for_user(user=request.user, pk=pk)
        version = questionnaire_get(plan=plan, number=number)
        plan_check_writer(request.user, plan.unit)
        serializer = QuestionnaireInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = questionnaire_update(version=version, by=request.user, **serializer.validated_data)
        return Response(QuestionnaireDetailOutputSerializer(version).data)


class QuestionnaireFreezeApi(ApiView):
    @extend_schema(tags=["surveys"], request=None,
                   responses={200: QuestionnaireDetailOutputSerializer, **_errors(401, 403, 404, 409, 429)},
                   summary=_("Bắt đầu thu thập trên phiên bản này: khóa phiếu hỏi"))
    def post(self, request, pk, number):
        plan = plan_get_for_user(user=request.user, pk=pk)
        version = questionnaire_freeze(version=questionnaire_get(plan=plan, number=number), by=request.user)
        return Response(QuestionnaireDetailOutputSerializer(version).data)


# --- answers -------------------------------------------------------------------------------------

MAX_ANSWERS_LISTED = 1000


class AnswerInputSerializer(serializers.Serializer):
    answers = ObjectField(help_text=_(
        "Các câu trả lời theo tên câu hỏi: chữ, số, ngày năm-tháng-ngày, một lựa chọn hoặc danh sách lựa chọn. "
        "Kiểm tra theo đúng quy tắc của phiếu trực tuyến."))
    collected_at = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text=_(
        "Lúc thu thập trên thiết bị (ngoại tuyến). Sau khi kết thúc thu thập, phiếu thu thập trước thời điểm đó "
        "còn được nhận trong 7 ngày và đánh dấu nhận muộn."))


class CorrectionOutputSerializer(serializers.Serializer):
    changes = serializers.JSONField()
    reason = serializers.CharField()
    by = serializers.CharField(source="by.username")
    at = serializers.DateTimeField()


class AnswerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    questionnaire = serializers.IntegerField(source="questionnaire.number")
    channel = serializers.CharField()
    data = serializers.JSONField(help_text=_("Các câu trả lời như khi nhận, không bao giờ sửa."))
    corrected = serializers.SerializerMethodField()
    stratum = serializers.DictField(child=serializers.CharField())
    received_on = serializers.DateField()
    late = serializers.BooleanField()
    corrections = CorrectionOutputSerializer(many=True)

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_corrected(self, answer):
        return answer_corrected(answer)


class AnswerListCreateApi(ApiView):
    @extend_schema(tags=["surveys"], responses={200: AnswerOutputSerializer(many=True), **_errors(401, 403, 404, 429)},
                   summary=_("Các phiếu trả lời của một cuộc điều tra (không có thông tin liên hệ)"))
    def get(self, request, pk):
        plan = plan_get_for_user(user=request.user, pk=pk)
        answers = answers_for_user(user=request.user, plan=plan)[:MAX_ANSWERS_LISTED]
        return Response(AnswerOutputSerializer(answers, many=True).data)

    @extend_schema(tags=["surveys"], request=AnswerInputSerializer, parameters=[IDEMPOTENCY_PARAMETER],
                   responses={201: AnswerOutputSerializer, **_errors(400, 401, 403, 404, 409, 422, 429)},
                   summary=_("Gửi một phiếu trả lời (điều tra viên được phân công; gửi lại cùng khóa không lưu hai lần)"))
    def post(self, request, pk):
        plan = plan_get_for_user(user=request.user, pk=pk)
        if not may_collect(request.user, plan):  # 403 before 400
            raise PermissionDenied(_("Chỉ điều tra viên được phân công hoặc văn phòng tổng hợp, lãnh đạo của đơn vị "
                                     "mới gửi phiếu trả lời."))
        return idempotent(request, lambda: self._collect(request, plan))

    def _collect(self, request, plan):
        serializer = AnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            collected = answer_collect(plan=plan, by=request.user, raw=serializer.validated_data["answers"],
                                       collected_at=serializer.validated_data["collected_at"])
        except ValidationError as error:
            if hasattr(error, "error_dict") and set(error.message_dict) == {"collected_at"}:
                raise
            # Each question's problem, under `answers` (its name first).
            messages = ([f"{name}: {text}" for name, texts in error.message_dict.items() for text in texts]
                        if hasattr(error, "error_dict") else error.messages)
            raise ValidationError({"answers": messages}) from None
        return Response(AnswerOutputSerializer(collected.answer).data, status=status.HTTP_201_CREATED)


class PlanCloseApi(ApiView):
    @extend_schema(tags=["surveys"], request=None,
                   responses={200: PlanDetailOutputSerializer, **_errors(401, 403, 404, 409, 429)},
                   summary=_("Kết thúc thu thập: không nhận phiếu mới; phiếu thu thập trước đó nhận thêm 7 ngày"))
    def post(self, request, pk):
        plan = plan_close(plan=plan_get_for_user(user=request.user, pk=pk), by=request.user)
        return Response(PlanDetailOutputSerializer(plan).data)


class CorrectionInputSerializer(serializers.Serializer):
    changes = ObjectField(help_text=_("Câu hỏi và câu trả lời mới; null để bỏ câu trả lời."))
    reason = TextField(max_length=500)


class AnswerCorrectionApi(ApiView):
    @extend_schema(tags=["surveys"], request=CorrectionInputSerializer,
                   responses={201: AnswerOutputSerializer, **_errors(400, 401, 403, 404, 409, 429)},
                   summary=_("Hiệu chỉnh một phiếu trả lời sau khi kết thúc thu thập (ghi lại ai, vì sao)"))
    def post(self, request, pk, answer_id):
        plan = plan_get_for_user(user=request.user, pk=pk)
        answer = answers_for_user(user=request.user, plan=plan).filter(pk=answer_id).first()
        if answer is None:
            raise SurveyNotFound()
        plan_check_writer(request.user, plan.unit)  # 403 before 400
        serializer = CorrectionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer_correct(answer=answer, by=request.user, **serializer.validated_data)
        answer = answers_for_user(user=request.user, plan=plan).get(pk=answer.pk)
        return Response(AnswerOutputSerializer(answer).data, status=status.HTTP_201_CREATED)
