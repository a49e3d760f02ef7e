"""The questionnaire's checks and XLSForm: export → pyxform reads it → import → the same questionnaire."""

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from surveys.questionnaire import clean_content, question_count
from surveys.xlsform import xlsform_export, xlsform_import

from .conftest import CONTENT


def workbook(survey_rows, choice_rows=(), settings=None) -> bytes:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    for row in survey_rows:
        survey.append(row)
    if choice_rows:
        choices = book.create_sheet("choices")
        for row in choice_rows:
            choices.append(row)
    if settings:
        sheet = book.create_sheet("settings")
        for row in settings:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_round_trip_gives_the_same_questionnaire():
    content = clean_content(CONTENT)
    data = xlsform_export(content=content, title="Phiếu khảo sát nước sạch", version=3)
    title, imported = xlsform_import(data=data, filename="phieu.xlsx")
    assert title == "Phiếu khảo sát nước sạch"
    assert imported == content
    assert question_count(imported) == 9  # a matrix's rows each count; sections and notes do not


def test_export_is_plain_xlsform():
    content = clean_content(CONTENT)
    book = load_workbook(io.BytesIO(xlsform_export(content=content, title="T", version=1)))
    survey = [tuple(cell or "" for cell in row) for row in book["survey"].iter_rows(values_only=True)]
    assert survey[0] == ("type", "name", "label", "hint", "required", "relevant", "appearance", "bank")
    assert ("select_one muc_do", "hai_long", "Mức độ hài lòng với dịch vụ nước sạch", "", "", "", "likert", "") in survey
    assert ("begin_group", "danh_gia", "Đánh giá các khâu", "", "", "", "table-list", "") in survey
    assert ("select_one muc_do", "dg_xu_ly", "Xử lý", "", "yes", "", "", "") in survey
    choices = list(book["choices"].iter_rows(values_only=True))
    assert sum(1 for row in choices if row[0] == "muc_do") == 5  # a list shared by two questions, written once
    assert list(book["settings"].iter_rows(values_only=True))[1] == ("T", "phieu_thu", "1")


def test_the_specs_relevant_example_imports():
    """xlsform.org, "Relevant": favorite_topping is asked only when likes_pizza is yes."""
    data = workbook(
        [("type", "name", "label", "relevant"),
         ("select_one yes_no", "likes_pizza", "Do you like pizza?", ""),
         ("select_multiple pizza_toppings", "favorite_topping", "Favorite toppings", "${likes_pizza} = 'yes'")],
        [("list_name", "name", "label"), ("yes_no", "yes", "Yes"), ("yes_no", "no", "No"),
         ("pizza_toppings", "cheese", "Cheese"), ("pizza_toppings", "pepperoni", "Pepperoni")])
    _title, content = xlsform_import(data=data, filename="pizza.xlsx")
    topping = content["items"][1]
    assert topping["type"] == "select_multiple" and topping["relevant"] == "${likes_pizza} = 'yes'"
    assert [c["name"] for c in topping["choices"]] == ["cheese", "pepperoni"]


def test_the_specs_multilingual_labels_keep_vietnamese():
    data = workbook([("type", "name", "label::English (en)", "label::Tiếng Việt (vi)"),
                     ("text", "y_kien", "Your opinion", "Ý kiến của ông/bà")])
    _title, content = xlsform_import(data=data, filename="f.xlsx")
    assert content["items"][0]["label"] == "Ý kiến của ông/bà"


@pytest.mark.parametrize("rows, message", [
    ([("type", "name", "label"), ("geopoint", "vi_tri", "Vị trí")], "chưa được hỗ trợ"),
    ([("type", "name", "label"), ("begin_repeat", "thanh_vien", "Thành viên"), ("text", "ten", "Tên"),
      ("end_repeat", "", "")], "Nhóm lặp"),
    ([("type", "name", "label"), ("text", "a", "A"), ("text", "a", "A lần nữa")], "XLSForm không hợp lệ"),
    ([("type", "name", "label", "relevant"), ("text", "a", "A", "count(${a}) > 1")], "sai cú pháp"),
    ([("type", "name", "label", "relevant"), ("text", "a", "A", "${b} = 'x'")], "Could not find the name 'b'"),
])
def test_imports_outside_the_subset_are_refused_clearly(rows, message):
    with pytest.raises(ValidationError) as refused:
        xlsform_import(data=workbook(rows), filename="f.xlsx")
    assert message in " ".join(refused.value.messages)


def test_a_file_that_is_no_workbook_is_refused():
    with pytest.raises(ValidationError) as refused:
        xlsform_import(data=b"not a workbook", filename="f.xlsx")
    assert "không phải là bảng tính" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        xlsform_import(data=b"x", filename="f.csv")


def test_content_checks_list_every_problem():
    with pytest.raises(ValidationError) as refused:
        clean_content({"items": [
            {"type": "select_one", "name": "1bad", "label": "", "choices": []},
            {"type": "text", "name": "ok", "label": "Ok", "relevant": "${ok} ="},
            {"type": "slider", "name": "s", "label": "S"},
        ]})
    text = " ".join(refused.value.messages)
    for part in ("cần ít nhất một lựa chọn", "không hợp lệ", "cần nội dung", "sai cú pháp", "chưa được hỗ trợ"):
        assert part in text
