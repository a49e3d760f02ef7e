"""The analysis screen of the demo's closed survey (400 answers, weighted) in Debian's Chromium at 1366 px and at
390 px: frequencies with their charts, a crosstab with its Rao–Scott test; no sideways scroll, no small tap
target on the phone, no WCAG 2.1 AA violation; the weights' screen, a results report and the public results
page pass the same checks at 390 px. Screenshots for docs/surveys.md:
docs/screenshots/surveys-results-analysis-1366.png and -390.png."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from surveys.demo import CLOSED_TOPIC
from surveys.models import SurveyPlan
from surveys.services import results_approve, results_create, results_submit, weighting_run

from .browser_kit import DESKTOP, PHONE, Screens, screen_problems


@pytest.mark.django_db(transaction=True)
def test_the_analysis_screen_at_desktop_and_phone_width(live_server, browser):
    call_command("seed_demo", stdout=io.StringIO())
    plan = SurveyPlan.objects.get(topic=CLOSED_TOPIC)
    leader = get_user_model().objects.get(username="leader_province")  # the province's survey: its leader weights it
    run = weighting_run(plan=plan, by=leader)
    assert run.converged
    screens = Screens(browser, live_server.url)
    page = screens.person("leader_province")
    for width, viewport in (("1366", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/surveys/{plan.pk}/analysis/?row=sex&column=hai_long")
        assert page.locator('[data-testid="frequency-hai_long"] svg[role="img"] title').count() == 1
        assert page.locator('[data-testid="crosstab-sex-hai_long"] [data-testid="rao-scott"]').is_visible()
        assert "Tỷ lệ có gia quyền" in page.locator('[data-testid="frequency-hai_long"]').text_content()
        assert screen_problems(page, phone=viewport is PHONE) == []
        screens.shot(page, f"surveys-results-analysis-{width}")
    # The weights' screen, and a report published as public on the public page, pass the same checks.
    page.goto(f"{live_server.url}/surveys/{plan.pk}/weighting/")
    assert page.locator('[data-testid="converged"]').is_visible()
    assert screen_problems(page, phone=True) == []
    results = results_create(plan=plan, by=leader, title="Kết quả điều tra thủ tục hành chính", scope="public",
                             table_specs=[{"kind": "frequency", "question": "hai_long"},
                                          {"kind": "crosstab", "row": "locality", "column": "hai_long"}])
    results_approve(results=results_submit(results=results, by=leader), by=leader)
    page.goto(f"{live_server.url}/surveys/results/{results.pk}/")
    assert screen_problems(page, phone=True) == []
    public = screens.person()
    public.set_viewport_size(PHONE)
    public.goto(f"{live_server.url}/khao-sat/ket-qua/{results.pk}/")
    assert public.locator('[data-testid="crosstab-locality-hai_long"] svg[role="img"]').count() == 1
    assert screen_problems(public, phone=True) == []
    public.context.close()
    page.context.close()
