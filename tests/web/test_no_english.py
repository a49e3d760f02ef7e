"""No untranslated English on any screen in Vietnamese.

How: our own strings are written in Vietnamese as their msgids, so in
Vietnamese they show as written; English can only leak in from (a) a string
someone wrote in English in a template or view, or (b) Django's or a
library's own defaults (auth forms, paginator, widgets) whose Vietnamese
catalogue is missing an entry. Two checks cover both:

1. Every page, walked as every demo user with the language set to
   Vietnamese (the start pages, every case, then every link the pages offer,
   other apps' screens included; a few pages per route shape), must not show
   any of a list of English UI words (Django's auth/admin/forms defaults and
   the words our own screens would use in English). Only the visible text is
   checked: tags, attributes, scripts and styles are stripped, as a person
   would see it.
2. Every msgid in our templates and in web/*.py must be Vietnamese (carry a
   Vietnamese letter), so the catalogue's source language stays Vietnamese
   and the English side is only ever a translation.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cases.models import Case
from cases.services import case_instruct
from workflow.services import clocks_sweep

from .conftest import visible_text

ENGLISH_WORDS = [
    "Log in", "Log out", "Login", "Logout", "Sign in", "Password", "Username", "Submit", "Search", "Next",
    "Previous", "Page", "Save", "Cancel", "Delete", "Home", "Dashboard", "Status", "Title", "Filter", "Export",
    "Download", "Not Found", "Forbidden", "Server Error", "Error", "This field is required", "Select a valid",
    "Please enter", "Notifications", "Unread", "Change password", "Welcome", "Date", "Priority", "Topic",
    "Channel", "Locality", "Reporter", "Attachment", "Attachments", "Case", "Cases", "Overdue", "Assign",
    "Verify", "Reject", "Merge", "Resolve", "Reopen", "Orient", "None", "True", "False", "Yes", "No",
    "Choose Files", "No file chosen", "due in", "overdue by", "days", "hours", "minutes", "History", "Unit",
    "Received", "Verified", "Assigned", "Resolved", "Reported", "Rejected", "Merged", "Anonymous", "Take", "Give",
    "All", "Mine", "Total", "Period", "Today", "Month", "Year",
]
_ENGLISH = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")(?![\w-])")

DEMO_USERS = ["clerk", "leader", "handler", "secretariat", "clerk2", "leader2", "handler2", "supervisor",
              "leader_province", "handler_province", "inspector", "admin"]


def _english_in(response) -> list[str]:
    return sorted(set(_ENGLISH.findall(visible_text(response))))


# Where each person's walk starts; from there it follows every link the pages offer.
START = ["/cases/", "/cases/?tab=mine", "/cases/?tab=unit", "/cases/?tab=escalated", "/cases/?tab=overdue",
         "/cases/?tab=all",
         "/cases/?tab=all&q=rac", "/cases/new/", "/dashboard/", "/inspection/", "/password/", "/khong-co-trang-nay/",
         "/inbox/", "/inbox/bell/"]
# Not screens of ours (the admin has its own catalogue), files, or links that change state.
SKIP = ("/admin/", "/static/", "/media/", "/api/", "/i18n/", "/logout/", "/notifications/", "/health/")
_LINK = re.compile(r'href="(/[^"#]*)"')
PER_ROUTE = 3  # pages visited per route shape (same path with other case codes or ids adds little)


def _route(path: str) -> str:
    """The shape of an address: case codes and numbers replaced, query keys kept."""
    base, _, query = path.partition("?")
    keys = sorted({part.split("=")[0] for part in query.split("&") if part} - {"page"})
    return re.sub(r"\d+", "N", re.sub(r"DL-\d{4}-\d{6}", "CODE", base)) + "?" + "&".join(keys)


def _walk(client, *, limit=400):
    """Visit the start pages and every page linked from them (GET only), a few of each route shape."""
    queue = list(START) + [f"/cases/{code}/" for code in Case.objects.order_by("pk").values_list("code", flat=True)]
    seen, per_route = set(), {}
    while queue and len(seen) < limit:
        path = queue.pop(0).replace("&amp;", "&")
        route = _route(path)
        if path in seen or path.startswith(SKIP) or per_route.get(route, 0) >= PER_ROUTE:
            continue
        seen.add(path)
        per_route[route] = per_route.get(route, 0) + 1
        response = client.get(path)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # a download (CSV, PDF, XLSX)
        yield path, response
        queue.extend(_LINK.findall(response.content.decode()))


@pytest.mark.django_db
def test_every_page_as_every_demo_user_is_free_of_english():
    call_command("seed_demo", verbosity=0)
    # Deadlines long past: escalated cases show the tier above its direction moves, one an instruction.
    clocks_sweep(now=timezone.now() + timedelta(days=60))
    escalated = Case.objects.filter(escalation_level__gt=0, status="assigned").order_by("pk").first()
    case_instruct(case=escalated, by=get_user_model().objects.get(username="supervisor"),
                  instruction="Khảo sát hiện trường, báo cáo trong 3 ngày.")
    leaks = {}
    shown = set()
    for username in DEMO_USERS:
        client = Client(HTTP_ACCEPT_LANGUAGE="vi")
        client.force_login(get_user_model().objects.get(username=username))
        for path, response in _walk(client):
            assert response.status_code in (200, 403, 404), (username, path, response.status_code)
            if response.status_code == 200:
                shown.add(_route(path))
            if found := _english_in(response):
                leaks[(username, path)] = found
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    for path in ("/login/", "/tra-cuu/"):
        if found := _english_in(anonymous.get(path)):
            leaks[("anonymous", path)] = found
    wrong = anonymous.post("/tra-cuu/", {"code": "DL-2026-000001", "secret": "SAIMA"})
    if found := _english_in(wrong):
        leaks[("anonymous", "/tra-cuu/ (wrong secret)")] = found
    failed_login = anonymous.post("/login/", {"username": "clerk", "password": "sai"})
    if found := _english_in(failed_login):
        leaks[("anonymous", "/login/ (refused)")] = found
    # The walk did reach the screens (queues, intake, case pages, audit, dashboard, inspection), not only errors.
    for expected in ("/cases/?", "/cases/new/?", "/cases/CODE/?", "/cases/CODE/audit/?", "/dashboard/?",
                     "/inspection/?", "/cases/?tab"):
        assert expected in shown, expected
    assert not leaks, leaks


def test_the_word_list_does_catch_english():
    """The check above could not pass by accident: it finds English where there is some."""
    assert _english_in("<p>Please enter a correct username and Password.</p><script>var Next;</script>") == [
        "Password", "Please enter"]
    assert _english_in("<p>Người phản ánh · Trang sau</p>") == []


_TEMPLATE_MSGID = re.compile(r"{%\s*translate\s+\"([^\"]+)\"|{%\s*translate\s+'([^']+)'|_\(\"([^\"]+)\"\)")
_BLOCK_MSGID = re.compile(r"{%\s*blocktranslate[^%]*%}(.*?)(?:{%\s*plural\s*%}|{%\s*endblocktranslate\s*%})", re.S)
_PY_MSGID = re.compile(r"\b_\(\s*\"([^\"]+)\"")
_VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I)
# A msgid with no Vietnamese letter is English when it holds an English word: "Trang", "Xem" or
# "Giao cho" are Vietnamese written without diacritics; "Save", "Next page" or "The case" are not.
ENGLISH_MARKERS = {w.lower() for phrase in ENGLISH_WORDS for w in phrase.split()} | {
    "the", "of", "and", "is", "are", "for", "with", "your", "you", "this", "that", "please", "edit", "view",
    "back", "new", "close", "send", "report", "reports", "inspection", "user", "users", "role", "file", "files",
    "more", "less", "show", "hide", "add", "remove", "list", "details", "name", "from", "until", "by",
}


def test_every_msgid_we_wrote_is_vietnamese():
    base = Path(settings.BASE_DIR)
    msgids = []
    # Every project template (other apps' screens extend ours) and our Python strings.
    for template in (base / "templates").rglob("*.html"):
        source = template.read_text(encoding="utf-8")
        msgids += [(template.name, next(g for g in m.groups() if g)) for m in _TEMPLATE_MSGID.finditer(source)]
        msgids += [(template.name, m.group(1)) for m in _BLOCK_MSGID.finditer(source)]
    for module in (base / "web").rglob("*.py"):
        msgids += [(module.name, m.group(1)) for m in _PY_MSGID.finditer(module.read_text(encoding="utf-8"))]
    assert len(msgids) > 150  # the scan found our strings
    english = [(where, msgid) for where, msgid in msgids
               if not _VIETNAMESE.search(msgid) and set(re.findall(r"[a-z]+", msgid.lower())) & ENGLISH_MARKERS]
    assert not english, english


def test_the_msgid_rule_tells_english_from_vietnamese_without_diacritics():
    def is_english(msgid):
        return not _VIETNAMESE.search(msgid) and bool(set(re.findall(r"[a-z]+", msgid.lower())) & ENGLISH_MARKERS)

    assert is_english("Save") and is_english("Next page") and is_english("The case was assigned")
    assert not is_english("Trang sau") and not is_english("Giao cho") and not is_english("Xem")
