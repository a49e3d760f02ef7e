"""A questionnaire's content: its shape, its checks, and the questions a respondent sees.

`content` of a QuestionnaireVersion is {"form_id": str, "items": [item, ...]}; an item is a question or a
section (phần), and a section holds questions (sections do not nest):

    question: {"type", "name", "label", "hint", "required", "relevant"}
              + "list_name", "choices": [{"name", "label"}]  for select_one, select_multiple, likert, matrix
              + "rows": [{"name", "label"}]                  for matrix (each row is answered on the scale)
              + "bank": code                                 when it is a question of the question bank
                                                             (surveys.models.BankQuestion), of the same type
    section:  {"type": "section", "name", "label", "relevant", "items": [question, ...]}

Types: select_one (một lựa chọn), select_multiple (nhiều lựa chọn), likert (thang Likert), matrix (ma
trận), integer, decimal, date, text, note (a text shown, not asked). `relevant` is a condition of the
subset in surveys/relevant.py. XLSForm in and out: surveys/xlsform.py.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .relevant import RelevantError, parse, references

QUESTION_TYPES = ("select_one", "select_multiple", "likert", "matrix", "integer", "decimal", "date", "text", "note")
CHOICE_TYPES = frozenset({"select_one", "select_multiple", "likert", "matrix"})
SECTION = "section"
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}\Z", re.ASCII)
CHOICE_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}\Z", re.ASCII)
MAX_ITEMS = 500
MAX_CHOICES = 200
MAX_LABEL = 1000


def type_labels() -> dict[str, str]:
    return {
        "select_one": _("Một lựa chọn"), "select_multiple": _("Nhiều lựa chọn"), "likert": _("Thang Likert"),
        "matrix": _("Ma trận"), "integer": _("Số nguyên"), "decimal": _("Số thập phân"), "date": _("Ngày"),
        "text": _("Câu trả lời mở"), "note": _("Ghi chú"), SECTION: _("Phần"),
    }


def _text(value, limit=MAX_LABEL) -> str:
    return str(value if value is not None else "").strip()[:limit]


def _pairs(raw, where: str, errors: list, kind: str) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        errors.append(_("%(where)s: cần ít nhất một %(kind)s.") % {"where": where, "kind": kind})
        return []
    pairs, seen = [], set()
    for entry in raw[:MAX_CHOICES]:
        entry = entry if isinstance(entry, dict) else {}
        name, label = _text(entry.get("name"), 64), _text(entry.get("label"))
        if not CHOICE_NAME.match(name):
            errors.append(_("%(where)s: mã “%(name)s” không hợp lệ (chữ không dấu, số, _ . -).")
                          % {"where": where, "name": name})
        elif name in seen:
            errors.append(_("%(where)s: mã “%(name)s” bị trùng.") % {"where": where, "name": name})
        if not label:
            errors.append(_("%(where)s: “%(name)s” cần nhãn.") % {"where": where, "name": name})
        seen.add(name)
        pairs.append({"name": name, "label": label})
    return pairs


def _question(raw: dict, errors: list) -> dict:
    kind = raw.get("type")
    name = _text(raw.get("name"), 64)
    where = _("Câu “%(name)s”") % {"name": name or "?"}
    item = {"type": kind, "name": name, "label": _text(raw.get("label")), "hint": _text(raw.get("hint")),
            "required": bool(raw.get("required")) and kind != "note", "relevant": _text(raw.get("relevant"))}
    if kind not in QUESTION_TYPES:
        errors.append(_("%(where)s: loại câu hỏi “%(type)s” chưa được hỗ trợ.") % {"where": where, "type": kind})
    if not item["label"]:
        errors.append(_("%(where)s: cần nội dung câu hỏi.") % {"where": where})
    if kind in CHOICE_TYPES:
        item["list_name"] = _text(raw.get("list_name"), 64) or name
        if not NAME.match(item["list_name"]):
            errors.append(_("%(where)s: tên danh sách lựa chọn không hợp lệ.") % {"where": where})
        item["choices"] = _pairs(raw.get("choices"), where, errors, _("lựa chọn"))
    if kind == "matrix":
        item["rows"] = _pairs(raw.get("rows"), where, errors, _("dòng"))
    if bank := _text(raw.get("bank"), 64):
        item["bank"] = bank
    return item


def clean_content(raw) -> dict:
    """The content in its one normal form, or ValidationError listing every problem in Vietnamese."""
    errors: list[str] = []
    raw = raw if isinstance(raw, dict) else {}
    form_id = _text(raw.get("form_id"), 64) or "phieu_hoi"
    if not NAME.match(form_id):
        errors.append(_("Mã phiếu (form_id) không hợp lệ: chữ không dấu, số và _."))
    items = []
    raw_items = raw.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ValidationError({"content": [_("Phiếu hỏi cần ít nhất một câu hỏi.")]})
    for entry in raw_items[:MAX_ITEMS]:
        entry = entry if isinstance(entry, dict) else {}
        if entry.get("type") == SECTION:
            section = {"type": SECTION, "name": _text(entry.get("name"), 64), "label": _text(entry.get("label")),
                       "relevant": _text(entry.get("relevant")), "items": []}
            inner = entry.get("items") if isinstance(entry.get("items"), list) else []
            for child in inner[:MAX_ITEMS]:
                child = child if isinstance(child, dict) else {}
                if child.get("type") == SECTION:
                    errors.append(_("Phần “%(name)s”: phần lồng trong phần chưa được hỗ trợ.") % {"name": section["name"]})
                    continue
                section["items"].append(_question(child, errors))
            if not section["items"]:
                errors.append(_("Phần “%(name)s” chưa có câu hỏi.") % {"name": section["name"]})
            if not section["label"]:
                errors.append(_("Phần “%(name)s” cần tiêu đề.") % {"name": section["name"]})
            items.append(section)
        else:
            items.append(_question(entry, errors))
    if sum(1 for _item in all_items({"items": items})) > MAX_ITEMS:
        errors.append(_("Phiếu hỏi quá dài (tối đa %(n)s câu).") % {"n": MAX_ITEMS})
    _check_names_and_conditions(items, errors)
    _check_bank(items, errors)
    if errors:
        raise ValidationError({"content": list(dict.fromkeys(errors))})
    return {"form_id": form_id, "items": items}


def _check_names_and_conditions(items: list, errors: list) -> None:
    names, answerable, lists = set(), set(), {}
    for item in all_items({"items": items}):
        for name in [item["name"]] + [row["name"] for row in item.get("rows", [])]:
            if not NAME.match(name or ""):
                errors.append(_("Mã “%(name)s” không hợp lệ: bắt đầu bằng chữ không dấu, gồm chữ, số và _.")
                              % {"name": name})
            elif name in names:
                errors.append(_("Mã “%(name)s” bị trùng.") % {"name": name})
            names.add(name)
        if item["type"] == "matrix":
            answerable.update(row["name"] for row in item["rows"])
        elif item["type"] not in (SECTION, "note"):
            answerable.add(item["name"])
        if "choices" in item:
            earlier = lists.setdefault(item["list_name"], item["choices"])
            if earlier != item["choices"]:
                errors.append(_("Danh sách lựa chọn “%(list)s” có hai nội dung khác nhau.") % {"list": item["list_name"]})
    for item in all_items({"items": items}):
        if not item["relevant"]:
            continue
        try:
            unknown = references(parse(item["relevant"])) - answerable
        except RelevantError as error:
            errors.append(_("Điều kiện hiển thị của “%(name)s” sai cú pháp ở ký tự %(pos)s: %(expr)s")
                          % {"name": item["name"], "pos": error.position + 1, "expr": item["relevant"]})
            continue
        for name in sorted(unknown):
            errors.append(_("Điều kiện hiển thị của “%(name)s” nhắc đến câu “%(ref)s” không có trong phiếu.")
                          % {"name": item["name"], "ref": name})


def _check_bank(items: list, errors: list) -> None:
    """A question taken from the bank names a code the bank has, and keeps the bank question's type (its
    answers are compared with other surveys' answers to it)."""
    named = [item for item in all_items({"items": items}) if item.get("bank")]
    if not named:
        return
    from .models import BankQuestion

    types = dict(BankQuestion.objects.filter(code__in={item["bank"] for item in named}).values_list("code", "type"))
    for item in named:
        if item["bank"] not in types:
            errors.append(_("Câu “%(name)s”: ngân hàng câu hỏi không có mã “%(code)s”.")
                          % {"name": item["name"], "code": item["bank"]})
        elif types[item["bank"]] != item["type"]:
            errors.append(_("Câu “%(name)s”: câu “%(code)s” của ngân hàng là loại khác; giữ đúng loại để so sánh "
                            "được kết quả.") % {"name": item["name"], "code": item["bank"]})


