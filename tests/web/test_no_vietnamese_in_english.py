"""No Vietnamese interface text on a screen read in English: the other half of the language crawl.

Data stays as people wrote it (case titles, unit and topic names, notes), so the
check cannot be "no Vietnamese letters". It takes the data out of each page
first, then looks for the Vietnamese label of anything we store as a code:
statuses, kinds, priorities, tiers, event and move labels, report and export
states, the access log's kinds, the inspection's metrics. One of them left in an
English page is a label stored as text, or a code shown without its label. The
walk covers the reports, the inspection and audit pages and the queues, as every
demo person who opens them, with the language chosen as a person chooses it (the
cookie).
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.utils import timezone, translation

from cases.actions import CaseAction
from cases.models import Case, CaseEvent, CaseKind, CaseStatus, Channel, Priority, Tier, Topic, Unit, UnitKind
from reports.inspection import METRICS
from reports.models import Inspection, InspectorNote, OversightRead, Report, ReportKind, ReportStatus
from web import labels
from workflow.models import ClockPolicy
from workflow.services import clocks_sweep

from .conftest import visible_text

START = ["/cases/", "/cases/?tab=all", "/dashboard/", "/inspection/", "/reports/", "/reports/inspection/",
         "/reports/inspection/log/", "/reports/inspection/admin-changes/", "/inbox/"]
FOLLOW = re.compile(r'href="(/(?:reports|cases/DL-[^"/]+/audit|inspection)[^"#]*)"')
SKIP = ("/reports/exports/", ".pdf", ".docx", ".xlsx", ".csv", ".json")
PER_ROUTE = 2
USERS = ["secretariat", "leader", "supervisor", "inspector"]
CODED = (CaseStatus, CaseKind, CaseAction, Priority, Tier, UnitKind, ReportKind, ReportStatus, OversightRead)


def _labels_of_codes() -> re.Pattern:
    """The Vietnamese label of every code a screen shows (the msgids; their English is what should show)."""
    with translation.override("vi"):
        texts = {str(label) for choices in CODED for label in choices.labels}
        texts |= {str(label) for table in (labels.MOVE_LABELS, labels.DATA_LABELS, labels.STEP_LABELS, METRICS)
                  for label in table.values() if label}
    texts = {text.rstrip(":.") for text in texts if len(text) >= 4 and "%" not in text}
    longest_first = sorted(texts, key=len, reverse=True)
    return re.compile(r"(?<![\w])(" + "|".join(re.escape(text) for text in longest_first) + r")(?![\w])")


def _data_strings() -> list[str]:
    """What people wrote or named, which stays as written in every language; longest first."""
    def values(model: type[models.Model], *fields) -> set[str]:
        return {value for field in fields for value in model.objects.values_list(field, flat=True) if value}
    data = values(Case, "title", "public_response", "outcome", "closing_reason", "transfer_agency",
                  "transfer_legal_basis")
    data |= values(ClockPolicy, "name")  # configured like topics: the deadlines' names
    data |= values(Unit, "name") | values(Topic, "name") | values(Channel, "name") | values(CaseEvent, "note")
    data |= values(Report, "narrative") | values(Inspection, "title") | values(InspectorNote, "text")
    data |= {user.get_full_name() for user in get_user_model().objects.all() if user.get_full_name()}
    return sorted(data, key=len, reverse=True)


def _route(path: str) -> str:
    base, _, query = path.partition("?")
    keys = sorted({part.split("=")[0] for part in query.split("&") if part} - {"page"})
    return re.sub(r"\d+", "N", re.sub(r"DL-\d{4}-\d{6}", "CODE", base)) + "?" + "&".join(keys)


@pytest.mark.django_db
def test_report_inspection_and_audit_pages_in_english_show_no_vietnamese_interface_text():
    call_command("seed_demo", verbosity=0)
    call_command("seed_reports", verbosity=0)
    clocks_sweep(now=timezone.now() + timedelta(days=60))
    phrases, data = _labels_of_codes(), _data_strings()
    assert phrases.search("Đã giao xử lý") and not phrases.search("Assigned")  # it can find a leak

    leaks, seen_routes = {}, set()
    for username in USERS:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.force_login(get_user_model().objects.get(username=username))
        cases = [f"/cases/{code}/audit/" for code in Case.objects.order_by("pk").values_list("code", flat=True)[:3]]
        queue, seen, per_route = START + cases, set(), {}
        while queue and len(seen) < 60:
            path = queue.pop(0).replace("&amp;", "&")
            route = _route(path)
            if path in seen or any(part in path for part in SKIP) or per_route.get(route, 0) >= PER_ROUTE:
                continue
            seen.add(path)
            per_route[route] = per_route.get(route, 0) + 1
            response = client.get(path)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            seen_routes.add(route)
            text = visible_text(response)
            for written in data:
                text = text.replace(written, " ")
            assert '<html lang="en"' in response.content.decode(), path
            if found := sorted(set(phrases.findall(text))):
                leaks[(username, path)] = found
            queue.extend(FOLLOW.findall(response.content.decode()))
    for expected in ("/reports/N/?", "/reports/inspection/N/?", "/cases/CODE/audit/?", "/reports/inspection/log/?"):
        assert expected in seen_routes, (expected, sorted(seen_routes))
    assert not leaks, leaks
