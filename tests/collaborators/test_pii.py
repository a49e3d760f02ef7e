"""The shared check that refuses a resident's identity in free text (collaborators.pii): a table of what it must
find and what it must let through."""

import pytest
from django.core.exceptions import ValidationError

from collaborators.pii import KIND_EMAIL, KIND_ID, KIND_PHONE, pii_found, pii_refuse

FOUND = [
    ("Bà con gọi 0912 345 678 để hỏi", KIND_PHONE),
    ("số 0912.345.678", KIND_PHONE),
    ("liên hệ 0987654321", KIND_PHONE),
    ("+84 912-345-678", KIND_PHONE),
    ("84912345678", KIND_PHONE),
    ("máy bàn (028) 3822 1234", KIND_PHONE),
    ("02838221234", KIND_PHONE),
    ("gửi thư về nguyen.van.a@gmail.com", KIND_EMAIL),
    ("hộp thư ab+1@xa.gov.vn", KIND_EMAIL),
    ("CCCD 001203004567", KIND_ID),
    ("CMND số 123456789", KIND_ID),
]
NOT_FOUND = [
    "giá đền bù 120.000.000 đồng một sào",
    "1.200.000.000 đồng",
    "họp ngày 12/10/2026 lúc 8 giờ",
    "Quyết định 123/QĐ-UBND",
    "khoảng 500 hộ dân",
    "năm 2026",
    "dân số 12.345 người",
    "Km 12+500 quốc lộ 1A",
    "tổ 12345678",  # 8 digits: no identity number has 8
]


@pytest.mark.parametrize("text, kind", FOUND)
def test_identity_in_text_is_found(text, kind):
    assert [found.kind for found in pii_found(text)] == [kind]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_ordinary_numbers_pass(text):
    assert pii_found(text) == []


def test_the_refusal_names_what_was_found_per_field():
    with pytest.raises(ValidationError) as refused:
        pii_refuse(summary="Ông A số 0912 345 678, thư a.b@gmail.com", recommendation="Không có gì")
    message = refused.value.message_dict["summary"][0]
    assert "số điện thoại (0912…78)" in message and "địa chỉ thư điện tử (a.…@gmail.com)" in message
    assert "recommendation" not in refused.value.message_dict