def strata_problems(content: dict, *, variables: list[str], categories: dict[str, set[str]]) -> list[str]:
    """Why answers to this questionnaire could not be counted into the plan's strata (empty when they can).

    Each strata variable is asked by a single-choice question of the same name (`sex`, `age_group`,
    `locality`) whose choices include every category the plan's quotas and margins use.
    """
    questions = {item["name"]: item for item in all_items(content)}
    problems = []
    for variable in variables:
        question = questions.get(variable)
        if question is None or question["type"] != "select_one":
            problems.append(_("Phiếu cần câu một lựa chọn mã “%(v)s” để tính chỉ tiêu theo tầng.") % {"v": variable})
            continue
        missing = sorted(categories.get(variable, set()) - {c["name"] for c in question["choices"]})
        if missing:
            problems.append(_("Câu “%(v)s” thiếu lựa chọn cho các nhóm: %(m)s.") % {"v": variable, "m": ", ".join(missing)})
    return problems


def all_items(content: dict):
    """Every section and question, in order (a section before its questions)."""
    for item in content.get("items", []):
        yield item
        if item.get("type") == SECTION:
            yield from item.get("items", [])


def question_count(content: dict) -> int:
    """How many answers a respondent may give: each line of a matrix counts; sections and notes do not."""
    return sum(len(item["rows"]) if item.get("type") == "matrix" else 1
               for item in all_items(content) if item.get("type") not in (SECTION, "note"))
