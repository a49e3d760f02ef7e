"""Demo data for surveys, on top of `seed_demo`: commune A's approved plan for a survey of clean water, with
a questionnaire (sections, Likert scale, matrix, skip conditions) frozen for collection (its online form is
open to invitation codes issued on the plan page), and the interviewer `dtv` assigned. Idempotent: the plan is found by its topic and unit."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases.demo import COMMUNE_A
from cases.models import Unit

from .models import SurveyPlan
from .services import PlanInput, assignment_add, plan_approve, plan_create, questionnaire_draft, questionnaire_freeze

TOPIC = "Mức độ hài lòng của người dân về dịch vụ nước sạch (dữ liệu mẫu)"
LEVELS = [{"name": str(n), "label": label} for n, label in enumerate(
    ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"], start=1)]
CONTENT = {"form_id": "nuoc_sach_2026", "items": [
    {"type": "section", "name": "thong_tin", "label": "I. Thông tin người trả lời", "items": [
        {"type": "select_one", "name": "locality", "label": "Ông/bà sống ở thôn nào?", "required": True,
         "list_name": "locality", "choices": [{"name": "DM-ANBINH-T01", "label": "Thôn Đông"},
                                             {"name": "DM-ANBINH-T02", "label": "Thôn Đoài"}]},
        {"type": "select_one", "name": "sex", "label": "Giới tính", "required": True, "list_name": "sex",
         "choices": [{"name": "male", "label": "Nam"}, {"name": "female", "label": "Nữ"}]},
        {"type": "select_one", "name": "nhom_tuoi", "label": "Nhóm tuổi", "required": True, "list_name": "nhom_tuoi",
         "choices": [{"name": "18-34", "label": "18–34"}, {"name": "35-59", "label": "35–59"},
                     {"name": "60_plus", "label": "60 trở lên"}]},
    ]},
    {"type": "section", "name": "danh_gia", "label": "II. Đánh giá dịch vụ nước sạch", "items": [
        {"type": "select_one", "name": "dung_nuoc_may", "label": "Gia đình ông/bà có dùng nước máy không?",
         "required": True, "list_name": "co_khong",
         "choices": [{"name": "yes", "label": "Có"}, {"name": "no", "label": "Không"}]},
        {"type": "likert", "name": "hai_long", "label": "Ông/bà hài lòng thế nào với chất lượng nước máy?",
         "required": True, "relevant": "${dung_nuoc_may} = 'yes'", "list_name": "muc_do", "choices": LEVELS},
        {"type": "select_multiple", "name": "van_de", "label": "Những vấn đề ông/bà gặp phải",
         "relevant": "${hai_long} <= 2", "list_name": "van_de",
         "choices": [{"name": "duc", "label": "Nước đục, có cặn"}, {"name": "mui", "label": "Có mùi"},
                     {"name": "mat_nuoc", "label": "Hay mất nước"}, {"name": "gia", "label": "Giá cao"}]},
        {"type": "matrix", "name": "cac_khau", "label": "Đánh giá từng khâu của đơn vị cấp nước",
         "relevant": "${dung_nuoc_may} = 'yes'", "list_name": "muc_do", "choices": LEVELS,
         "rows": [{"name": "khau_lap_dat", "label": "Lắp đặt đồng hồ"}, {"name": "khau_hoa_don", "label": "Hóa đơn, thu tiền"},
                  {"name": "khau_su_co", "label": "Xử lý sự cố"}]},
        {"type": "integer", "name": "so_ngay_mat_nuoc", "label": "Tháng qua gia đình bị mất nước mấy ngày?",
         "relevant": "selected(${van_de}, 'mat_nuoc')"},
    ]},
    {"type": "text", "name": "kien_nghi", "label": "Kiến nghị của ông/bà với chính quyền", "hint": "Không ghi họ tên."},
    {"type": "note", "name": "cam_on", "label": "Xin cảm ơn ông/bà đã tham gia trả lời."},
]}


@transaction.atomic
def surveys_demo_seed() -> dict:
    """Create the demo plan once; returns what was created."""
    commune = Unit.objects.get(code=COMMUNE_A[0])
    if SurveyPlan.objects.filter(unit=commune, topic=TOPIC).exists():
        return {"plans": 0}
    users = get_user_model().objects.in_bulk(["secretariat", "leader", "dtv"], field_name="username")
    today = timezone.localdate()
    hamlets = list(Unit.objects.filter(code__in=["DM-ANBINH-T01", "DM-ANBINH-T02"]).order_by("code"))
    quotas = [{"stratum": {"locality": hamlet.code, "sex": sex}, "target": 50} for hamlet in hamlets
              for sex in ("male", "female")]
    plan = plan_create(by=users["secretariat"], data=PlanInput(
        unit=commune, topic=TOPIC, purpose="Nắm tình hình dư luận về chất lượng nước sạch sau các phản ánh "
                                            "ở thôn Đông; kiến nghị đơn vị cấp nước khắc phục.",
        period_start=today - timedelta(days=7), period_end=today + timedelta(days=60), method="mixed",
        target_size=200, localities=hamlets, strata_variables=["locality", "sex"], quotas=quotas,
        margins=[{"variable": "sex", "category": "male", "population": 2480},
                 {"variable": "sex", "category": "female", "population": 2615},
                 {"variable": "locality", "category": "DM-ANBINH-T01", "population": 2710},
                 {"variable": "locality", "category": "DM-ANBINH-T02", "population": 2385}],
        budget_lines=[{"item": "In 250 phiếu hỏi", "amount": 750_000},
                      {"item": "Bồi dưỡng điều tra viên", "amount": 4_000_000},
                      {"item": "Tổng hợp, viết báo cáo", "amount": 2_000_000}],
    ))
    plan_approve(plan=plan, by=users["leader"])
    version = questionnaire_draft(plan=plan, by=users["secretariat"], title="Phiếu hỏi ý kiến người dân về nước sạch",
                                  content=CONTENT)
    questionnaire_freeze(version=version, by=users["secretariat"])  # collecting: the online form is open
    if "dtv" in users:
        assignment_add(plan=plan, by=users["secretariat"], user=users["dtv"], locality=hamlets[0], target=100)
    return {"plans": 1}
