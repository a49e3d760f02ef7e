"""The monthly situation report (báo cáo tình hình dư luận xã hội): drafted from the month's opinion notes by
subject, submitted up a tier through the real screens by the demo users, frozen and read by the province, never
by the other commune; its deadline before the 15th with a reminder and an escalation; a rapid report on one
subject."""

import io
from datetime import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cases.models import Unit
from collaborators.models import NoteAction, NoteEvent
from reports.models import Report, ReportAlert, ReportKind, ReportStatus
from reports.services import report_alerts_sweep, report_draft_create
from surveys.demo_results import RESULTS_TITLE

from . import briefing_factories as make


def at(year, month, day, hour=9):
    return timezone.make_aware(datetime(year, month, day, hour))


def _client(username):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def demo_notes(db, time_machine):
    """The demo province on 5 April 2026, with March's notes of two collaborators of commune A."""
    time_machine.move_to(at(2026, 3, 1, 8), tick=False)
    call_command("seed_demo", verbosity=0)
    secretariat = get_user_model().objects.get(username="secretariat")
    commune = Unit.objects.get(code="DM-ANBINH")
    east, west = Unit.objects.get(code="DM-ANBINH-T01"), Unit.objects.get(code="DM-ANBINH-T02")
    lan = make.collaborator(commune, "Cộng tác viên Lan", localities=[east])
    hai = make.collaborator(commune, "Cộng tác viên Hải", localities=[west])
    merge = make.subject(commune, "Sáp nhập thôn Đông và thôn Đoài", by=secretariat)
    water = make.subject(commune, "Chất lượng nước sạch", by=secretariat)
    make.note(lan, merge, east, "agree", at(2026, 3, 4), summary="Đa số đồng tình với phương án sáp nhập.",
              recommendation="Công khai phương án đặt tên thôn mới.")
    make.note(hai, merge, west, "concerned", at(2026, 3, 9), summary="Băn khoăn về nhà văn hóa chung.",
              recommendation="Công khai phương án đặt tên thôn mới.")
    muddy = make.note(lan, water, east, "indignant", at(2026, 3, 20), summary="Nước đục nhiều ngày, người dân bức xúc.",
                      recommendation="Kiểm tra nguồn nước thôn Đông.", spread="wide", intensity="high")
    make.note(lan, water, east, "indignant", at(2026, 4, 2), summary="Tháng sau: không tính vào tháng 3.")
    time_machine.move_to(at(2026, 4, 5), tick=False)
    return {"lan": lan, "water": water, "east": east, "muddy": muddy, "secretariat": secretariat}


