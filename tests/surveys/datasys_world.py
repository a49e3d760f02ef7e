"""A closed survey of commune A with cleaned, corrected, coded and weighted answers, a consented follow-up contact,
and results reports written straight in the frozen `tables` format (surveys.models.SurveyResults), for the
exports, data system, bank and results API tests."""

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from cases.models import Role, Unit
from cases.services import unit_role_grant
from surveys.models import (
    AnswerCode,
    CleaningDecision,
    CodeTag,
    ResultsStatus,
    SurveyAnswer,
    SurveyResults,
    WeightingRun,
)
from surveys.services import answer_collect, answer_correct, plan_approve, plan_close, questionnaire_draft, questionnaire_freeze
from tests.api.conftest import person_token

from .conftest import CONTENT

CONTACT_NAME = "Hoàng Thị Liênhệ Độcnhất"
CONTACT_PHONE = "0987123456"

ANSWERS = [
    {"sex": "female", "tuoi": 34, "hai_long": "2", "van_de": ["duc", "mui"], "dg_tiep_nhan": "2", "dg_xu_ly": "3",
     "chi_phi": "120.5", "ngay": "2026-12-10", "mo_ta": "Nước có mùi clo vào buổi sáng"},
    {"sex": "male", "tuoi": 65, "hai_long": "4", "dg_tiep_nhan": "4", "dg_xu_ly": "4", "mo_ta": "Ổn định"},
    {"sex": "female", "tuoi": 40, "hai_long": "5", "dg_tiep_nhan": "5", "dg_xu_ly": "5"},
    {"sex": "male", "tuoi": 22, "hai_long": "1", "van_de": ["duc"], "dg_tiep_nhan": "1", "dg_xu_ly": "1"},
]


def api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {person_token(user)}", HTTP_ACCEPT_LANGUAGE="vi")


def province_leader(world):
    user = get_user_model().objects.create_user(username="leader_p", password="pw-for-tests-1")
    unit_role_grant(user=user, unit=Unit.objects.get(pk=world.province.pk), role=Role.LEADER)
    world.users["leader_p"] = user
    return user


def collected_plan(world, make_plan, **changes):
    """Commune A's plan (localities: its hamlet), four answers (the first with a consented contact), closed; the
    fourth excluded by cleaning, the third corrected (hài lòng 5 → 4), the first's open answer coded, weighted."""
    plan = plan_approve(plan=make_plan(localities=[world.hamlet_a], **changes), by=world.leader)
    questionnaire_freeze(version=questionnaire_draft(plan=plan, by=world.secretariat, content=CONTENT),
                         by=world.secretariat)
    contact = {"full_name": CONTACT_NAME, "phone": CONTACT_PHONE, "address": "Số 7 hẻm Độcnhất"}
    answers = [answer_collect(plan=plan, by=world.secretariat, raw=raw, contact=contact if i == 0 else None).answer
               for i, raw in enumerate(ANSWERS)]
    plan_close(plan=plan, by=world.secretariat)
    plan.refresh_from_db()
    answer_correct(answer=answers[2], by=world.secretariat, changes={"hai_long": "4"}, reason="Nhập nhầm khi nhập phiếu")
    CleaningDecision.objects.create(answer=answers[3], decision=CleaningDecision.Choice.EXCLUDE,
                                    reason="Trả lời quá nhanh", decided_by=world.secretariat)
    tag = CodeTag.objects.create(plan=plan, question="mo_ta", name="mui", label="Mùi nước", keywords=["mùi"])
    AnswerCode.objects.create(answer=answers[0], tag=tag, coded_by=world.secretariat)
    weights = {str(answers[0].pk): 1.5, str(answers[1].pk): 0.75, str(answers[2].pk): 1.25}
    WeightingRun.objects.create(plan=plan, margins=plan.margins(), weights=weights, converged=True, iterations=4,
                                max_gap=0.0001, design_effect=1.08, weight_min=0.75, weight_max=1.5,
                                created_by=world.secretariat)
    assert SurveyAnswer.objects.filter(plan=plan).count() == 4
    return plan


FREQUENCY = {"kind": "frequency", "question": "hai_long", "label": "Mức độ hài lòng với dịch vụ nước sạch",
             "bank": None, "weighted": True, "n": 57,
             "rows": [{"code": "4", "label": "Hài lòng", "n": 40, "pct": 71.25, "ci": [60.5, 80.0], "suppressed": False},
                      {"code": "5", "label": "Rất hài lòng", "n": 14, "pct": 23.75, "ci": [14.5, 33.0], "suppressed": False},
                      {"code": "1", "label": "Rất không hài lòng", "n": None, "pct": None, "ci": None,
                       "suppressed": True}]}
CROSSTAB = {"kind": "crosstab", "row": "hai_long", "column": "sex", "row_label": "Mức độ hài lòng",
            "column_label": "Giới tính", "row_categories": [{"code": "4", "label": "Hài lòng"},
                                                             {"code": "5", "label": "Rất hài lòng"}],
            "column_categories": [{"code": "male", "label": "Nam"}, {"code": "female", "label": "Nữ"}],
            "cells": [[{"n": 21, "pct": 36.75, "suppressed": False}, {"n": 19, "pct": 34.5, "suppressed": False}],
                      # A suppressed cell: nothing shown even if a number were left in it by mistake.
                      [{"n": 3, "pct": 66.6789, "suppressed": True}, {"n": None, "pct": None, "suppressed": True}]],
            "row_totals": [40, None], "column_totals": [24, 30], "n": 54,
            "rao_scott": {"f": 1.234, "df1": 1.0, "df2": 56.0, "p": 0.2712}}


def results_of(plan, world, *, scope="internal", published=True, title="Kết quả khảo sát nước sạch"):
    now = timezone.now()
    return SurveyResults.objects.create(
        plan=plan, title=title, summary="Đa số hài lòng.", table_specs=[], tables=[FREQUENCY, CROSSTAB], scope=scope,
        status=ResultsStatus.PUBLISHED if published else ResultsStatus.DRAFT, created_by=world.secretariat,
        published_by=world.leader if published else None, published_at=now if published else None)
