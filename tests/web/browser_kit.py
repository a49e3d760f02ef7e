"""What the browser tests share: a person's browser context, and the checks every visited screen must pass.

- No sideways scroll: the page is never wider than the window (a table scrolls inside its own frame).
- Tap targets on a phone: every control (button, field, menu entry, tab, page link) is at least 44 × 44 px;
  links inside running text and table cells are WCAG's "inline" exception.
- WCAG 2.1 AA: axe-core (vendored in vendor/axe-core, MPL-2.0) finds no violation of the A and AA rules.
"""

import re
from pathlib import Path

from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
PASSWORD = "dlxh-demo-2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TAP_MIN = 44

# Controls a finger must hit; a checkbox or radio counts by its label, which is what a person taps.
_TARGETS_JS = """(min) => {
  const selector = 'button, select, textarea, summary, a.btn, .nav a, .tabs a, .subnav a, .pager a, .topbar a,'
    + ' input:not([type=hidden]):not([type=checkbox]):not([type=radio]), label:has(> input[type=checkbox]),'
    + ' label:has(> input[type=radio])';
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden' || el.closest('[hidden], .visually-hidden')) continue;
    if (box.width + 0.5 < min || box.height + 0.5 < min) {
      const name = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 30);
      small.push(`${el.tagName.toLowerCase()}${el.className ? '.' + el.className : ''} "${name}"`
                 + ` ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""


class Screens:
    """One browser context per person, in Vietnam's time zone, at a given width and language (Vietnamese first)."""

    def __init__(self, browser, base_url, *, viewport=DESKTOP, language="vi", sessions=None):
        self.browser = browser
        self.base_url = base_url
        self.viewport = viewport
        self.language = language
        # username → the browser state after logging in, so another width or language need not log in again
        self.sessions = {} if sessions is None else sessions

    def person(self, username=None):
        context = self.browser.new_context(viewport=self.viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                           storage_state=self.sessions.get(username))
        # The screens ignore the browser's languages (web.middleware): the top bar's switch sets this cookie.
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": self.language, "url": self.base_url}])
        context.set_default_timeout(15000)
        page = context.new_page()
        if username and username not in self.sessions:
            page.goto(self.base_url + "/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r".*/cases/.*"))
            self.sessions[username] = context.storage_state()
        return page

    def shot(self, page, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sideways_overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scroll)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def small_targets(page) -> list[str]:
    """Controls smaller than 44 × 44 px (checked at a phone's width, where fingers are used)."""
    return page.evaluate(_TARGETS_JS, TAP_MIN)


def axe_violations(page) -> list[str]:
    """WCAG 2.1 A and AA violations axe-core finds on the page as it is now, one line per rule."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)  # through the debugging protocol: the page's CSP (script-src 'self') allows it
    result = page.evaluate("""(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                         resultTypes: ['violations']})""", AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} at " + ", ".join(" ".join(n["target"]) for n in v["nodes"][:4])
            for v in result["violations"]]


def screen_problems(page, *, phone: bool) -> list[str]:
    """Everything wrong with the screen shown now: sideways scroll, small targets on a phone, axe violations."""
    where = page.url.split("//", 1)[-1].split("/", 1)[-1]
    problems = []
    overflow = sideways_overflow(page)
    if overflow:
        problems.append(f"/{where}: {overflow} px wider than the window")
    if phone:
        problems += [f"/{where}: small target {target}" for target in small_targets(page)]
    problems += [f"/{where}: {violation}" for violation in axe_violations(page)]
    return problems
