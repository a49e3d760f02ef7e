"""Demo data for surveys, on top of `seed_demo`: commune A's approved plan for a survey of clean water, with
a questionnaire (sections, Likert scale, matrix, skip conditions) frozen for collection (its online form is
open to invitation codes issued on the plan page), and the interviewer `dtv` assigned; and the province's closed
survey over both communes with 400 answers drawn from a fixed seed (closed_survey_seed). Idempotent: each plan
is found by its topic and unit."""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases.demo import COMMUNE_A, COMMUNE_B, PROVINCE
from cases.models import Unit

from .answers import answers_clean
from .demo_results import wave_clean_and_code, wave_publish, wave_seed, with_bank
from .models import AnswerChannel, SurveyAnswer, SurveyPlan
from .services import (
    PlanInput,
    assignment_add,
    collection_version,
    plan_approve,
    plan_close,
    plan_create,
    questionnaire_draft,
    questionnaire_freeze,
)

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
    """Create the demo plans once (commune A's earlier wave taken to published results, its collecting wave,
    the province's closed survey with its answers); returns what was created."""
    wave = _wave_seed()
    made = _collecting_seed()
    closed = closed_survey_seed()
    return {"plans": made["plans"] + closed["plans"] + (1 if wave["answers"] else 0),
            "answers": closed["answers"] + wave["answers"]}


def _wave_seed() -> dict:
    """Commune A's earlier wave of the clean-water survey (surveys/demo_results.py), cleaned and coded."""
    commune = Unit.objects.get(code=COMMUNE_A[0])
    users = get_user_model().objects.in_bulk(["secretariat", "leader"], field_name="username")
    hamlets = list(Unit.objects.filter(code__in=["DM-ANBINH-T01", "DM-ANBINH-T02"]).order_by("code"))
    wave = wave_seed(users=users, commune=commune, hamlets=hamlets, content=CONTENT)
    if wave["answers"]:
        wave_clean_and_code(plan=wave["plan"], by=users["secretariat"])
        wave_publish(plan=wave["plan"], secretariat=users["secretariat"], leader=users["leader"])
    return wave


def _collecting_seed() -> dict:
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
                                  content=with_bank(CONTENT))  # its shared questions compare with the earlier wave
    questionnaire_freeze(version=version, by=users["secretariat"])  # collecting: the online form is open
    if "dtv" in users:
        assignment_add(plan=plan, by=users["secretariat"], user=users["dtv"], locality=hamlets[0], target=100)
    return {"plans": 1}


# --- a closed survey with its answers ----------------------------------------------------------

CLOSED_TOPIC = "Đánh giá của người dân về giải quyết thủ tục hành chính ở xã, phường (dữ liệu mẫu)"
CLOSED_ANSWERS = 400
SEED = 20261128  # the answers are the same on every machine and every run
AGE_GROUPS = [("18-34", "18–34"), ("35-59", "35–59"), ("60_plus", "60 trở lên")]
PROBLEMS = [("cho_lau", "Phải chờ lâu"), ("nhieu_giay_to", "Nhiều giấy tờ"), ("thai_do", "Thái độ cán bộ chưa tốt"),
            ("di_lai", "Phải đi lại nhiều lần")]
CLOSED_CONTENT = {"form_id": "thu_tuc_hanh_chinh", "items": [
    {"type": "section", "name": "thong_tin", "label": "I. Thông tin người trả lời", "items": [
        {"type": "select_one", "name": "locality", "label": "Ông/bà sống ở xã, phường nào?", "required": True,
         "list_name": "locality", "choices": [{"name": COMMUNE_A[0], "label": "Xã An Bình"},
                                             {"name": COMMUNE_B[0], "label": "Phường Bình Minh"}]},
        {"type": "select_one", "name": "sex", "label": "Giới tính", "required": True, "list_name": "sex",
         "choices": [{"name": "male", "label": "Nam"}, {"name": "female", "label": "Nữ"}]},
        {"type": "select_one", "name": "age_group", "label": "Nhóm tuổi", "required": True, "list_name": "age_group",
         "choices": [{"name": name, "label": label} for name, label in AGE_GROUPS]},
    ]},
    {"type": "section", "name": "danh_gia", "label": "II. Đánh giá việc giải quyết thủ tục hành chính", "items": [
        {"type": "select_one", "name": "da_lam_thu_tuc", "required": True, "list_name": "co_khong",
         "label": "Trong 12 tháng qua ông/bà có làm thủ tục hành chính ở xã, phường không?",
         "choices": [{"name": "yes", "label": "Có"}, {"name": "no", "label": "Không"}]},
        {"type": "likert", "name": "hai_long", "label": "Ông/bà hài lòng thế nào với việc giải quyết thủ tục?",
         "required": True, "relevant": "${da_lam_thu_tuc} = 'yes'", "list_name": "muc_do", "choices": LEVELS},
        {"type": "select_multiple", "name": "van_de", "label": "Những điều ông/bà chưa hài lòng",
         "relevant": "${hai_long} <= 2", "list_name": "van_de",
         "choices": [{"name": name, "label": label} for name, label in PROBLEMS]},
    ]},
    {"type": "text", "name": "kien_nghi", "label": "Kiến nghị của ông/bà", "hint": "Không ghi họ tên."},
]}
# How often each category is drawn: the strata fill unevenly, so the quotas show real progress.
LOCALITY_WEIGHTS = {COMMUNE_A[0]: 55, COMMUNE_B[0]: 45}
SEX_WEIGHTS = {"male": 47, "female": 53}
AGE_WEIGHTS = {"18-34": 30, "35-59": 45, "60_plus": 25}
SATISFACTION_WEIGHTS = {"1": 8, "2": 14, "3": 27, "4": 35, "5": 16}
CHANNEL_WEIGHTS = {AnswerChannel.INTERVIEW: 60, AnswerChannel.ONLINE: 25, AnswerChannel.PAPER: 15}
LATE_ANSWERS = 6  # collected offline before the closing, received within the 7 days after it


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def closed_answers_generate(*, count: int = CLOSED_ANSWERS, seed: int = SEED) -> list[dict]:
    """`count` answers to CLOSED_CONTENT, as a respondent would give them; the same for the same seed."""
    rng = random.Random(seed)
    answers = []
    for _i in range(count):
        raw = {"locality": _pick(rng, LOCALITY_WEIGHTS), "sex": _pick(rng, SEX_WEIGHTS),
               "age_group": _pick(rng, AGE_WEIGHTS), "da_lam_thu_tuc": "yes" if rng.random() < 0.8 else "no"}
        if raw["da_lam_thu_tuc"] == "yes":
            raw["hai_long"] = _pick(rng, SATISFACTION_WEIGHTS)
            if int(raw["hai_long"]) <= 2:
                raw["van_de"] = sorted(rng.sample([name for name, _label in PROBLEMS], rng.randint(1, 3)))
        answers.append(raw)
    return answers


