"""The case filters of the queue, the case-history check and the export: one piece of markup, each
screen with its own fields, in its own order, and its own buttons."""

import re

import pytest


def _filter_form(html: str) -> str:
    return re.search(r'<form method="(?:get|post)" class="card".*?</form>', html, re.S).group(0)


def _names(form: str) -> list[str]:
    return [name for name in re.findall(r'<(?:input|select)[^>]* name="([^"]+)"', form)
            if name != "csrfmiddlewaretoken"]


@pytest.mark.parametrize("username, url, names, present, absent", [
    ("leader", "/cases/?tab=all&q=x",
     ["tab", "q", "status", "topic", "locality", "priority", "channel", "period", "date_from", "date_to"],
     ['id="custom-dates"', ';display:none"', 'href="?tab=all">'], ['name="check"']),
    ("inspector", "/inspection/",
     ["q", "owner", "locality", "status", "period", "date_from", "date_to"],
     ['name="check" value="1"'], ['id="custom-dates"', 'href="?tab=']),
    ("leader", "/reports/exports/",
     ["q", "status", "topic", "locality", "priority", "channel", "period", "fmt", "date_from", "date_to", "overdue"],
     ['<label class="check"><input type="checkbox" name="overdue"'],
     ['id="custom-dates"', 'name="check"', 'type="submit">Lọc<']),
])
def test_each_screen_shows_its_own_filters_in_its_own_order(as_user, username, url, names, present, absent):
    form = _filter_form(as_user(username).get(url).content.decode())
    assert _names(form) == names
    for markup in present:
        assert markup in form, markup
    for markup in absent:
        assert markup not in form, markup


def test_the_queue_shows_its_custom_dates_when_the_period_asks_for_them(as_user):
    form = _filter_form(as_user("leader").get("/cases/?tab=unit&period=custom").content.decode())
    assert 'id="custom-dates"' in form and ";display:none" not in form
    assert "Bỏ lọc" not in _filter_form(as_user("leader").get("/cases/?tab=unit").content.decode())
