"""Demo data for results: commune A's earlier wave of the clean-water survey (the same questionnaire as the
collecting plan in surveys/demo.py), closed, with answers drawn from a fixed seed that give the cleaning
checks something to find (a few copies, hurried answers, one choice down the whole matrix), open answers to
code, and strata to weight. results_demo_seed then cleans, codes, weights, analyses and publishes it to the
tier above (the province)."""

import copy
import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from .answers import answers_clean
from .models import AnswerChannel, AnswerFlag, BankQuestion, CodeTag, PublicationScope, SurveyAnswer, SurveyPlan
from .selectors_cleaning import suggested_tags
from .services import PlanInput, plan_approve, plan_close, plan_create, questionnaire_draft, questionnaire_freeze
from .services.bank import bank_question_add
from .services.cleaning import answer_review, answers_check
from .services.coding import answer_code_set, code_tag_create
from .services.questionnaires import questionnaire_update
from .services.results import results_approve, results_create, results_submit, weighting_run

WAVE_TOPIC = "Mức độ hài lòng của người dân về dịch vụ nước sạch, đợt 1 (dữ liệu mẫu)"
WAVE_ANSWERS = 240
WAVE_SEED = 20251115  # the same answers on every machine and every run
DUPLICATES = 3  # answers keyed twice (the copies come last)

LOCALITY_WEIGHTS = {"DM-ANBINH-T01": 60, "DM-ANBINH-T02": 40}
SEX_WEIGHTS = {"male": 46, "female": 54}
AGE_WEIGHTS = {"18-34": 28, "35-59": 47, "60_plus": 25}
# Thôn Đông, where the complaints came from, is less satisfied than Thôn Đoài.
SATISFACTION_WEIGHTS = {"DM-ANBINH-T01": {"1": 14, "2": 22, "3": 28, "4": 26, "5": 10},
                        "DM-ANBINH-T02": {"1": 5, "2": 10, "3": 30, "4": 38, "5": 17}}
# Open answers as residents write them: opinions about the service, never about a person.
SUGGESTIONS = [
    "Đề nghị thay đường ống cũ, nước hay bị đục và có cặn.",
    "Nước có mùi clo nặng vào buổi sáng.",
    "Mùa khô hay mất nước, mong có lịch cắt nước báo trước.",
    "Giá nước tăng mà chất lượng chưa tăng.",
    "Báo sự cố thì sửa chậm, phải gọi nhiều lần.",
    "Hóa đơn tiền nước khó hiểu, đề nghị ghi rõ từng khoản.",
    "Mong mở rộng đường ống về cuối thôn.",
    "Nước yếu vào giờ cao điểm, tầng hai không có nước.",
    "Cần kiểm tra chất lượng nước định kỳ và công khai kết quả.",
    "Nhân viên thu tiền nên hẹn giờ, người đi làm không ở nhà.",
    "Đề nghị giảm giá lắp đặt đồng hồ cho hộ nghèo.",
    "Nước đục sau mỗi lần sửa ống.",
]
# The codes a reviewer gives to the open question, with the keywords that suggest them.
CODE_TAGS = [
    ("chat_luong", "Chất lượng nước (đục, cặn, mùi)", ["đục", "cặn", "mùi", "chất lượng"]),
    ("mat_nuoc", "Mất nước, nước yếu", ["mất nước", "cắt nước", "nước yếu"]),
    ("gia_hoa_don", "Giá nước, hóa đơn, thu tiền", ["giá", "hóa đơn", "tiền"]),
    ("su_co", "Xử lý sự cố chậm", ["sự cố", "sửa"]),
    ("mo_rong", "Mở rộng, lắp đặt đường ống", ["mở rộng", "lắp đặt", "đường ống"]),
]


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def wave_answers_generate(*, count: int = WAVE_ANSWERS, seed: int = WAVE_SEED) -> list[tuple[dict, int]]:
    """(raw answers to surveys.demo.CONTENT, seconds taken) × count; the same for the same seed. The last
    DUPLICATES are copies of earlier answers; about 4 % were hurried; a few gave one choice to the whole matrix."""
    rng = random.Random(seed)
    made = []
    for _i in range(count - DUPLICATES):
        locality = _pick(rng, LOCALITY_WEIGHTS)
        raw = {"locality": locality, "sex": _pick(rng, SEX_WEIGHTS), "nhom_tuoi": _pick(rng, AGE_WEIGHTS),
               "dung_nuoc_may": "yes" if rng.random() < 0.85 else "no"}
        if raw["dung_nuoc_may"] == "yes":
            raw["hai_long"] = _pick(rng, SATISFACTION_WEIGHTS[locality])
            level = int(raw["hai_long"])
            if level <= 2:
                raw["van_de"] = sorted(rng.sample(["duc", "mui", "mat_nuoc", "gia"], rng.randint(1, 3)))
                if "mat_nuoc" in raw["van_de"]:
                    raw["so_ngay_mat_nuoc"] = str(rng.randint(1, 9))
            rows = ("khau_lap_dat", "khau_hoa_don", "khau_su_co")
            if rng.random() < 0.05:  # straight-lining: one choice down the whole matrix
                same = str(rng.randint(1, 5))
                raw.update({row: same for row in rows})
            else:
                raw.update({row: str(min(5, max(1, level + rng.choice((-2, -1, 0, 0, 1))))) for row in rows})
        if rng.random() < 0.35:
            raw["kien_nghi"] = rng.choice(SUGGESTIONS)
        hurried = rng.random() < 0.04
        seconds = rng.randint(25, 70) if hurried else int(rng.lognormvariate(5.6, 0.35))  # median ≈ 270 s
        made.append((raw, seconds))
    for index in rng.sample(range(len(made)), DUPLICATES):
        made.append((copy.deepcopy(made[index][0]), made[index][1]))
    return made