def closed_survey_seed() -> dict:
    """The province's survey over both communes, collection closed, with CLOSED_ANSWERS answers in bulk."""
    province = Unit.objects.get(code=PROVINCE[0])
    if SurveyPlan.objects.filter(unit=province, topic=CLOSED_TOPIC).exists():
        return {"plans": 0, "answers": 0}
    leader = get_user_model().objects.filter(username="leader_province").first()
    if leader is None:
        return {"plans": 0, "answers": 0}
    communes = list(Unit.objects.filter(code__in=[COMMUNE_A[0], COMMUNE_B[0]]).order_by("code"))
    today = timezone.localdate()
    start, end = today - timedelta(days=75), today - timedelta(days=15)
    quotas = [{"stratum": {"locality": commune.code, "sex": sex, "age_group": age}, "target": 35}
              for commune in communes for sex in ("male", "female") for age, _label in AGE_GROUPS]
    plan = plan_create(by=leader, data=PlanInput(
        unit=province, topic=CLOSED_TOPIC, purpose="Nắm dư luận về cải cách hành chính ở cơ sở; kiến nghị "
                                                   "khắc phục những khâu người dân chưa hài lòng.",
        period_start=start, period_end=end, method="mixed", target_size=420, localities=communes,
        strata_variables=["locality", "sex", "age_group"], quotas=quotas,
        margins=[{"variable": "locality", "category": COMMUNE_A[0], "population": 5095},
                 {"variable": "locality", "category": COMMUNE_B[0], "population": 8240},
                 {"variable": "sex", "category": "male", "population": 6530},
                 {"variable": "sex", "category": "female", "population": 6805},
                 {"variable": "age_group", "category": "18-34", "population": 4210},
                 {"variable": "age_group", "category": "35-59", "population": 5630},
                 {"variable": "age_group", "category": "60_plus", "population": 3495}],
        budget_lines=[{"item": "In 450 phiếu hỏi", "amount": 1_350_000},
                      {"item": "Bồi dưỡng điều tra viên hai xã, phường", "amount": 8_000_000}],
    ))
    plan_approve(plan=plan, by=leader)
    version = questionnaire_freeze(version=questionnaire_draft(
        plan=plan, by=leader, title="Phiếu hỏi về giải quyết thủ tục hành chính", content=CLOSED_CONTENT), by=leader)
    plan_close(plan=plan, by=leader)
    closed_at = timezone.make_aware(datetime.combine(end, time(17, 0)))
    SurveyPlan.objects.filter(pk=plan.pk).update(closed_at=closed_at)  # closed at the end of its period
    version = collection_version(plan)
    rng = random.Random(SEED + 1)
    days = (end - start).days
    rows = []
    for index, raw in enumerate(closed_answers_generate()):
        data = answers_clean(content=version.content, raw=raw)
        late = index < LATE_ANSWERS
        received = end + timedelta(days=rng.randint(1, 6)) if late else start + timedelta(days=rng.randint(0, days))
        rows.append(SurveyAnswer(
            plan=plan, questionnaire=version, channel=AnswerChannel.INTERVIEW if late else _pick(rng, CHANNEL_WEIGHTS),
            data=data, stratum={v: data[v] for v in plan.strata_variables}, received_on=received, late=late))
    SurveyAnswer.objects.bulk_create(rows, batch_size=500)
    return {"plans": 1, "answers": len(rows)}
