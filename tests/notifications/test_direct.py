"""Messages that are not about a case (notifications.services_direct): once per person, in the bell and the mail
like a case event's, muted kinds kept out, no webhook; the database refuses a notification about nothing."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from notifications.models import Notification, OutboxMessage, WebhookEndpoint
from notifications.services import message_deliver, preference_set
from notifications.services_direct import notification_send
from notifications.texts import OPINION_REQUEST, OPINION_REQUEST_REMIND

PARAMS = {"title": "Chủ trương sáp nhập thôn", "unit": "Đảng ủy xã A", "due": "17:00 04/12/2026"}


def send(people, *, kind=OPINION_REQUEST, about="opinion_request:1"):
    return notification_send(recipients=people, kind=kind, about=about, link="/collaborators/notes/?subject=7",
                             params=PARAMS)


def test_a_message_reaches_each_person_once_in_the_bell_and_the_mail(people, client, mailoutbox):
    WebhookEndpoint.objects.create(name="Cổng tỉnh", url="http://127.0.0.1:9/hook")
    assert len(send([people.handler, people.leader])) == 2
    assert send([people.handler, people.leader, people.handler2]) != []  # only handler2 is new
    assert send([people.handler, people.leader, people.handler2]) == []  # told already: nothing more
    assert Notification.objects.filter(about="opinion_request:1").count() == 3
    deliveries = OutboxMessage.objects.filter(notification__about="opinion_request:1")
    assert sorted(deliveries.values_list("channel", flat=True)) == ["email"] * 3 + ["inapp"] * 3
    assert not OutboxMessage.objects.filter(channel="webhook").exists()  # integrations get case events only

    assert set(deliveries.filter(channel="inapp").values_list("status", flat=True)) == {"sent"}  # shown at once
    for message in deliveries.filter(channel="email"):
        assert message_deliver(message_id=message.pk).status == "sent"
    assert mailoutbox[0].subject == "Đợt nắm bắt dư luận: Chủ trương sáp nhập thôn"
    client.force_login(people.handler)
    body = client.get(reverse("notifications:list")).json()
    assert [(row["kind"], row["case"], row["link"]) for row in body["results"]] == [
        ("opinion_request", None, "/collaborators/notes/?subject=7")]
    assert body["results"][0]["text"] == (
        "Đảng ủy xã A đề nghị nắm tình hình dư luận về “Chủ trương sáp nhập thôn”, hạn báo cáo 17:00 04/12/2026.")
    [group] = client.get(reverse("notifications:groups")).json()["results"]
    assert (group["kind"], group["unit"], group["count"], group["case"], group["link"]) == (
        "opinion_request", "Đảng ủy xã A", 1, None, "/collaborators/notes/?subject=7")


def test_a_muted_kind_gets_no_mail_and_stays_out_of_the_bell_a_digest_waits(people, client):
    preference_set(user=people.handler, muted_kinds=[OPINION_REQUEST_REMIND])
    preference_set(user=people.leader, email_mode="digest")
    send([people.handler, people.leader], kind=OPINION_REQUEST_REMIND, about="opinion_request_remind:1")
    channels = OutboxMessage.objects.filter(notification__about="opinion_request_remind:1").values_list(
        "recipient__username", "channel")
    assert sorted(channels) == [("handler", "inapp"), ("leader", "digest"), ("leader", "inapp")]
    client.force_login(people.handler)
    assert client.get(reverse("notifications:unread-count")).json() == {"unread": 0}
    client.force_login(people.leader)
    [group] = client.get(reverse("notifications:groups")).json()["results"]
    assert (group["kind"], group["count"], group["text"]) == ("opinion_request_remind", 1, (
        "Đợt nắm bắt dư luận về “Chủ trương sáp nhập thôn” hết hạn lúc 17:00 04/12/2026. Xin gửi phiếu thông tin "
        "trước hạn."))


def test_the_inactive_hear_nothing_and_a_message_must_say_what_it_is_about(people):
    people.handler.is_active = False
    people.handler.save(update_fields=["is_active"])
    assert send([people.handler]) == []
    with pytest.raises(ValueError):
        notification_send(recipients=[people.leader], kind=OPINION_REQUEST, about="", link="/x/", params=PARAMS)
    # Neither a case event nor anything else: the database refuses the row itself.
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=people.leader, kind=OPINION_REQUEST, params=PARAMS)
