"""One respondent's answers checked against the questionnaire, by the rules the form runs.

A question is asked when its condition (and its section's) holds for the answers so far
(surveys.relevant, the same rules as the form's JavaScript); an answer to a question not asked is dropped;
a required question that is asked must be answered; each answer must have its question's type.
"""

import math
import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from collaborators.pii import pii_found, pii_message

from .questionnaire import SECTION
from .relevant import evaluate

MAX_TEXT = 5000
_INTEGER = re.compile(r"-?\d{1,12}\Z", re.ASCII)
_DECIMAL = re.compile(r"-?\d{1,12}(\.\d{1,6})?\Z", re.ASCII)


def _one(raw):
    if isinstance(raw, list):
        return raw[0] if len(raw) == 1 else None if not raw else raw
    return raw


def _value(question: dict, raw, errors: dict, name: str):
    """The answer in its stored form, None when empty; a wrong answer is noted in `errors`."""
    kind = question["type"]
    if kind == "select_multiple":
        values = raw if isinstance(raw, list) else ([] if raw in (None, "") else str(raw).split())
        values = [str(v) for v in values if str(v)]
        allowed = [c["name"] for c in question["choices"]]
        if any(v not in allowed for v in values):
            errors[name] = _("Lựa chọn không có trong câu hỏi.")
            return None
        return [v for v in allowed if v in values] or None
    raw = _one(raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = str(raw).strip()
    if kind in ("select_one", "likert", "matrix"):
        if text not in [c["name"] for c in question["choices"]]:
            errors[name] = _("Lựa chọn không có trong câu hỏi.")
            return None
        return text
    if kind == "integer":
        if not _INTEGER.match(text):
            errors[name] = _("Cần một số nguyên.")
            return None
        return int(text)
    if kind == "decimal":
        if not _DECIMAL.match(text):
            errors[name] = _("Cần một số.")
            return None
        number = float(text)
        return number if math.isfinite(number) else None
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            errors[name] = _("Cần một ngày (năm-tháng-ngày).")
            return None
    return text[:MAX_TEXT]


def _questions(content: dict):
    """(question, its section or None), in order."""
    for item in content.get("items", []):
        if item["type"] == SECTION:
            for question in item["items"]:
                yield question, item
        else:
            yield item, None


def asked_questions(content: dict, kept: dict):
    """(question, its answer names) for each question the form asks, in order: each condition (and its
    section's) is read on `kept`, the answers so far, which the caller fills as it goes."""
    for question, section in _questions(content):
        if question["type"] == "note":
            continue
        if section and not evaluate(section["relevant"], kept):
            continue
        if not evaluate(question["relevant"], kept):
            continue
        yield question, ([row["name"] for row in question["rows"]] if question["type"] == "matrix"
                         else [question["name"]])


def answers_clean(*, content: dict, raw: dict) -> dict:
    """The answers to keep, or ValidationError naming each question wrongly answered or left out."""
    errors: dict[str, str] = {}
    kept: dict = {}
    for question, names in asked_questions(content, kept):
        for name in names:
            value = _value(question, raw.get(name), errors, name)
            if value is not None:
                kept[name] = value
            elif question["required"] and name not in errors:
                errors[name] = _("Câu này cần trả lời.")
        if question["type"] == "text" and name not in errors and (found := pii_found(kept.get(name, ""))):
            errors[name] = pii_message(found)  # answers carry no phone, e-mail or identity number
    if errors:
        raise ValidationError(errors)
    return kept
