"""XLSForm in and out (the form format of ODK and KoboToolbox, https://xlsform.org).

In: pyxform reads the workbook (its checks, its error messages) and we map its tree onto our content.
Out: pyxform reads but does not write, so the workbook is written here with openpyxl. The mapping
(docs/surveys.md):

| our type        | XLSForm survey row                                                        |
|-----------------|---------------------------------------------------------------------------|
| section         | begin_group … end_group                                                   |
| select_one      | select_one LIST                                                           |
| select_multiple | select_multiple LIST                                                      |
| likert          | select_one LIST, appearance likert                                        |
| matrix          | begin_group, appearance table-list; one select_one LIST row per line      |
| integer, decimal, date, text, note | the same type                                          |

`required` is yes or empty, `relevant` is copied as written; the column `bank` carries the question bank's code of
a question taken from it (a matrix: on its begin_group row). Settings: form_title, form_id, version.
"""

import io
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .questionnaire import SECTION, clean_content

SURVEY_COLUMNS = ("type", "name", "label", "hint", "required", "relevant", "appearance", "bank")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_MAGIC = {".xlsx": b"PK\x03\x04", ".xls": b"\xd0\xcf\x11\xe0"}  # a zip; an OLE2 compound file


# --- out ----------------------------------------------------------------------------------------


def _question_rows(item: dict) -> list[tuple]:
    kind = item["type"]
    required = "yes" if item.get("required") else ""
    bank = item.get("bank", "")
    if kind == "matrix":
        rows = [("begin_group", item["name"], item["label"], item["hint"], "", item["relevant"], "table-list", bank)]
        rows += [(f"select_one {item['list_name']}", row["name"], row["label"], "", required, "", "", "")
                 for row in item["rows"]]
        return rows + [("end_group", "", "", "", "", "", "", "")]
    if kind in ("select_one", "likert"):
        xls_type = f"select_one {item['list_name']}"
    elif kind == "select_multiple":
        xls_type = f"select_multiple {item['list_name']}"
    else:
        xls_type = kind
    appearance = "likert" if kind == "likert" else ""
    return [(xls_type, item["name"], item["label"], item["hint"], required, item["relevant"], appearance, bank)]


# The metadata row the OpenRosa form carries: when the device finished the answer (surveys.openrosa).
END_NAME = "dlxh_end"


def xlsform_export(*, content: dict, title: str, version: int, with_end: bool = False) -> bytes:
    """The questionnaire as an XLSForm workbook (survey, choices, settings sheets); `with_end` adds the
    `end` metadata row (the time the device finished the answer), for the form ODK Collect downloads."""
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(SURVEY_COLUMNS)
    if with_end:
        survey.append(("end", END_NAME, "", "", "", "", "", ""))
    choices = workbook.create_sheet("choices")
    choices.append(("list_name", "name", "label"))
    written_lists = set()
    for item in content["items"]:
        if item["type"] == SECTION:
            survey.append(("begin_group", item["name"], item["label"], "", "", item["relevant"], "", ""))
            questions = item["items"]
        else:
            questions = [item]
        for question in questions:
            for row in _question_rows(question):
                survey.append(row)
            if "choices" in question and question["list_name"] not in written_lists:
                written_lists.add(question["list_name"])
                for choice in question["choices"]:
                    choices.append((question["list_name"], choice["name"], choice["label"]))
        if item["type"] == SECTION:
            survey.append(("end_group", "", "", "", "", "", "", ""))
    settings = workbook.create_sheet("settings")
    settings.append(("form_title", "form_id", "version"))
    settings.append((title, content["form_id"], str(version)))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- in -----------------------------------------------------------------------------------------


def _label(value) -> str:
    """A label of one language; with several, the Vietnamese one (or the first)."""
    if isinstance(value, dict):
        for key, text in value.items():
            if "vi" in key.lower() or "việt" in key.lower():
                return text
        return next(iter(value.values()), "")
    return value or ""


def _choices(node: dict) -> list[dict]:
    return [{"name": str(choice.get("name", "")), "label": _label(choice.get("label"))}
            for choice in node.get("choices", [])]


def _common(node: dict) -> dict:
    bind = node.get("bind", {})
    return {"name": node.get("name", ""), "label": _label(node.get("label")), "hint": _label(node.get("hint")),
            "required": str(bind.get("required", "")).lower() in ("yes", "true", "true()"),
            "relevant": bind.get("relevant", "") or "", "bank": str(node.get("bank") or "")}


