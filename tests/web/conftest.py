"""Fixtures for the screens: a private cache, the text a person sees (`as_user`: tests/conftest.py)."""

import re
from html.parser import HTMLParser

import pytest


@pytest.fixture(autouse=True)
def _private_cache(private_cache):
    """A cache of this test's own (the public page's rate limit counts in it)."""


class _VisibleText(HTMLParser):
    """Text a person sees: no tags, scripts, styles, or attribute values."""

    SKIP = {"script", "style", "template", "datalist", "option"}

    def __init__(self, *, with_options=True):
        super().__init__()
        self.parts = []
        self.skipping = 0
        self.with_options = with_options

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP and not (tag == "option" and self.with_options):
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and not (tag == "option" and self.with_options) and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(response_or_html) -> str:
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    parser = _VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


@pytest.fixture
def text():
    return visible_text


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, one for every browser test of the session (tests/web/browser_kit.py)."""
    import os

    from django.db import connections

    from .browser_kit import CHROMIUM, CHROMIUM_ARGS

    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is missing; install Debian's chromium to run the browser test")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here between
    # browser steps are ordinary synchronous calls, so Django's async-safety guard is relaxed.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
        # While Playwright's loop runs, Django keeps this thread's connections apart (as for async
        # code): close the ones the tests' ORM calls opened, or the test database cannot be dropped.
        connections.close_all()
