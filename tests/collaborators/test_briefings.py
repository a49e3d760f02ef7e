"""Briefings (giao ban) through the screens: the secretariat holds one with its agenda, attendance and minutes,
records a decision with an owner and a deadline, the leader turns it into a case whose state the briefing page
shows; commune B and the handler cannot read it (404), the province can."""

from datetime import datetime

import pytest
from django.utils import timezone

from cases.models import Case, CaseStatus, Channel
from collaborators.models import Briefing, BriefingDecision

from . import briefing_factories as make


def at(year, month, day, hour=9):
    return timezone.make_aware(datetime(year, month, day, hour))


@pytest.fixture
def network(world, time_machine):
    time_machine.move_to(at(2026, 5, 20), tick=False)
    Channel.objects.create(code="collaborator", name="Cộng tác viên dư luận xã hội")
    lan = make.collaborator(world.commune_a, "Cộng tác viên Lan", localities=[world.hamlet_a])
    other = make.collaborator(world.commune_b, "Cộng tác viên của phường B")
    water = make.subject(world.commune_a, "Chất lượng nước sạch", by=world.secretariat)
    return {"lan": lan, "other": other, "water": water}


def test_a_briefing_with_minutes_and_a_decision_that_becomes_a_case(world, network, as_user):
    secretariat = as_user("secretariat")
    response = secretariat.post("/collaborators/briefings/new/", {
        "unit": "P-A", "kind": "monthly", "held_at": "20/05/2026 08:00", "place": "Hội trường xã",
        "subjects": [str(network["water"].pk)], "attendees": [str(network["lan"].pk)]})
    briefing = Briefing.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/collaborators/briefings/{briefing.pk}/"
    assert list(briefing.attendees.all()) == [network["lan"]]

    # Someone of commune B offered as attending: refused with a clear message, nothing changes.
    response = secretariat.post(f"/collaborators/briefings/{briefing.pk}/save/", {
        "minutes": "X", "attendees": [str(network["other"].pk)]}, follow=True)
    assert "Lựa chọn không hợp lệ." in response.content.decode()
    assert Briefing.objects.get().minutes == ""

    secretariat.post(f"/collaborators/briefings/{briefing.pk}/save/", {
        "minutes": "Cộng tác viên báo cáo tình hình nước sạch.", "place": "Hội trường xã",
        "subjects": [str(network["water"].pk)], "attendees": [str(network["lan"].pk)]})
    secretariat.post(f"/collaborators/briefings/{briefing.pk}/decisions/", {
        "text": "Kiểm tra nguồn nước thôn 1.", "owner": "P-A-T1", "deadline": "10/06/2026", "topic": "MT"})
    decision = BriefingDecision.objects.get()
    assert (decision.owner, decision.topic, timezone.localtime(decision.deadline).date().isoformat()) == (
        world.hamlet_a, world.topic, "2026-06-10")

    # The secretariat holds briefings but logs no case: only the leader (an intake role) turns it into one.
    refused = secretariat.post(f"/collaborators/briefings/{briefing.pk}/decisions/{decision.pk}/case/", follow=True)
    assert "Chỉ lãnh đạo đơn vị mới chuyển kết luận giao ban thành vụ việc." in refused.content.decode()
    assert not Case.objects.exists()
    as_user("leader").post(f"/collaborators/briefings/{briefing.pk}/decisions/{decision.pk}/case/")
    case = Case.objects.get()
    assert (case.owner, case.channel.code, case.topic, case.status) == (
        world.commune_a, "collaborator", world.topic, CaseStatus.RECEIVED)
    assert "Đơn vị thực hiện: Thôn 1 xã A. Hạn: 10/06/2026." in case.description
    again = as_user("leader").post(f"/collaborators/briefings/{briefing.pk}/decisions/{decision.pk}/case/",
                                   follow=True)
    assert "Kết luận này đã được chuyển thành vụ việc." in again.content.decode() and Case.objects.count() == 1

    page = as_user("supervisor").get(f"/collaborators/briefings/{briefing.pk}/").content.decode()
    row = page.split('data-testid="decision-row"')[1]
    assert case.code in row and "Tiếp nhận" in row.split('data-testid="decision-state"')[1][:40]
    assert "Cộng tác viên báo cáo tình hình nước sạch." in page and "Cộng tác viên Lan" in page
    assert 'data-testid="decision-to-case"' not in page  # the province reads, the unit writes


def test_commune_b_cannot_read_commune_a_briefings_the_province_can(world, network, as_user):
    briefing = Briefing.objects.create(unit=world.commune_a, kind="ad_hoc", held_at=at(2026, 5, 20),
                                       minutes="Biên bản của xã A.", created_by=world.secretariat)
    url = f"/collaborators/briefings/{briefing.pk}/"
    for username in ("leader2", "handler", "clerk", "hamlet_leader"):
        assert as_user(username).get(url).status_code == 404, username
        assert "Biên bản của xã A." not in as_user(username).get("/collaborators/briefings/").content.decode()
    # Writes are scoped like reads: out of reach is 404 whatever the input.
    assert as_user("leader2").post(f"{url}save/", {"minutes": "Sửa."}).status_code == 404
    assert as_user("leader2").post(f"{url}decisions/", {"text": "x"}).status_code == 404
    assert Briefing.objects.get().minutes == "Biên bản của xã A."
    for username in ("supervisor", "inspector", "leader", "secretariat"):
        assert as_user(username).get(url).status_code == 200, username
    # The province reads but does not write: refused before its input is judged.
    assert as_user("supervisor").post(f"{url}save/", {"minutes": "Sửa."}).status_code == 403
    assert Briefing.objects.get().minutes == "Biên bản của xã A."


