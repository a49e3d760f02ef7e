"""A request to collaborators and its reminder reach them in the bell, as the demo people through the real URLs: the
row opens their note screen with the subject chosen; two requests of a day are one row; the sender and commune B
hear nothing; a reminder comes once."""

from datetime import timedelta

from django.urls import reverse

from cases.models import Unit
from collaborators.models import OpinionRequest, Subject
from collaborators.services.subjects import opinion_requests_remind
from notifications.models import OutboxMessage
from notifications.services import message_deliver


def deliver_in_app():
    for pk in list(OutboxMessage.objects.filter(channel="inapp", status="pending").values_list("pk", flat=True)):
        message_deliver(message_id=pk)


def send_request(client, subject, questions):
    response = client.post(reverse("collaborators:request_send", args=[subject.pk]), {
        "questions": questions, "working_days": 3, "localities": [Unit.objects.get(code="DM-ANBINH-T01").pk]})
    assert response.status_code == 302
    return OpinionRequest.objects.filter(subject=subject).latest("pk")


def bell_rows(client):
    panel = client.get(reverse("web:bell_panel"))
    return [(group.text, link) for group, link in panel.context["rows"]]


def test_a_request_and_its_reminder_open_the_note_screen_on_their_subject(demo_user, text):
    subject = Subject.objects.get(title__startswith="Chủ trương sáp nhập")
    secretariat, ctv = demo_user("secretariat"), demo_user("ctv")
    request = send_request(secretariat, subject, "Ý kiến về tên thôn mới?")
    deliver_in_app()
    notes_link = reverse("collaborators:my_notes") + f"?subject={subject.pk}"
    sentence = ("Đảng ủy xã An Bình đề nghị nắm tình hình dư luận về “Chủ trương sáp nhập thôn Đông và thôn Đoài”, "
                "hạn báo cáo ")
    row, link = bell_rows(ctv)[0]  # the newest row
    assert row.startswith(sentence) and link == notes_link
    assert f'href="{notes_link}"' in ctv.get(reverse("web:bell_panel")).content.decode()

    screen = ctv.get(link)
    assert screen.status_code == 200
    assert f'<option value="{subject.pk}" selected>' in screen.content.decode()
    assert f'<option value="{subject.pk}" selected>' not in ctv.get(reverse("collaborators:my_notes")).content.decode()
    # The sender and commune B's collaborator are told nothing of it.
    for other in ("secretariat", "ctv3"):
        assert not [r for r, _link in bell_rows(demo_user(other)) if "Chủ trương sáp nhập" in r]

    # The reminder: once, in the bell (ctv2 turned reminders off and hears nothing of it).
    ctv2 = demo_user("ctv2")
    kinds = [kind for kind, _label in ctv2.get(reverse("web:notifications")).context["form"].fields[
        "shown_kinds"].choices if kind != "opinion_request_remind"]
    ctv2.post(reverse("web:notification_preferences"), {"email_mode": "immediate", "shown_kinds": kinds})
    assert opinion_requests_remind(now=request.deadline - timedelta(hours=3)) == 2
    assert opinion_requests_remind(now=request.deadline - timedelta(hours=2)) == 0
    deliver_in_app()
    reminders = [(row, link) for row, link in bell_rows(ctv) if row.startswith("Đợt nắm bắt dư luận về")]
    assert len(reminders) == 1 and reminders[0][1] == notes_link
    assert "Xin gửi phiếu thông tin trước hạn." in reminders[0][0]
    assert not [row for row, _link in bell_rows(ctv2) if row.startswith("Đợt nắm bắt dư luận về")]
    assert not OutboxMessage.objects.filter(recipient__username="ctv2", channel="email",
                                            notification__kind="opinion_request_remind").exists()


def test_two_requests_of_one_day_are_one_row_opening_their_list(demo_user, text):
    subject = Subject.objects.get(title__startswith="Chủ trương sáp nhập")
    secretariat, ctv = demo_user("secretariat"), demo_user("ctv")
    send_request(secretariat, subject, "Ý kiến về tên thôn mới?")
    send_request(secretariat, subject, "Ý kiến về nhà văn hóa chung?")
    deliver_in_app()
    row, link = bell_rows(ctv)[0]
    assert row == "2 đợt nắm bắt dư luận của Đảng ủy xã An Bình"
    opened = ctv.get(link)
    assert opened.status_code == 200
    assert "2 đợt nắm bắt dư luận của Đảng ủy xã An Bình" in text(opened)
    assert opened.content.decode().count(f'href="{reverse("collaborators:my_notes")}?subject={subject.pk}"') == 2
    unread = ctv.get(reverse("notifications:unread-count")).json()["unread"]
    group = ctv.get(reverse("notifications:groups")).json()["results"][0]
    assert (group["kind"], group["count"], group["unread"], group["case"]) == ("opinion_request", 2, 2, None)
    ctv.post(reverse("web:notification_read"), {"kind": group["kind"], "unit": group["unit"], "day": group["day"]})
    assert ctv.get(reverse("notifications:unread-count")).json()["unread"] == unread - 2
    assert demo_user("ctv2").get(link).status_code == 200  # ctv2 has the same row; ctv3 does not
    assert demo_user("ctv3").get(link).status_code == 404