def _is_table_list(node: dict) -> bool:
    return any(str(child.get("name", "")).startswith("reserved_name_for_field_list_labels")
               for child in node.get("children", []))


def _matrix(node: dict) -> dict:
    children = node.get("children", [])
    title = next((child for child in children if str(child.get("name", "")).startswith("generated_table_list_label")), {})
    rows = [child for child in children if child.get("type") == "select one"
            and not str(child.get("name", "")).startswith("reserved_name_for_field_list_labels")]
    item = _common(node)
    item.update(type="matrix", label=_label(title.get("label")) or item["label"],
                required=any(_common(row)["required"] for row in rows),
                list_name=rows[0].get("list_name", "") if rows else "", choices=_choices(rows[0]) if rows else [],
                rows=[{"name": row.get("name", ""), "label": _label(row.get("label"))} for row in rows])
    return item


def _question(node: dict, errors: list) -> dict | None:
    kind = node.get("type")
    appearance = (node.get("control") or {}).get("appearance", "")
    item = _common(node)
    if kind == "select one" and "itemset" in node and node.get("list_name"):
        item.update(type="likert" if appearance == "likert" else "select_one", list_name=node["list_name"],
                    choices=_choices(node))
    elif kind == "select all that apply" and node.get("list_name"):
        item.update(type="select_multiple", list_name=node["list_name"], choices=_choices(node))
    elif kind in ("integer", "decimal", "date", "text", "note"):
        item["type"] = kind
    else:
        errors.append(_("Câu “%(name)s”: loại “%(type)s” chưa được hỗ trợ.") % {"name": item["name"], "type": kind})
        return None
    return item


def _items(children: list, errors: list, *, nested: bool) -> list[dict]:
    items = []
    for node in children:
        kind = node.get("type")
        if kind == "group" and (node.get("control") or {}).get("bodyless"):
            continue  # pyxform's own meta group (instanceID)
        if kind == "group" and _is_table_list(node):
            items.append(_matrix(node))
        elif kind == "group":
            if nested:
                errors.append(_("Nhóm “%(name)s”: nhóm lồng trong nhóm chưa được hỗ trợ.") % {"name": node.get("name")})
                continue
            section = _common(node)
            section = {"type": SECTION, "name": section["name"], "label": section["label"],  # no bank: not a question
                       "relevant": section["relevant"], "items": _items(node.get("children", []), errors, nested=True)}
            items.append(section)
        elif kind == "repeat":
            errors.append(_("Nhóm lặp “%(name)s” chưa được hỗ trợ.") % {"name": node.get("name")})
        elif kind in ("calculate", "start", "end", "today", "deviceid", "username", "audit"):
            continue  # metadata the form computes, not asked
        else:
            item = _question(node, errors)
            if item is not None:
                items.append(item)
    return items


def xlsform_import(*, data: bytes, filename: str) -> tuple[str, dict]:
    """(title, content) from an XLSForm workbook (.xlsx or .xls), or ValidationError in Vietnamese."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import parse_file_to_json

    suffix = Path(filename or "").suffix.lower()
    if suffix not in (".xlsx", ".xls"):
        raise ValidationError({"file": [_("Tệp XLSForm phải là .xlsx hoặc .xls.")]})
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": [_("Tệp XLSForm quá lớn (tối đa 5 MB).")]})
    if not data.startswith(_MAGIC[suffix]):
        raise ValidationError({"file": [_("Không đọc được tệp: đây không phải là bảng tính XLSForm.")]})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"phieu{suffix}"
        path.write_bytes(data)
        try:
            tree = parse_file_to_json(str(path), default_name="phieu_hoi")
        except PyXFormError as error:
            raise ValidationError({"file": [_("XLSForm không hợp lệ: %(error)s") % {"error": error}]}) from None
        except Exception:  # a file that is no workbook at all: pyxform lets openpyxl's or xlrd's errors through
            raise ValidationError({"file": [_("Không đọc được tệp: đây không phải là bảng tính XLSForm.")]}) from None
    errors: list[str] = []
    items = _items(tree.get("children", []), errors, nested=False)
    if errors:
        raise ValidationError({"file": errors})
    title = _label(tree.get("title")) or Path(filename).stem
    content = clean_content({"form_id": tree.get("id_string") or "phieu_hoi", "items": items})
    return str(title)[:300], content
