"""The English catalogue: complete, faithful to its placeholders, and actually shown.

Source strings are Vietnamese; English is a translation in
locale/en/LC_MESSAGES/django.po. (a) checks the .po itself: every entry
translated, none fuzzy, each msgstr keeping the msgid's placeholders, HTML
tags and edge whitespace (a lost %(code)s raises at runtime or drops a case
code from a message). (b) checks that a person who picks English sees English
on the login page, the queue and a case page, and not the Vietnamese menu.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from tests.web.conftest import visible_text

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# %(name)s / %(n).1f / %d, {name}, and HTML tags; "%%" is a literal percent sign, not a placeholder.
_PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|\{[^{}]*\}"
    r"|</?[a-zA-Z][^>]*>"
)
_VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I)
NATIVE_NAMES = {"Tiếng Việt"}  # a language's own name stays in its language in the switcher


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def edges(text: str) -> tuple[str, str]:
    return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]


def pairs(entry):
    """(source, translation) pairs of one entry; a plural entry has one per English form."""
    if entry.msgid_plural:
        return [(entry.msgid, entry.msgstr_plural.get(0, "")), (entry.msgid_plural, entry.msgstr_plural.get(1, ""))]
    return [(entry.msgid, entry.msgstr)]


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(PO_PATH))


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    live = [e for e in catalogue if not e.obsolete]
    assert len(live) > 500  # the whole catalogue, not a stub
    assert not catalogue.metadata_is_fuzzy
    assert catalogue.metadata.get("Plural-Forms", "").startswith("nplurals=2;")
    assert [e.msgid for e in live if "fuzzy" in e.flags] == []
    empty = [e.msgid for e in live for _, translated in pairs(e) if not translated.strip()]
    assert empty == []


def test_every_translation_keeps_the_placeholders_and_edges(catalogue):
    wrong = [
        (source, translated)
        for e in catalogue
        if not e.obsolete
        for source, translated in pairs(e)
        if placeholders(source) != placeholders(translated) or edges(source) != edges(translated)
    ]
    assert wrong == []


def test_no_translation_is_left_in_vietnamese(catalogue):
    left = [e.msgid for e in catalogue if not e.obsolete and e.msgid not in NATIVE_NAMES
            for _, translated in pairs(e) if _VIETNAMESE.search(translated)]
    assert left == []


def test_the_placeholder_check_does_catch_a_lost_placeholder():
    assert placeholders("Vụ việc %(code)s «%(title)s» <b>{value}</b>") != placeholders("Case %(code)s <b>value</b>")
    assert placeholders("điểm %%") == placeholders("percentage points")
    assert placeholders("%(n).1f ngày") == placeholders("%(n).1f days")
    assert edges(" x\n") != edges("x")


# (b) What a person who picked English sees.

VIETNAMESE_MENU = ["Việc cần làm", "Tiếp nhận", "Đăng xuất", "Đổi mật khẩu"]


@pytest.fixture(autouse=True)
def _language_restored():
    """A request in English leaves English active in this thread; later tests must not inherit it."""
    before = translation.get_language()
    yield
    translation.activate(before) if before else translation.deactivate()


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogue():
    """bin/_setup.sh compiles the (gitignored) .mo; compile it here too when it is missing or stale."""
    if not MO_PATH.exists() or MO_PATH.stat().st_mtime < PO_PATH.stat().st_mtime:
        call_command("compilemessages", locale=["en"], ignore_patterns=[".venv"], verbosity=0)


@pytest.fixture
def english_clerk(db):
    call_command("seed_demo", verbosity=0)
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")  # the browser's wish is not enough: the cookie decides
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(get_user_model().objects.get(username="clerk"))
    return client


def test_picking_english_on_the_login_page_shows_it_in_english(db):
    client = Client()
    assert "Đăng nhập" in visible_text(client.get("/login/"))  # Vietnamese first

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}, follow=True)

    text = visible_text(response)
    assert response.status_code == 200
    for word in ("Log in", "Username", "Password"):
        assert word in text
    for word in ("Đăng nhập", "Tên đăng nhập", "Mật khẩu"):
        assert word not in text


def test_queue_and_case_page_in_english_for_the_demo_clerk(english_clerk):
    queue = english_clerk.get("/cases/")
    assert queue.status_code == 200
    text = visible_text(queue)
    for word in ("To do", "Intake", "Log out", "Change password"):
        assert word in text
    for word in VIETNAMESE_MENU:
        assert word not in text

    codes = re.findall(r'href="/cases/(DL-\d{4}-\d{6})/"', queue.content.decode())
    assert codes, "the demo clerk's queue lists cases"
    case = english_clerk.get(f"/cases/{codes[0]}/")
    assert case.status_code == 200
    text = visible_text(case)
    for word in ("Case details", "Status", "Topic", "Locality", "Intake"):
        assert word in text
    for word in VIETNAMESE_MENU + ["Thông tin vụ việc", "Trạng thái", "Lĩnh vực", "Địa bàn"]:
        assert word not in text
