"""The emerging-issue signal: a planted spike is flagged, steady data is not; the statistic itself."""

import math
from datetime import timedelta

import pytest

from cases.services import case_intake, case_reject
from reports.emerging import MIN_COUNT, emerging_issues, poisson_upper_tail, weekly_counts

from .conftest import at

NOW = at(2026, 5, 20, 12)


@pytest.fixture
def receive(world, time_machine):
    """Log `n` cases of a topic at a locality, `days_ago` days before NOW."""
    time_machine.move_to(NOW, tick=False)

    def make(n, days_ago, *, topic=None, locality=None, by=None):
        made = []
        for index in range(n):
            made.append(case_intake(
                by=by or world.clerk, title=f"Phản ánh {days_ago}-{index}", channel=world.channel,
                topic=topic or world.topic, locality=locality or world.hamlet_a,
                received_at=NOW - timedelta(days=days_ago, minutes=index + 1),
            ))
        return made

    return make


def test_poisson_upper_tail_matches_the_textbook_values():
    # P(X >= k) = 1 - sum_{i<k} e^-m m^i / i!
    def by_definition(k, m):
        return 1 - sum(math.exp(-m) * m**i / math.factorial(i) for i in range(k))

    for k, m in [(1, 0.5), (3, 0.5), (4, 1.0), (6, 1.25), (10, 3.0), (2, 7.0)]:
        assert poisson_upper_tail(k, m) == pytest.approx(by_definition(k, m), rel=1e-9)
    assert poisson_upper_tail(0, 2.0) == 1.0
    assert poisson_upper_tail(40, 1.0) < 1e-40  # far in the tail, no cancellation to 0 or below


def test_a_planted_spike_is_flagged(world, receive):
    for weeks_ago in range(1, 9):  # about one a week for eight weeks...
        receive(1 if weeks_ago % 2 else 0, 7 * weeks_ago + 2)
    receive(6, 2)  # ...then six in the last week
    receive(1, 3, topic=world.quiet_topic)  # another topic, same place: quiet

    signals = emerging_issues(unit=world.province, until=NOW)
    assert len(signals) == 1
    signal = signals[0]
    assert (signal.topic_code, signal.locality_code, signal.count) == (world.topic.code, world.hamlet_a.code, 6)
    assert signal.baseline == pytest.approx(0.5)
    assert signal.weeks == (0, 1, 0, 1, 0, 1, 0, 1, 6)  # oldest first, this week last
    assert signal.p_value == pytest.approx(poisson_upper_tail(6, 0.5))
    assert signal.p_value < 0.01
    # A commune sees its own localities only.
    assert emerging_issues(unit=world.commune_b, until=NOW) == []
    assert [s.locality_code for s in emerging_issues(unit=world.commune_a, until=NOW)] == [world.hamlet_a.code]


def test_steady_data_stays_quiet(world, receive):
    # Three to five a week, every week, in two places: this week's four is ordinary.
    for weeks_ago, n in enumerate([4, 3, 5, 4, 3, 5, 4, 4, 5]):
        receive(n, 7 * weeks_ago + 1)
        receive(n, 7 * weeks_ago + 1, locality=world.hamlet_b, by=world.clerk2)
    counts = weekly_counts(unit=world.province, until=NOW)
    assert counts[(world.topic.pk, world.hamlet_a.pk)] == [5, 4, 4, 5, 3, 4, 5, 3, 4]
    assert emerging_issues(unit=world.province, until=NOW) == []


def test_small_numbers_and_rejected_cases_do_not_flag(world, receive):
    receive(MIN_COUNT - 1, 1)  # never seen before, but only two
    assert emerging_issues(unit=world.province, until=NOW) == []
    spam = receive(4, 1, locality=world.hamlet_b, by=world.clerk2)
    for case in spam:
        case_reject(case=case, by=world.clerk2, reason="Tin rác")
    assert emerging_issues(unit=world.province, until=NOW) == []


def test_the_dashboard_and_the_report_draft_show_the_flag(world, receive, as_user, time_machine):
    from reports.figures import report_figures
    from reports.models import ReportKind

    receive(5, 1)
    figures = report_figures(unit=world.commune_a, kind=ReportKind.MONTHLY, start=NOW.date().replace(day=1),
                             end=NOW.date().replace(day=31))
    assert [(s["topic_code"], s["count"]) for s in figures["emerging"]] == [(world.topic.code, 5)]

    page = as_user("leader").get("/dashboard/")
    assert page.status_code == 200
    panel = page.content.decode().split('data-testid="emerging-panel"')[1]
    assert world.topic.name in panel and world.hamlet_a.name in panel
    other = as_user("leader2").get("/dashboard/").content.decode().split('data-testid="emerging-panel"')[1]
    assert world.hamlet_a.name not in other  # commune B's leader sees commune B's localities only
    assert as_user("handler").get("/reports/emerging/").status_code == 403
