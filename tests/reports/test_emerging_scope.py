"""Emerging-issue counts and dashboard figures count only the cases the reader may see (issue 15, item 7).

Cases of commune A's hamlet handled by commune B (logged before intake kept to its scope, or moved there)
are B's: A's pages and A's report do not count them, B's and the province's do.
"""

from datetime import timedelta

import pytest

from cases.models import Case
from cases.services import case_intake
from reports.emerging import emerging_issues

from .conftest import at

NOW = at(2026, 5, 20, 12)


@pytest.fixture
def spike(world, time_machine):
    """Five cases this week about `locality`, logged by `by`; then the locality set as an old row may hold it."""
    time_machine.move_to(NOW, tick=False)

    def make(*, by, logged_at, locality):
        made = [
            case_intake(by=by, title=f"Nước sạch bị đục {index}", channel=world.channel, topic=world.topic,
                        locality=logged_at, received_at=NOW - timedelta(days=1, minutes=index + 1))
            for index in range(5)
        ]
        Case.objects.filter(pk__in=[case.pk for case in made]).update(locality=locality)
        return made

    return make


def _emerging_page(as_user, username):
    response = as_user(username).get("/reports/emerging/")
    assert response.status_code == 200
    return response.content.decode().split('data-testid="emerging-list"')[1].split("</section>")[0]


def test_a_commune_does_not_count_another_communes_cases_about_its_hamlet(world, spike, as_user):
    spike(by=world.clerk2, logged_at=world.hamlet_b, locality=world.hamlet_a)  # B's cases, A's hamlet

    seen_by_a = _emerging_page(as_user, "leader")
    assert world.hamlet_a.name not in seen_by_a
    assert "Không có lĩnh vực, địa bàn nào tăng bất thường." in seen_by_a
    assert emerging_issues(unit=world.commune_a, user=world.leader, until=NOW) == []
    # A's report counts the cases A's subtree owns, as its other figures do.
    assert emerging_issues(unit=world.commune_a, until=NOW) == []
    # The province sees B's cases, so it counts them, under the hamlet they are about.
    [signal] = emerging_issues(unit=world.province, user=world.supervisor, until=NOW)
    assert (signal.locality_code, signal.count) == (world.hamlet_a.code, 5)
    assert "Thôn 1 xã A" in _emerging_page(as_user, "supervisor")
    assert [s.count for s in emerging_issues(unit=world.province, until=NOW)] == [5]


def test_a_commune_counts_its_own_cases(world, spike, as_user):
    spike(by=world.clerk, logged_at=world.hamlet_a, locality=world.hamlet_a)

    seen_by_a = _emerging_page(as_user, "leader")
    assert "Thôn 1 xã A" in seen_by_a and "5 vụ việc trong 7 ngày" in seen_by_a
    assert [s.count for s in emerging_issues(unit=world.commune_a, until=NOW)] == [5]
    # Commune B sees none of them.
    assert emerging_issues(unit=world.commune_b, user=world.leader2, until=NOW) == []


def test_the_dashboard_panel_counts_only_what_the_leader_may_see(world, spike, as_user):
    spike(by=world.clerk2, logged_at=world.hamlet_b, locality=world.hamlet_a)

    page = as_user("leader").get("/dashboard/").content.decode()
    panel = page.split('data-testid="emerging-panel"')[1]
    assert "Thôn 1 xã A" not in panel.split("</section>")[0]
    # Nor do the dashboard's own figures count B's cases.
    assert 'data-testid="kpi-total">0<' in page
    assert 'data-testid="kpi-open">0<' in page
    assert 'data-testid="kpi-total">5<' in as_user("leader2").get("/dashboard/").content.decode()
