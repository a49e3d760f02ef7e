"""The bell's JSON endpoints, as the logged-in person sees them."""

import pytest
from django.db import transaction
from django.urls import reverse

from notifications.models import Notification, NotificationPreference, OutboxMessage
from notifications.services import message_deliver


@pytest.fixture
def shown(people, new_case):
    """Two cases logged by the clerk (their in-app deliveries written with them): the leader has two unread."""
    return [new_case("Rác thải tồn đọng ở chợ"), new_case("Đèn đường hỏng")]


def as_user(client, user):
    client.force_login(user)
    return client


def test_nothing_shows_before_the_in_app_delivery(people, new_case, client):
    # A notification left undelivered (as a process of the version before this one wrote them) is not shown.
    new_case()
    Notification.objects.update(delivered_at=None)
    as_user(client, people.leader)
    assert client.get(reverse("notifications:unread-count")).json() == {"unread": 0}
    assert client.get(reverse("notifications:list")).json() == {"unread": 0, "results": []}
    in_app = OutboxMessage.objects.get(channel="inapp", recipient=people.leader)
    OutboxMessage.objects.filter(pk=in_app.pk).update(status="pending")
    assert message_deliver(message_id=in_app.pk).status == "sent"
    assert client.get(reverse("notifications:unread-count")).json() == {"unread": 1}


def test_a_new_case_is_in_the_bell_when_it_commits_and_not_if_it_rolls_back(people, new_case, client):
    with pytest.raises(RuntimeError), transaction.atomic():
        new_case("Đèn đường hỏng")
        raise RuntimeError("something later in the same transaction failed")
    as_user(client, people.leader)
    assert client.get(reverse("notifications:unread-count")).json() == {"unread": 0}
    case = new_case("Rác thải tồn đọng ở chợ")
    assert client.get(reverse("notifications:unread-count")).json() == {"unread": 1}
    assert [row["case"] for row in client.get(reverse("notifications:list")).json()["results"]] == [case.code]


def test_list_and_count_show_the_persons_own_notifications_newest_first(shown, people, client):
    as_user(client, people.leader)
    assert client.get(reverse("notifications:unread-count")).json() == {"unread": 2}
    body = client.get(reverse("notifications:list")).json()
    assert body["unread"] == 2
    assert [(row["kind"], row["case"], row["read"]) for row in body["results"]] == [
        ("intake", shown[1].code, False), ("intake", shown[0].code, False),
    ]
    assert body["results"][0]["text"] == f"Vụ việc mới {shown[1].code} «Đèn đường hỏng» vừa được tiếp nhận tại Đảng ủy xã A."

    # The clerk logged them and is told nothing.
    as_user(client, people.clerk)
    assert client.get(reverse("notifications:list")).json() == {"unread": 0, "results": []}


def test_groups_count_the_new_cases_of_one_unit_on_one_day(shown, people, client):
    as_user(client, people.leader)
    body = client.get(reverse("notifications:groups")).json()
    assert body["unread"] == 2
    [group] = body["results"]
    assert (group["kind"], group["unit"], group["count"], group["unread"], group["case"]) == (
        "intake", "Đảng ủy xã A", 2, 2, None)
    assert group["text"] == "2 vụ việc mới ở Đảng ủy xã A"


def test_mark_read_lowers_the_count_and_is_harmless_twice(shown, people, client):
    as_user(client, people.leader)
    notification = Notification.objects.filter(recipient=people.leader).latest("pk")
    url = reverse("notifications:read", args=[notification.pk])
    response = client.post(url)
    assert response.status_code == 200 and response.json()["read"] is True
    assert client.post(url).status_code == 200
    assert client.get(reverse("notifications:unread-count")).json() == {"unread": 1}
    assert client.post(reverse("notifications:read-all")).json() == {"marked": 1}
    assert client.get(reverse("notifications:unread-count")).json() == {"unread": 0}


def test_someone_elses_notification_is_not_found(shown, people, client):
    notification = Notification.objects.filter(recipient=people.leader).first()
    as_user(client, people.handler)
    response = client.post(reverse("notifications:read", args=[notification.pk]))
    assert response.status_code == 404
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_anonymous_gets_no_notifications(client, db):
    response = client.get(reverse("notifications:list"))
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_a_person_chooses_the_daily_digest(people, client):
    as_user(client, people.leader)
    url = reverse("notifications:preference")
    assert client.get(url).json() == {"email_mode": "immediate"}
    response = client.put(url, {"email_mode": "digest"}, content_type="application/json")
    assert response.status_code == 200 and response.json() == {"email_mode": "digest"}
    assert NotificationPreference.objects.get(user=people.leader).email_mode == "digest"
    bad = client.put(url, {"email_mode": "weekly"}, content_type="application/json")
    assert bad.status_code == 400
    assert NotificationPreference.objects.get(user=people.leader).email_mode == "digest"
