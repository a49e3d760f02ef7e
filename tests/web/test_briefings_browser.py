"""The briefing page, the evaluation and the situation report in a real browser, on the demo data
(seed_demo + seed_briefings, with a month of notes written straight): they fit a phone, pass WCAG 2.1 AA,
and their screenshots go to docs/screenshots/ (docs/collaborators.md)."""

from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from .browser_kit import PHONE, Screens, screen_problems


def _month_of_notes():
    from cases.models import Unit
    from django.contrib.auth import get_user_model
    from reports.models import ReportKind
    from reports.periods import last_ended_period
    from tests.collaborators import briefing_factories as make

    secretariat = get_user_model().objects.get(username="secretariat")
    commune = Unit.objects.get(code="DM-ANBINH")
    east, west = Unit.objects.get(code="DM-ANBINH-T01"), Unit.objects.get(code="DM-ANBINH-T02")
    start, _end = last_ended_period(ReportKind.SITUATION, timezone.localdate())
    lan = make.collaborator(commune, "Nguyễn Thị Lan (CTV thôn Đông)", localities=[east])
    hai = make.collaborator(commune, "Trần Văn Hải (CTV thôn Đoài)", localities=[west])
    merge = make.subject(commune, "Chủ trương sáp nhập thôn Đông và thôn Đoài", by=secretariat)
    water = make.subject(commune, "Chất lượng nước sạch ở thôn Đông", by=secretariat)

    def day(n):
        return timezone.make_aware(datetime.combine(start + timedelta(days=n), time(9)))

    make.note(lan, merge, east, "agree", day(3), summary="Đa số hộ dân đồng tình, mong sớm ổn định tổ chức thôn mới.",
              recommendation="Công khai phương án đặt tên thôn và nhà văn hóa.")
    make.note(hai, merge, west, "concerned", day(6), summary="Người cao tuổi băn khoăn về vị trí nhà văn hóa chung.",
              recommendation="Công khai phương án đặt tên thôn và nhà văn hóa.")
    make.note(lan, water, east, "indignant", day(12), summary="Nước máy đục nhiều ngày, người dân bức xúc.",
              recommendation="Kiểm tra nguồn nước, thông tin lại cho Nhân dân.", spread="wide", intensity="high")
    make.note(hai, water, west, "concerned", day(15), summary="Lo ngại nước ở thôn Đoài cũng bị ảnh hưởng.")


@pytest.mark.django_db(transaction=True)
def test_briefing_evaluation_and_situation_report_screens(live_server, browser):
    from collaborators.models import Briefing
    from reports.models import Report, ReportKind

    call_command("seed_demo", verbosity=0)
    _month_of_notes()
    call_command("seed_briefings", verbosity=0)
    briefing = Briefing.objects.get()
    report = Report.objects.get(kind=ReportKind.SITUATION)
    pages = [
        ("collaborators-briefing", f"/collaborators/briefings/{briefing.pk}/"),
        ("collaborators-briefing-list", "/collaborators/briefings/"),
        ("collaborators-evaluation", f"/collaborators/evaluation/DM-ANBINH/?period={timezone.localdate().year}"),
        ("situation-report", f"/reports/{report.pk}/"),
    ]
    sessions = {}
    problems = {}
    for viewport, suffix in ((None, ""), (PHONE, "-phone")):
        screens = Screens(browser, live_server.url, sessions=sessions, **({"viewport": viewport} if viewport else {}))
        page = screens.person("secretariat")
        for name, url in pages:
            page.goto(live_server.url + url)
            assert page.locator("h1").count() == 1
            if found := screen_problems(page, phone=bool(viewport)):
                problems[f"{name}{suffix}"] = found
            if name in ("collaborators-briefing", "situation-report") or not suffix:
                screens.shot(page, f"{name}{suffix}")
        page.context.close()
    assert problems == {}