def test_secretariat_drafts_leader_submits_province_reads_commune_b_never(demo_notes, time_machine):
    secretariat = _client("secretariat")
    response = secretariat.post("/reports/new/", {"unit": "DM-ANBINH", "kind": "situation",
                                                  "period_start": "01/03/2026"})
    # (seed_demo drafted February's on 1 March.)
    report = Report.objects.get(kind=ReportKind.SITUATION, period_start=at(2026, 3, 1).date())
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert report.due_at == at(2026, 4, 15, 0)  # before the 15th of the next month
    page = secretariat.get(f"/reports/{report.pk}/").content.decode()
    opinion = page.split('data-testid="opinion"')[1].split("</section>")[0]
    assert "3 phiếu thông tin dư luận của 2 cộng tác viên" in opinion  # April's note is not March's
    water = opinion.split("Chất lượng nước sạch")[1]
    assert "Nước đục nhiều ngày, người dân bức xúc." in water and "Kiểm tra nguồn nước thôn Đông." in water
    merge = opinion.split("Sáp nhập thôn Đông và thôn Đoài")[1].split("Chất lượng nước sạch")[0]
    assert merge.count("Công khai phương án đặt tên thôn mới.") == 1  # the same recommendation, condensed once
    # The narrative starts drafted from the notes, one paragraph a subject, for the secretariat to edit.
    assert report.narrative.startswith("1. Sáp nhập thôn Đông và thôn Đoài: 2 phiếu thông tin (đồng tình, ủng hộ: 1; băn")
    assert "2. Chất lượng nước sạch: 1 phiếu thông tin (bức xúc: 1)." in report.narrative
    assert 'data-testid="reported-cases"' not in page  # the monthly report accounts for the cases, not this one

    secretariat.post(f"/reports/{report.pk}/save/", {"narrative": report.narrative + "\nĐề xuất: đối thoại."})
    assert _client("leader2").get(f"/reports/{report.pk}/").status_code == 404  # commune B: not found
    assert _client("supervisor").get(f"/reports/{report.pk}/").status_code == 404  # a draft stays with the unit

    leader = _client("leader")
    response = leader.post(f"/reports/{report.pk}/submit/", {"confirm": "1"})
    report.refresh_from_db()
    assert response.status_code == 302 and report.status == ReportStatus.SUBMITTED and report.version == 1
    version = report.versions.get()
    assert version.marked_cases == [] and version.narrative.endswith("Đề xuất: đối thoại.")
    assert version.figures["opinion"]["notes"] == 3
    # The demo's earlier clean-water wave, published by the commune that month (surveys/demo_results.py).
    assert [s["title"].split(" (")[0] for s in version.figures["surveys"]] == [f"Kết quả điều tra: {RESULTS_TITLE}"]

    # Frozen: a late note for March changes the draft-era numbers nowhere.
    make.note(demo_notes["lan"], demo_notes["water"], demo_notes["east"], "concerned", at(2026, 3, 30))
    for username in ("supervisor", "leader_province", "inspector"):
        province = _client(username).get(f"/reports/{report.pk}/")
        assert province.status_code == 200, username
        assert "3 phiếu thông tin dư luận của 2 cộng tác viên" in province.content.decode()
    assert _client("leader2").get(f"/reports/{report.pk}/").status_code == 404
    assert _client("leader2").get(f"/reports/{report.pk}/export.docx").status_code == 404
    # A note redacted after the report was sent shows redacted in the sent report too (its code stays).
    muddy = demo_notes["muddy"]
    muddy.summary = "Nước đục nhiều ngày [đã che thông tin]."
    muddy.save(update_fields=["summary"])
    NoteEvent.objects.create(note=muddy, seq=2, action=NoteAction.REDACTED, actor=demo_notes["secretariat"],
                             at=timezone.now(), hash="0" * 64)
    sent = _client("supervisor").get(f"/reports/{report.pk}/").content.decode()
    sent = sent.split('data-testid="opinion"')[1].split("</section>")[0]
    assert "Nước đục nhiều ngày [đã che thông tin]." in sent and "người dân bức xúc." not in sent
    assert muddy.code in sent
    # The province's side by side: commune A's notes by attitude beside commune B's absent report.
    side = _client("supervisor").get("/reports/units/DM/?kind=situation&day=01/03/2026").content.decode()
    notes_row = side.split("<td>Phiếu thông tin dư luận</td>")[1].split("</tr>")[0]
    assert [c.split("</td>")[0] for c in notes_row.split("<td>")[1:]] == ["3", "—", "<strong>3</strong>"]
    indignant = side.split("<td>Thái độ: Bức xúc</td>")[1].split("</tr>")[0]
    assert "<strong>1</strong>" in indignant

    from docx import Document

    document = Document(io.BytesIO(_client("supervisor").get(f"/reports/{report.pk}/export.docx").content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Tình hình dư luận xã hội tháng 3 năm 2026" in text
    assert "I. TÌNH HÌNH DƯ LUẬN XÃ HỘI" in text and "II. SỐ LIỆU TIẾP NHẬN, GIẢI QUYẾT" in text
    assert "III. ĐÁNH GIÁ, ĐỀ XUẤT" in text and "Nước đục nhiều ngày, người dân bức xúc." in text
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Địa bàn")
    assert [c.text for c in table.rows[0].cells][-1] == "Cộng"
    assert _client("supervisor").get(f"/reports/{report.pk}/export.pdf").status_code == 200


def test_a_rapid_report_on_one_subject_holds_only_its_notes(demo_notes):
    response = _client("secretariat").post("/reports/new/", {
        "unit": "DM-ANBINH", "kind": "ad_hoc", "period_start": "01/03/2026", "period_end": "31/03/2026",
        "subject": str(demo_notes["water"].pk)})
    report = Report.objects.get(kind=ReportKind.AD_HOC)
    assert response.status_code == 302 and report.subject == demo_notes["water"]
    page = _client("secretariat").get(f"/reports/{report.pk}/").content.decode()
    opinion = page.split('data-testid="opinion"')[1].split("</section>")[0]
    assert "Chất lượng nước sạch" in opinion and "Sáp nhập" not in opinion
    assert "1 phiếu thông tin dư luận của 1 cộng tác viên" in opinion


def test_the_situation_report_is_reminded_before_the_15th_and_escalated_after(world, time_machine, as_user):
    make.collaborator(world.commune_a, "Cộng tác viên của xã A")  # only commune A runs a network
    time_machine.move_to(at(2026, 4, 12, 8), tick=False)  # three days before March's report is due
    report_alerts_sweep()
    situation = ReportAlert.objects.filter(kind=ReportKind.SITUATION)
    assert list(situation.values_list("unit__code", "action", "to_unit__code")) == [("P-A", "remind", "P-A")]
    page = as_user("secretariat").get("/reports/").content.decode().split('data-testid="report-alerts"')[1]
    assert "Sắp đến hạn" in page and "Báo cáo tình hình dư luận xã hội" in page

    time_machine.move_to(at(2026, 4, 15, 8), tick=False)  # due at 00:00 on the 15th: missed
    report_alerts_sweep()
    escalation = situation.get(action="escalate")
    assert (escalation.unit, escalation.to_unit) == (world.commune_a, world.province)
    upward = as_user("supervisor").get("/reports/").content.decode().split('data-testid="report-alerts"')[1]
    assert "Chưa nộp, đã báo cấp trên" in upward and "Báo cáo tình hình dư luận xã hội" in upward

    report = report_draft_create(by=world.secretariat, unit=world.commune_a, kind=ReportKind.SITUATION,
                                 period_start=at(2026, 3, 1).date())
    assert as_user("leader").post(f"/reports/{report.pk}/submit/", {"confirm": "1"}).status_code == 302
    assert not situation.filter(resolved_at__isnull=True).exists()  # sent late: the alerts close
    assert "Báo cáo tình hình dư luận xã hội" not in as_user("supervisor").get("/reports/").content.decode().split(
        'data-testid="report-alerts"')[-1].split("</section>")[0]


def test_the_demo_adds_a_briefing_with_minutes_and_a_situation_report_drafted_from_the_months_notes(db):
    from collaborators.models import Briefing, OpinionNote, TrainingSession

    call_command("seed_demo", verbosity=0)  # the briefing and the situation report come with it
    call_command("seed_demo", verbosity=0)  # idempotent
    call_command("seed_briefings", verbosity=0)  # the old command, an alias now: adds nothing more
    briefing = Briefing.objects.get()
    assert (briefing.unit.code, briefing.kind) == ("DM-ANBINH", "monthly") and "Kết luận" in briefing.minutes
    assert TrainingSession.objects.count() == 1
    assert briefing.decisions.get().owner.code == "DM-ANBINH-BXD"
    report = Report.objects.get(kind=ReportKind.SITUATION)
    assert (report.unit.code, report.status) == ("DM-ANBINH", ReportStatus.DRAFT)
    noted = OpinionNote.objects.filter(unit__code="DM-ANBINH", filed_at__date__gte=report.period_start,
                                       filed_at__date__lte=report.period_end).select_related("subject")
    titles = {note.subject.title for note in noted}
    assert titles and all(title in report.narrative for title in titles)  # the seeded notes, one paragraph a subject
    page = _client("secretariat").get(f"/reports/{report.pk}/").content.decode()
    assert all(title in page for title in titles)
    assert _client("leader2").get(f"/collaborators/briefings/{briefing.pk}/").status_code == 404
