"""Every staff screen at a phone's width (390 px) and at a desk's (1366 px), in Vietnamese and in English: never
wider than the window, controls a finger can hit (44 × 44 px) on the phone, and no WCAG 2.1 A or AA violation
axe-core can find, with every folded form unfolded (issue 17, items 1 and 9).

One seeded database, one browser; each person logs in once and walks their screens in each walk (WALKS).
The whole line done through these screens is tests/web/test_browser.py (at both widths too); it also checks
the phone's top-bar menu open and the bell's panel open.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from cases.models import Case, Unit
from reports.models import Inspection, Report, ReportKind, ReportStatus
from reports.services import report_draft_create

from .browser_kit import DESKTOP, PHONE, Screens, screen_problems

pytest.importorskip("time_machine")  # seed_reports writes its planted history at its own dates

# Each screen in both languages and at both widths, in two walks rather than four to keep the run short
# (~45 s a walk); tests/web/test_browser.py adds the whole line at both widths in Vietnamese.
WALKS = [("vi", PHONE), ("en", DESKTOP)]
MISSING = "/khong-co-trang-nay/"  # the "not found" page
UNFOLD = "document.querySelectorAll('details').forEach((d) => { d.open = true; })"


def _case(*statuses):
    """A commune A case in one of these states (the demo has each)."""
    return Case.objects.filter(status__in=statuses, owner__code__startswith="DM-ANBINH").order_by("pk")[0].code


def _screens_by_person() -> dict[str | None, list[str]]:
    """The screens each person works in, addressed with the demo's own cases, reports and inspection."""
    secretariat = get_user_model().objects.get(username="secretariat")
    draft = report_draft_create(by=secretariat, unit=Unit.objects.get(code="DM-ANBINH"), kind=ReportKind.AD_HOC,
                                period_start=timezone.localdate() - timedelta(days=7),
                                period_end=timezone.localdate())
    submitted = Report.objects.filter(unit__code="DM-ANBINH", status=ReportStatus.SUBMITTED).first()
    inspection = Inspection.objects.order_by("pk").first()
    some_case = _case("resolved", "reported")
    return {
        None: ["/login/", "/tra-cuu/", MISSING],
        "clerk": ["/cases/?tab=mine", "/cases/?tab=all&q=nuoc", "/cases/new/", f"/cases/{_case('received')}/",
                  "/password/", "/password/done/"],
        "leader": ["/dashboard/", f"/cases/{_case('verified')}/", "/reports/", f"/reports/{draft.pk}/",
                   f"/reports/{submitted.pk}/", "/reports/emerging/", "/reports/exports/", "/security/2fa/"],
        "handler": [f"/cases/{_case('assigned')}/", f"/cases/{some_case}/"],
        "supervisor": ["/cases/?tab=escalated", "/reports/units/DM/", "/inbox/"],
        "inspector": ["/inspection/", f"/cases/{some_case}/audit/", "/reports/inspection/",
                      "/reports/inspection/log/", "/reports/inspection/admin-changes/",
                      f"/reports/inspection/{inspection.pk}/", f"/reports/inspection/{inspection.pk}/cases/",
                      f"/reports/inspection/{inspection.pk}/sample/",
                      f"/reports/inspection/{inspection.pk}/cases/{some_case}/"],
    }


def _walk(screens, by_person, *, phone) -> list[str]:
    problems = []
    for username, paths in by_person.items():
        page = screens.person(username)
        for path in paths:
            response = page.goto(screens.base_url + path)
            # The screen itself, in the walk's language: not a refusal, nor a redirect to the login page.
            assert response.status == (404 if path == MISSING else 200), (username, path, response.status)
            assert page.url == screens.base_url + path, (username, path, page.url)
            assert page.evaluate("document.documentElement.lang") == screens.language, path
            page.evaluate(UNFOLD)
            problems += screen_problems(page, phone=phone)
        page.context.close()
    return problems


@pytest.mark.django_db(transaction=True)
def test_every_screen_fits_a_phone_and_passes_wcag_21_aa_in_both_languages(live_server, browser):
    call_command("seed_demo", verbosity=0)
    call_command("seed_reports", verbosity=0)
    by_person = _screens_by_person()
    problems, sessions = [], {}
    for language, viewport in WALKS:
        screens = Screens(browser, live_server.url, viewport=viewport, language=language, sessions=sessions)
        problems += [f"{language} {viewport['width']} px {problem}"
                     for problem in _walk(screens, by_person, phone=viewport is PHONE)]
    assert not problems, "\n".join(problems)
