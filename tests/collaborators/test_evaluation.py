"""The evaluation of collaborators for a period: the counts match the data (notes filed, requests answered by
their deadline, briefings and trainings attended), the secretariat rates with a comment, the leader may not,
commune B cannot read commune A's (404), the province reads it; the yearly review exports as CSV."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from collaborators.models import Briefing, Evaluation, TrainingSession

from . import briefing_factories as make


def at(year, month, day, hour=9):
    return timezone.make_aware(datetime(year, month, day, hour))


@pytest.fixture
def work(world, time_machine):
    time_machine.move_to(at(2026, 7, 10), tick=False)
    a = world.commune_a
    lan = make.collaborator(a, "Cộng tác viên Lan", localities=[world.hamlet_a])
    hai = make.collaborator(a, "Cộng tác viên Hải")
    make.collaborator(world.commune_b, "Cộng tác viên của phường B")
    water = make.subject(a, "Nước sạch", by=world.secretariat)
    # Two requests due in the first half: Lan answers both on time, Hải answers the first one late.
    first = make.request(water, by=world.secretariat, sent_at=at(2026, 3, 1), deadline=at(2026, 3, 10, 17),
                         to=[lan, hai])
    second = make.request(water, by=world.secretariat, sent_at=at(2026, 5, 1), deadline=at(2026, 5, 10, 17),
                          to=[lan, hai])
    make.note(lan, water, world.hamlet_a, "concerned", at(2026, 3, 5), request=first)
    make.note(lan, water, world.hamlet_a, "agree", at(2026, 5, 9), request=second)
    make.note(lan, water, world.hamlet_a, "agree", at(2026, 6, 30, 20))
    make.note(hai, water, world.hamlet_a, "disagree", at(2026, 3, 12), request=first)  # two days late
    make.note(lan, water, world.hamlet_a, "agree", at(2026, 7, 2))  # the second half: not counted
    briefing = Briefing.objects.create(unit=a, kind="monthly", held_at=at(2026, 4, 25), created_by=world.secretariat)
    briefing.attendees.set([lan])
    later = Briefing.objects.create(unit=a, kind="monthly", held_at=at(2026, 7, 5), created_by=world.secretariat)
    later.attendees.set([lan, hai])
    training = TrainingSession.objects.create(unit=a, title="Tập huấn", held_on=date(2026, 6, 1))
    training.attendees.set([lan, hai])
    return {"lan": lan, "hai": hai}


def _row(page, collaborator):
    row = page.split(f'data-collaborator="{collaborator.pk}"')[1].split("</tr>")[0]
    return {key: row.split(f'data-testid="{key}">')[1].split("<")[0]
            for key in ("notes", "requests", "on-time", "briefings", "trainings")}


def test_evaluation_counts_match_the_data_and_the_secretariat_rates(world, work, as_user):
    page = as_user("secretariat").get("/collaborators/evaluation/P-A/?period=2026-H1").content.decode()
    assert _row(page, work["lan"]) == {"notes": "3", "requests": "2", "on-time": "2", "briefings": "1", "trainings": "1"}
    assert _row(page, work["hai"]) == {"notes": "1", "requests": "2", "on-time": "0", "briefings": "0", "trainings": "1"}
    assert "Cộng tác viên của phường B" not in page

    response = as_user("secretariat").post(f"/collaborators/evaluation/rate/{work['lan'].pk}/", {
        "period": "2026-H1", "grade": "good", "comment": "Phản ánh kịp thời, đúng hạn."})
    assert response.status_code == 302 and response["Location"] == "/collaborators/evaluation/P-A/?period=2026-H1"
    page = as_user("supervisor").get("/collaborators/evaluation/P-A/?period=2026-H1").content.decode()
    assert "Hoàn thành tốt nhiệm vụ" in page and "Phản ánh kịp thời, đúng hạn." in page
    assert 'name="grade"' not in page  # the province reads the ratings, the secretariat gives them

    # A month is no evaluation period; the leader does not rate; commune B does not even see them.
    bad = as_user("secretariat").post(f"/collaborators/evaluation/rate/{work['hai'].pk}/",
                                      {"period": "2026-03", "grade": "good"}, follow=True)
    assert "Kỳ đánh giá là 6 tháng (2026-H1, 2026-H2) hoặc một năm (2026)." in bad.content.decode()
    refused = as_user("leader").post(f"/collaborators/evaluation/rate/{work['hai'].pk}/",
                                     {"period": "2026-H1", "grade": "excellent"}, follow=True)
    assert "Chỉ văn phòng tổng hợp của đơn vị mới đánh giá cộng tác viên." in refused.content.decode()
    assert as_user("leader2").post(f"/collaborators/evaluation/rate/{work['hai'].pk}/",
                                   {"period": "2026-H1", "grade": "excellent"}).status_code == 404
    assert list(Evaluation.objects.values_list("collaborator__full_name", "grade")) == [("Cộng tác viên Lan", "good")]
    assert as_user("leader2").get("/collaborators/evaluation/P-A/?period=2026").status_code == 404
    assert as_user("handler").get("/collaborators/evaluation/P-A/?period=2026").status_code == 404


def test_the_yearly_review_lists_every_unit_and_exports(world, work, as_user):
    links = as_user("supervisor").get("/collaborators/briefings/").content.decode().split('"evaluation-links"')[1]
    assert 'href="/collaborators/evaluation/P/?period=2026"' in links.split("</section>")[0]
    page = as_user("supervisor").get("/collaborators/evaluation/P/?period=2026").content.decode()
    units = [part.split("</h2>")[0] for part in page.split('data-testid="evaluation-unit">')[1:]]
    assert [u.split("<h2>")[1] for u in units] == ["Đảng ủy xã A", "Đảng ủy phường B"]
    assert _row(page, work["lan"])["notes"] == "4" and _row(page, work["lan"])["briefings"] == "2"
    csv = as_user("supervisor").get("/collaborators/evaluation/P/?period=2026&format=csv").content.decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0].startswith("Đơn vị,Cộng tác viên,Phiếu đã gửi")
    assert "Đảng ủy xã A,Cộng tác viên Lan,4,2,2,2,1,," in lines