# --- seeding ---------------------------------------------------------------------------------------

# The questions the two waves share through the question bank, so that their results compare.
BANK = {"dung_nuoc_may": "nuoc-sach-dung-nuoc-may", "hai_long": "nuoc-sach-hai-long"}
# How the reviewer settles what the checks flagged, by kind: (decision, reason).
REVIEW = {
    "duplicate": ("exclude", "Phiếu nhập trùng: giữ phiếu nhập trước."),
    "speeder": ("exclude", "Trả lời quá nhanh so với thời gian đọc phiếu; không bảo đảm chất lượng."),
    "straight_lining": ("keep", "Ma trận chỉ ba dòng; người trả lời đánh giá nhất quán với câu hài lòng chung."),
    "incomplete": ("keep", "Các câu bỏ trống đều không bắt buộc."),
}


def with_bank(content: dict) -> dict:
    """The clean-water questionnaire with its shared questions naming their bank codes."""
    content = copy.deepcopy(content)
    for section in content["items"]:
        for item in section.get("items", [section]):
            if item["name"] in BANK:
                item["bank"] = BANK[item["name"]]
    return content


def wave_seed(*, users: dict, commune, hamlets: list, content: dict) -> dict:
    """The earlier wave, closed, with WAVE_ANSWERS answers; its shared questions put into the bank. Idempotent."""
    plan = SurveyPlan.objects.filter(unit=commune, topic=WAVE_TOPIC).first()
    if plan is not None:
        return {"plan": plan, "answers": 0}
    secretariat, leader = users["secretariat"], users["leader"]
    today = timezone.localdate()
    start, end = today - timedelta(days=330), today - timedelta(days=300)
    plan = plan_create(by=secretariat, data=PlanInput(
        unit=commune, topic=WAVE_TOPIC, purpose="Đợt 1: nắm dư luận về nước sạch trước khi thay đường ống thôn Đông.",
        period_start=start, period_end=end, method="face_to_face", target_size=240, localities=hamlets,
        strata_variables=["locality", "sex"],
        quotas=[{"stratum": {"locality": h.code, "sex": sex}, "target": 60} for h in hamlets for sex in ("male", "female")],
        margins=[{"variable": "sex", "category": "male", "population": 2455},
                 {"variable": "sex", "category": "female", "population": 2590},
                 {"variable": "locality", "category": "DM-ANBINH-T01", "population": 2690},
                 {"variable": "locality", "category": "DM-ANBINH-T02", "population": 2355}],
    ))
    plan_approve(plan=plan, by=leader)
    version = questionnaire_draft(plan=plan, by=secretariat, title="Phiếu hỏi ý kiến người dân về nước sạch (đợt 1)",
                                  content=content)
    for name, code in BANK.items():
        if not BankQuestion.objects.filter(code=code).exists():
            bank_question_add(version=version, question=name, code=code, topic="Nước sạch", by=secretariat)
    version = questionnaire_update(version=version, by=secretariat, content=with_bank(content))
    version = questionnaire_freeze(version=version, by=secretariat)
    plan_close(plan=plan, by=leader)
    SurveyPlan.objects.filter(pk=plan.pk).update(closed_at=timezone.make_aware(datetime.combine(end, time(17, 0))))
    rng = random.Random(WAVE_SEED + 1)
    rows = []
    for raw, seconds in wave_answers_generate():
        data = answers_clean(content=version.content, raw=raw)
        rows.append(SurveyAnswer(plan=plan, questionnaire=version, channel=AnswerChannel.INTERVIEW, data=data,
                                 stratum={v: data[v] for v in plan.strata_variables}, duration_seconds=seconds,
                                 received_on=start + timedelta(days=rng.randint(0, (end - start).days))))
    SurveyAnswer.objects.bulk_create(rows)
    plan.refresh_from_db()
    return {"plan": plan, "answers": len(rows)}


