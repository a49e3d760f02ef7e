"""A plan factory and an interviewer on top of the shared world (tests/conftest.py)."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from cases.models import Role, Unit
from cases.services import unit_role_grant
from surveys.services import PlanInput, plan_create

CONTENT = {"form_id": "phieu_thu", "items": [
    {"type": "section", "name": "chung", "label": "Thông tin chung", "relevant": "", "items": [
        {"type": "select_one", "name": "sex", "label": "Giới tính", "required": True,
         "list_name": "gt", "choices": [{"name": "male", "label": "Nam"}, {"name": "female", "label": "Nữ"}]},
        {"type": "integer", "name": "tuoi", "label": "Tuổi", "required": True},
    ]},
    {"type": "likert", "name": "hai_long", "label": "Mức độ hài lòng với dịch vụ nước sạch", "list_name": "muc_do",
     "choices": [{"name": "1", "label": "Rất không hài lòng"}, {"name": "2", "label": "Không hài lòng"},
                 {"name": "3", "label": "Bình thường"}, {"name": "4", "label": "Hài lòng"},
                 {"name": "5", "label": "Rất hài lòng"}]},
    {"type": "select_multiple", "name": "van_de", "label": "Vấn đề gặp phải", "list_name": "vd",
     "relevant": "${hai_long} <= 2",
     "choices": [{"name": "duc", "label": "Nước đục"}, {"name": "mui", "label": "Có mùi"}]},
    {"type": "matrix", "name": "danh_gia", "label": "Đánh giá các khâu", "list_name": "muc_do", "required": True,
     "choices": [{"name": "1", "label": "Rất không hài lòng"}, {"name": "2", "label": "Không hài lòng"},
                 {"name": "3", "label": "Bình thường"}, {"name": "4", "label": "Hài lòng"},
                 {"name": "5", "label": "Rất hài lòng"}],
     "rows": [{"name": "dg_tiep_nhan", "label": "Tiếp nhận"}, {"name": "dg_xu_ly", "label": "Xử lý"}]},
    {"type": "decimal", "name": "chi_phi", "label": "Chi phí nước mỗi tháng (nghìn đồng)"},
    {"type": "date", "name": "ngay", "label": "Ngày phỏng vấn"},
    {"type": "text", "name": "mo_ta", "label": "Mô tả thêm", "hint": "Không ghi họ tên.",
     "relevant": "selected(${van_de}, 'mui') or not(${tuoi} < 60)"},
    {"type": "note", "name": "cam_on", "label": "Cảm ơn ông/bà."},
]}


@pytest.fixture(autouse=True)
def _in_vietnamese():
    """The services' messages in the product's default language, whatever an earlier test left active."""
    with translation.override("vi"):
        yield


@pytest.fixture
def interviewer(world):
    user = get_user_model().objects.create_user(username="dtv", password="pw-for-tests-1")
    unit_role_grant(user=user, unit=Unit.objects.get(pk=world.commune_a.pk), role=Role.INTERVIEWER)
    world.users["dtv"] = user
    return user


def plan_input(unit, **changes) -> PlanInput:
    values = dict(unit=unit, topic="Mức độ hài lòng của người dân về nước sạch", purpose="Nắm tình hình dư luận.",
                  period_start=date(2026, 12, 1), period_end=date(2027, 1, 29), method="mixed", target_size=400,
                  strata_variables=["sex"], quotas=[{"stratum": {"sex": "male"}, "target": 200},
                                                    {"stratum": {"sex": "female"}, "target": 200}],
                  margins=[{"variable": "sex", "category": "male", "population": 5100},
                           {"variable": "sex", "category": "female", "population": 5300}],
                  budget_lines=[{"item": "In phiếu", "amount": 2_000_000, "note": ""}])
    values.update(changes)
    return PlanInput(**values)


@pytest.fixture
def make_plan(world):
    def make(by=None, unit=None, **changes):
        return plan_create(by=by or world.secretariat, data=plan_input(unit or world.commune_a, **changes))

    return make
