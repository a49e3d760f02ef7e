"""A subject followed through its collaborators' notes, through the real URLs as the named demo people: the
leader opens it with a request, two collaborators file notes (the web form, the API), repeats file nothing
twice, the picture counts them, the leader turns one into a case; and who may read what."""

import uuid

import pytest
from django.urls import reverse

from cases.models import Case
from collaborators.models import NoteAction, OpinionNote, RequestRecipient, Subject
from collaborators.services.subjects import opinion_requests_remind

pytestmark = pytest.mark.django_db


def _unit_pk(code):
    from cases.models import Unit

    return Unit.objects.get(code=code).pk


def test_a_subject_followed_from_request_to_case(demo_user, text):
    leader, ctv, ctv2 = demo_user("leader"), demo_user("ctv"), demo_user("ctv2")
    # The leader opens a subject and sends a request to the collaborators of Thôn Đông.
    response = leader.post(reverse("collaborators:subject_create"), {
        "unit": _unit_pk("DM-ANBINH"), "title": "Điều chỉnh giá nước sạch từ tháng tới", "kind": "policy",
        "topic": "",
    })
    subject = Subject.objects.get(title="Điều chỉnh giá nước sạch từ tháng tới")
    assert response.status_code == 302
    response = leader.post(reverse("collaborators:request_send", args=[subject.pk]), {
        "questions": "Người dân đón nhận thế nào?", "working_days": 3, "localities": [_unit_pk("DM-ANBINH-T01")],
    })
    assert response.status_code == 302
    recipients = RequestRecipient.objects.filter(request__subject=subject)
    assert sorted(r.collaborator.user.username for r in recipients) == ["ctv", "ctv2"]
    # The collaborator's home is the note screen, which says no resident may be named and lists the request.
    page = ctv.get("/", follow=True)
    assert page.redirect_chain[-1][0] == reverse("collaborators:my_notes")
    assert "Không ghi họ tên, số điện thoại" in text(page) and "Người dân đón nhận thế nào?" in text(page)

    # ctv files on the web form; the same key again (a retry) files nothing more.
    key = str(uuid.uuid4())
    form = {"subject": subject.pk, "locality": _unit_pk("DM-ANBINH-T01"), "attitude": "concerned",
            "summary": "Nhiều hộ lo giá nước tăng gấp đôi.", "groups": ["elderly"], "channel": "direct",
            "idempotency_key": key}
    first = ctv.post(reverse("collaborators:my_notes"), form, HTTP_ACCEPT="application/json")
    again = ctv.post(reverse("collaborators:my_notes"), form, HTTP_ACCEPT="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["code"] == again.json()["code"]
    assert OpinionNote.objects.filter(subject=subject).count() == 1
    assert recipients.get(collaborator__user__username="ctv").answered_at is not None

    # ctv2 files through the API with an Idempotency-Key; the retry replays the first answer.
    body = {"subject": subject.pk, "locality": "DM-ANBINH-T01", "attitude": "disagree",
            "summary": "Một bộ phận không đồng tình vì chất lượng nước chưa ổn.", "groups": ["women"]}
    headers = {"HTTP_IDEMPOTENCY_KEY": "ctv2-note-1"}
    made = ctv2.post("/api/v1/opinion-notes/", body, content_type="application/json", **headers)
    replayed = ctv2.post("/api/v1/opinion-notes/", body, content_type="application/json", **headers)
    assert made.status_code == 201 and replayed.status_code == 201 and replayed["Idempotent-Replayed"] == "true"
    assert replayed.json()["code"] == made.json()["code"]
    assert OpinionNote.objects.filter(subject=subject).count() == 2

    # The picture: two notes in Thôn Đông, one concerned and one against, each figure linking to its notes.
    picture = leader.get(reverse("collaborators:subject", args=[subject.pk]))
    assert picture.status_code == 200
    shown = text(picture)
    assert "Thôn Đông (2)" in shown and "50%" in shown
    listed = leader.get(reverse("collaborators:note_list"), {"subject": subject.pk, "attitude": "disagree"})
    assert made.json()["code"] in text(listed) and first.json()["code"] not in text(listed)
    api_listed = leader.get("/api/v1/opinion-notes/", {"subject": subject.pk, "locality": "DM-ANBINH-T01"}).json()
    assert sorted(row["code"] for row in api_listed) == sorted([made.json()["code"], first.json()["code"]])

    # The leader (who logs cases in commune A) turns ctv's note into a case in one click.
    note = OpinionNote.objects.get(code=first.json()["code"])
    response = leader.post(reverse("collaborators:note_case", args=[note.code]), {"topic": _topic_pk("MT-NUOC")})
    note.refresh_from_db()
    assert response.status_code == 302 and note.case is not None
    case = Case.objects.get(pk=note.case_id)
    assert case.channel.code == "collaborator" and case.locality.code == "DM-ANBINH-T01"
    assert note.events.filter(action=NoteAction.TURNED_INTO_CASE, data__case=case.code).exists()


def _topic_pk(code):
    from cases.models import Topic

    return Topic.objects.get(code=code).pk


def test_who_reads_which_notes(demo_user):
    ctv_note = OpinionNote.objects.filter(collaborator__user__username="ctv").first()
    ctv2_note = OpinionNote.objects.filter(collaborator__user__username="ctv2").first()
    b_note = OpinionNote.objects.filter(unit__code="DM-BINHMINH").first()
    ctv = demo_user("ctv")
    assert ctv.get(reverse("collaborators:note", args=[ctv_note.code])).status_code == 200
    assert ctv.get(reverse("collaborators:note", args=[ctv2_note.code])).status_code == 404
    api_codes = {row["code"] for row in ctv.get("/api/v1/opinion-notes/").json()}
    assert api_codes == set(OpinionNote.objects.filter(collaborator__user__username="ctv").values_list("code", flat=True))
    # Commune B's leader cannot read commune A's notes; commune A's leader reads A's, not B's.
    assert demo_user("leader2").get(reverse("collaborators:note", args=[ctv_note.code])).status_code == 404
    assert demo_user("leader2").get(f"/api/v1/opinion-notes/{ctv_note.code}/").status_code == 404
    assert demo_user("leader").get(reverse("collaborators:note", args=[b_note.code])).status_code == 404
    # The province's supervisor reads both.
    supervisor = demo_user("supervisor")
    for note in (ctv_note, b_note):
        assert supervisor.get(reverse("collaborators:note", args=[note.code])).status_code == 200
    assert len(supervisor.get("/api/v1/opinion-notes/").json()) == OpinionNote.objects.count()
    # A clerk holds no reading role on notes and a collaborator cannot file as a leader.
    assert demo_user("clerk").get(f"/api/v1/opinion-notes/{ctv_note.code}/").status_code == 404
    refused = demo_user("leader").post("/api/v1/opinion-notes/", {}, content_type="application/json")
    assert refused.status_code == 403  # who may file before what was sent


def test_a_note_naming_a_resident_is_refused_and_nothing_is_stored(demo_user):
    subject = Subject.objects.get(title__startswith="Tin đồn")
    before = OpinionNote.objects.count()
    response = demo_user("ctv").post("/api/v1/opinion-notes/", {
        "subject": subject.pk, "locality": "DM-ANBINH-T01", "attitude": "concerned",
        "summary": "Ông Tư (0912 345 678) nói sắp thu hồi đất, CCCD 001203004567."},
        content_type="application/json")
    assert response.status_code == 400
    message = response.json()["errors"]["summary"][0]
    assert "số điện thoại" in message and "số CMND/CCCD" in message
    web = demo_user("ctv").post(reverse("collaborators:my_notes"), {
        "subject": subject.pk, "locality": _unit_pk("DM-ANBINH-T01"), "attitude": "concerned",
        "summary": "Liên hệ chị Hoa qua hoa@gmail.com"})
    assert web.status_code == 400 and "địa chỉ thư điện tử" in web.content.decode()
    assert OpinionNote.objects.count() == before


def test_coverage_shows_the_gaps_of_the_data(demo_user, text):
    page = demo_user("leader").get(reverse("collaborators:network", args=["DM-ANBINH"]))
    assert page.status_code == 200
    shown = text(page)
    # The plan wants one in each hamlet and two among farmers; Thôn Đoài has none, farmers one (ctv).
    assert "Thôn Đoài — có 0/1, thiếu 1" in shown and "Nông dân — có 1/2, thiếu 1" in shown
    assert "Thôn, khu phố chưa có cộng tác viên Thôn Đoài" in shown
    # Commune B's ending term shows on the province's view, and commune B's network is not commune A's to see.
    province = text(demo_user("supervisor").get(reverse("collaborators:network", args=["DM"])))
    assert "Hồ Văn Sáu" in province.split("Sắp hết nhiệm kỳ (60 ngày)")[1]
    assert demo_user("leader").get(reverse("collaborators:network", args=["DM-BINHMINH"])).status_code == 404


def test_reminders_before_the_deadline_fire_once(demo, django_capture_on_commit_callbacks, mailoutbox):
    """A reminder reaches ctv and ctv2 once each (the bell, and e-mail through the outbox), however often it runs."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model

    from collaborators.services.subjects import opinion_request_send
    from notifications.models import Notification, OutboxMessage
    from notifications.services import message_deliver

    subject = Subject.objects.get(title__startswith="Chủ trương sáp nhập")
    request = opinion_request_send(by=get_user_model().objects.get(username="secretariat"), subject=subject,
                                   questions="Ý kiến về tên thôn mới?", working_days=2)
    assert opinion_requests_remind(now=request.deadline - timedelta(days=2)) == 0  # not due yet
    with django_capture_on_commit_callbacks(execute=True):
        assert opinion_requests_remind(now=request.deadline - timedelta(hours=3)) == 2  # ctv and ctv2
    assert opinion_requests_remind(now=request.deadline - timedelta(hours=2)) == 0  # once each
    assert request.recipients.filter(reminded_at__isnull=False).count() == 2
    reminders = Notification.objects.filter(kind="opinion_request_remind", about=f"opinion_request_remind:{request.pk}")
    assert sorted(reminders.values_list("recipient__username", flat=True)) == ["ctv", "ctv2"]
    for message in OutboxMessage.objects.filter(notification__in=reminders, channel="email"):
        message_deliver(message_id=message.pk)
    assert sorted(m.to[0] for m in mailoutbox) == ["ctv2@demo.invalid", "ctv@demo.invalid"]
    assert "Chủ trương sáp nhập" in mailoutbox[0].subject


def test_a_subject_rising_fast_is_flagged_on_the_dashboard(demo_user, text):
    """Six notes this week in Khu phố 2, where the subject had none: the emerging-issue test flags the pair on the
    dashboard of those who read those notes (the province, commune B), not of commune A."""
    from django.contrib.auth import get_user_model

    from cases.models import Unit
    from collaborators.services.notes import note_file

    subject = Subject.objects.get(title__startswith="Tin đồn")
    ctv3 = get_user_model().objects.get(username="ctv3")
    for number in range(6):
        note_file(by=ctv3, subject=subject, locality=Unit.objects.get(code="DM-BINHMINH-K02"), attitude="indignant",
                  summary=f"Tin nhắn thứ {number + 1} về thu hồi đất lan nhanh trong khu phố.")
    flag = "Tăng nhanh Tin đồn thu hồi đất làm khu công nghiệp — Khu phố 2: 6 phiếu tuần này"
    for username in ("supervisor", "leader2"):
        assert flag in text(demo_user(username).get(reverse("web:dashboard"))), username
    assert "Chủ đề tăng nhanh" not in text(demo_user("leader").get(reverse("web:dashboard")))
    assert flag in text(demo_user("supervisor").get(reverse("collaborators:home")))