def wave_clean_and_code(*, plan, by) -> dict:
    """The checks run, every flagged answer settled by REVIEW (an exclusion wins over a keep), the open
    question's codes made and given where their keywords occur."""
    answers_check(plan=plan, by=by)
    kinds: dict[int, set] = {}
    for answer_id, kind in AnswerFlag.objects.filter(answer__plan=plan).values_list("answer_id", "kind"):
        kinds.setdefault(answer_id, set()).add(kind)
    answers = SurveyAnswer.objects.in_bulk(list(kinds))
    excluded = 0
    for answer_id, its_kinds in sorted(kinds.items()):
        exclusions = [REVIEW[k] for k in sorted(its_kinds) if REVIEW[k][0] == "exclude"]
        decision, reason = exclusions[0] if exclusions else REVIEW[sorted(its_kinds)[0]]
        answer_review(answer=answers[answer_id], by=by, decision=decision, reason=reason)
        excluded += decision == "exclude"
    tags = [code_tag_create(plan=plan, question="kien_nghi", by=by, name=name, label=label, keywords=keywords)
            for name, label, keywords in CODE_TAGS] if not CodeTag.objects.filter(plan=plan).exists() else []
    coded = 0
    for answer in SurveyAnswer.objects.filter(plan=plan, data__has_key="kien_nghi").order_by("pk"):
        found = suggested_tags(answer.data["kien_nghi"], tags)
        if found:
            answer_code_set(answer=answer, question="kien_nghi", tags=found, by=by)
            coded += 1
    return {"flagged": len(kinds), "excluded": excluded, "coded": coded}


RESULTS_TITLE = "Kết quả điều tra dư luận về dịch vụ nước sạch, đợt 1"
RESULTS_SUMMARY = (
    "Đa số người dân dùng nước máy; mức hài lòng ở thôn Đông thấp hơn thôn Đoài, chủ yếu vì nước đục, có cặn "
    "và hay mất nước vào mùa khô. Đề nghị đơn vị cấp nước thay đường ống cũ ở thôn Đông, báo trước lịch cắt "
    "nước và công khai kết quả kiểm tra chất lượng nước.")
RESULTS_TABLES = [
    {"kind": "frequency", "question": "dung_nuoc_may"},
    {"kind": "frequency", "question": "hai_long"},
    {"kind": "frequency", "question": "van_de"},
    {"kind": "frequency", "question": "kien_nghi__codes"},
    {"kind": "crosstab", "row": "locality", "column": "hai_long"},
    {"kind": "crosstab", "row": "sex", "column": "dung_nuoc_may"},
]


def wave_publish(*, plan, secretariat, leader):
    """Weighted, reported on and published to the tier above (the province) by the commune's leader."""
    weighting_run(plan=plan, by=secretariat)
    results = results_create(plan=plan, by=secretariat, title=RESULTS_TITLE, summary=RESULTS_SUMMARY,
                             table_specs=RESULTS_TABLES, scope=PublicationScope.PARENT)
    results_submit(results=results, by=secretariat)
    return results_approve(results=results, by=leader)
