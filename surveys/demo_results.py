"""Demo data for results: commune A's earlier wave of the clean-water survey (the same questionnaire as the
collecting plan in surveys/demo.py), closed, with answers drawn from a fixed seed that give the cleaning
checks something to find (a few copies, hurried answers, one choice down the whole matrix), open answers to
code, and strata to weight. results_demo_seed then cleans, codes, weights, analyses and publishes it to the
tier above (the province)."""

import copy
import random

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