def test_the_briefing_evaluation_and_situation_pages_in_english_show_no_vietnamese_labels(world, network, as_user):
    from django.conf import settings
    from django.test import Client
    from django.utils import translation

    from collaborators.models import Attitude, BriefingKind, Grade
    from reports.models import ReportKind
    from reports.services import report_draft_create
    from tests.web.conftest import visible_text

    briefing = Briefing.objects.create(unit=world.commune_a, kind="six_month", held_at=at(2026, 5, 20),
                                       minutes="Biên bản.", created_by=world.secretariat)
    briefing.attendees.set([network["lan"]])
    make.note(network["lan"], network["water"], world.hamlet_a, "indignant", at(2026, 4, 10), summary="Nước đục.")
    report = report_draft_create(by=world.secretariat, unit=world.commune_a, kind=ReportKind.SITUATION,
                                 period_start=at(2026, 4, 1).date())
    with translation.override("vi"):
        labels = {str(label) for choices in (BriefingKind, Grade, Attitude) for label in choices.labels}
        labels |= {str(ReportKind.SITUATION.label), "Kết luận, giao việc", "Tình hình dư luận xã hội", "Phiếu đã gửi"}
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.secretariat)
    data = ["Đảng ủy xã A", "Thôn 1 xã A", "Chất lượng nước sạch", "Cộng tác viên Lan", "Biên bản.", "Nước đục.",
            report.narrative, report.title]
    for path in ("/collaborators/briefings/", f"/collaborators/briefings/{briefing.pk}/",
                 "/collaborators/evaluation/P-A/?period=2026-H1", f"/reports/{report.pk}/"):
        response = client.get(path)
        assert response.status_code == 200 and '<html lang="en"' in response.content.decode(), path
        text = visible_text(response)
        for written in sorted(filter(None, data), key=len, reverse=True):
            text = text.replace(written, " ")
        assert [label for label in labels if label in text] == [], path
    assert "Public-opinion situation report" in text and "State of public opinion" in text  # it can tell


def test_a_writer_of_two_units_chooses_the_unit_and_the_lists_follow_it(world, network, as_user):
    """The secretariat of commune A is also commune B's: the page asks for the unit first (?unit=), and the new
    briefing's subjects and collaborators (and the training's) are the chosen unit's, never the first one's."""
    from cases.models import Role
    from cases.services import unit_role_grant

    unit_role_grant(user=world.secretariat, unit=world.commune_b, role=Role.SECRETARIAT)
    market = make.subject(world.commune_b, "Di dời chợ phường B", by=world.leader2)
    secretariat = as_user("secretariat")

    def offered(page):
        html = page.content.decode()
        return {name for name in ("Chất lượng nước sạch", "Cộng tác viên Lan", "Di dời chợ phường B",
                                  "Cộng tác viên của phường B") if name in html}

    first = secretariat.get("/collaborators/briefings/")
    assert 'data-testid="unit-chooser"' in first.content.decode()
    assert [code for code, _label in first.context["unit_form"].fields["unit"].choices] == ["P-A", "P-B"]
    assert offered(first) == {"Chất lượng nước sạch", "Cộng tác viên Lan"}
    chosen = secretariat.get("/collaborators/briefings/?unit=P-B")
    assert offered(chosen) == {"Di dời chợ phường B", "Cộng tác viên của phường B"}
    html = chosen.content.decode()
    assert html.count('<input type="hidden" name="unit" value="P-B"') == 2  # the briefing's and the training's
    assert '<option value="P-B" selected>' in html

    response = secretariat.post("/collaborators/briefings/new/", {
        "unit": "P-B", "kind": "ad_hoc", "held_at": "20/05/2026 14:00",
        "subjects": [str(market.pk)], "attendees": [str(network["other"].pk)]})
    briefing = Briefing.objects.get()
    assert response.status_code == 302 and (briefing.unit, list(briefing.subjects.all()),
                                             list(briefing.attendees.all())) == (world.commune_b, [market],
                                                                                 [network["other"]])
    # A mix of the two units' lists is refused, back on the unit chosen; nothing is stored.
    refused = secretariat.post("/collaborators/briefings/new/", {
        "unit": "P-B", "kind": "ad_hoc", "held_at": "21/05/2026 14:00", "attendees": [str(network["lan"].pk)]})
    assert refused["Location"] == "/collaborators/briefings/?unit=P-B" and Briefing.objects.count() == 1

    # A unit that is not theirs is not found; a writer of one unit gets no chooser.
    assert secretariat.get("/collaborators/briefings/?unit=P").status_code == 404
    assert 'data-testid="unit-chooser"' not in as_user("leader").get("/collaborators/briefings/").content.decode()
