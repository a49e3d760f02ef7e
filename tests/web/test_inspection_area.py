"""One inspection area with one menu entry: the case-history check (/inspection/), the inspections
(/reports/inspection/) and their access log share one tab bar; both old addresses still answer."""

import re

import pytest
from django.conf import settings

from reports.services import inspection_open

from .conftest import visible_text

AREA = ["/inspection/", "/reports/inspection/", "/reports/inspection/log/", "/reports/inspection/admin-changes/"]
TABS = [("/inspection/", "Kiểm tra lịch sử vụ việc"), ("/reports/inspection/", "Cuộc kiểm tra"),
        ("/reports/inspection/log/", "Nhật ký truy cập kiểm tra"),
        ("/reports/inspection/admin-changes/", "Nhật ký thay đổi cấu hình")]


def _menu(html: str) -> list[tuple[str, str, bool]]:
    """(address, label, active) of each entry of the top menu."""
    nav = html.split('<nav class="nav"', 1)[1].split("</nav>", 1)[0]
    return [(href, visible_text(label), "active" in classes)
            for href, classes, label in re.findall(r'<a href="([^"]*)" class="([^"]*)"[^>]*>(.*?)</a>', nav)]


def _tabs(html: str) -> list[tuple[str, str, bool]]:
    """(address, label, active) of each tab of the inspection area, [] when the page has none."""
    if 'data-testid="inspection-tabs"' not in html:
        return []
    bar = html.split('data-testid="inspection-tabs"', 1)[1].split("</nav>", 1)[0]
    return [(href, visible_text(label), classes == "active")
            for href, classes, label in re.findall(r'<a href="([^"]*)" class="([^"]*)">(.*?)</a>', bar)]


@pytest.fixture
def inspection(world):
    from datetime import date

    return inspection_open(by=world.inspector, unit=world.commune_a, period_start=date(2026, 1, 1),
                           period_end=date(2026, 1, 31))


@pytest.mark.parametrize("username", ["inspector", "supervisor"])
def test_every_page_of_the_area_has_one_menu_entry_and_the_same_tabs(world, as_user, inspection, username):
    client = as_user(username)
    pages = AREA + [f"/reports/inspection/{inspection.pk}/", f"/reports/inspection/{inspection.pk}/sample/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        inspection_entries = [entry for entry in _menu(html) if "inspection" in entry[0]]
        assert inspection_entries == [("/inspection/", "Kiểm tra", True)], path
        current = path if path in dict(TABS) else "/reports/inspection/"
        assert _tabs(html) == [(href, label, href == current) for href, label in TABS], path


def test_the_reports_pages_keep_their_own_tabs_and_no_inspection_ones(world, as_user):
    html = as_user("inspector").get("/reports/").content.decode()
    assert ("/reports/", "Báo cáo", True) in _menu(html)
    assert ("/inspection/", "Kiểm tra", False) in _menu(html)
    assert _tabs(html) == []
    subnav = html.split('<nav class="subnav"', 1)[1].split("</nav>", 1)[0]
    assert "/reports/emerging/" in subnav and "inspection" not in subnav


def test_a_person_without_an_inspection_role_gets_no_entry_and_a_refusal(world, as_user):
    client = as_user("leader")
    assert not [entry for entry in _menu(client.get("/cases/").content.decode()) if "inspection" in entry[0]]
    for path in AREA:
        assert client.get(path).status_code == 403, path


def test_the_area_speaks_english_when_asked(world, as_user):
    client = as_user("inspector")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for path in AREA:
        html = client.get(path).content.decode()
        assert [entry for entry in _menu(html) if "inspection" in entry[0]] == [("/inspection/", "Inspection", True)]
        assert [label for _href, label, _active in _tabs(html)] == [
            "Case history inspection", "Inspections", "Inspection access log", "Configuration change log"]
