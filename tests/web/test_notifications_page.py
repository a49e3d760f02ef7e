"""The bell and the notifications page: one row per kind, unit and day with a count, opening to its cases;
mark all read (a POST with its CSRF token); kinds a person turned off stay out of the bell and the mail."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from notifications.models import Notification, OutboxMessage


@pytest.fixture
def three_new(people, new_case):
    """Three cases logged by commune A's clerk today: its leader is told of each (in the bell as each commits)."""
    return [new_case(f"Nước sinh hoạt có vấn đề {n}") for n in range(1, 4)]


def unread(client) -> int:
    return client.get(reverse("notifications:unread-count")).json()["unread"]


def test_new_cases_of_one_unit_on_one_day_are_one_row_that_opens_to_their_list(three_new, as_user, text):
    leader = as_user("leader")
    panel = leader.get(reverse("web:bell_panel"))
    assert panel.status_code == 200
    rows = panel.content.decode().count('data-testid="notification-group"')
    assert rows == 1
    assert "3 vụ việc mới ở Đảng ủy xã A" in text(panel)
    assert "3 chưa đọc" in text(panel)
    assert "Đánh dấu tất cả đã đọc" in text(panel)

    group_url = reverse("web:notification_group") + "?" + panel.context["rows"][0][0].key_query
    assert f'href="{group_url.replace("&", "&amp;")}"' in panel.content.decode()
    opened = leader.get(group_url)
    assert opened.status_code == 200
    assert "3 vụ việc mới ở Đảng ủy xã A" in text(opened)
    for case in three_new:
        assert f'href="{reverse("web:case", args=[case.code])}"' in opened.content.decode()
        assert case.title in text(opened)

    # Someone else opening the same address sees nothing of it.
    assert as_user("handler2").get(group_url).status_code == 404


def test_a_group_of_one_is_the_notification_itself_and_opens_its_case(people, new_case, as_user, text):
    case = new_case("Đèn đường hỏng")
    panel = as_user("leader").get(reverse("web:bell_panel"))
    assert f"Vụ việc mới {case.code}" in text(panel)
    assert f'href="{reverse("web:case", args=[case.code])}"' in panel.content.decode()


def test_another_day_or_another_unit_is_another_row(three_new, people, new_case, as_user, text, world):
    yesterday = Notification.objects.filter(recipient=people.leader, params__code=three_new[0].code)
    yesterday.update(created_at=yesterday.get().created_at - timedelta(days=1))
    panel = as_user("leader").get(reverse("web:bell_panel"))
    assert "2 vụ việc mới ở Đảng ủy xã A" in text(panel)
    assert f"Vụ việc mới {three_new[0].code}" in text(panel)
    assert panel.content.decode().count('data-testid="notification-group"') == 2


def test_mark_all_read_is_a_post_that_needs_its_csrf_token(three_new, people, text):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(people.leader)
    url = reverse("web:notification_read")
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert unread(client) == 3

    page = client.get(reverse("web:notifications"))
    assert "Đánh dấu tất cả đã đọc" in text(page)
    token = page.cookies["csrftoken"].value
    response = client.post(url, {"csrfmiddlewaretoken": token, "next": reverse("web:queue")})
    assert response.status_code == 302 and response.url == reverse("web:queue")
    assert unread(client) == 0
    assert "Đã đánh dấu 3 thông báo là đã đọc." in text(client.get(reverse("web:notifications")))


def test_opening_a_group_marks_only_that_group_read(three_new, people, new_case, as_user):
    leader = as_user("leader")
    new_case("Đường ngập sau mưa", by=people.leader)  # logged by the leader: told to the clerk, not the leader
    older = Notification.objects.filter(recipient=people.leader, params__code=three_new[0].code)
    older.update(created_at=older.get().created_at - timedelta(days=1))
    group = leader.get(reverse("web:bell_panel")).context["rows"][0][0]
    assert group.count == 2
    response = leader.post(reverse("web:notification_read"), {**group.key, "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == reverse("web:notifications")  # never off-site
    assert unread(leader) == 1


def test_a_kind_turned_off_leaves_the_bell_and_the_mail(three_new, people, new_case, as_user, text):
    leader = as_user("leader")
    page = leader.get(reverse("web:notifications"))
    assert 'name="shown_kinds" value="intake" id="id_shown_kinds_0" checked' in page.content.decode()
    shown = [code for code, _label in page.context["form"].fields["shown_kinds"].choices if code != "intake"]
    response = leader.post(reverse("web:notification_preferences"), {"email_mode": "immediate", "shown_kinds": shown})
    assert response.status_code == 302
    assert "Đã lưu cách nhận thông báo." in text(leader.get(reverse("web:notifications")))

    assert unread(leader) == 0
    assert "Không có thông báo mới." in text(leader.get(reverse("web:bell_panel")))
    assert leader.get(reverse("notifications:list")).json()["results"] == []

    case = new_case("Cống thoát nước tắc")
    assert not OutboxMessage.objects.filter(recipient=people.leader, event__case=case, channel="email").exists()
    assert OutboxMessage.objects.filter(recipient=people.clerk2, channel="email").count() == 0  # nobody else's change

    # Turned back on, the bell shows them again (nothing was thrown away).
    leader.post(reverse("web:notification_preferences"), {"email_mode": "immediate", "shown_kinds": shown + ["intake"]})
    assert unread(leader) == 4


def test_the_pages_need_a_login(client, db):
    for name in ("web:notifications", "web:bell_panel"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("web:login") in response.url


def test_in_english_the_count_takes_the_plural(three_new, world, settings, text):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # picked with the language switch
    client.force_login(world.leader)
    with translation.override("vi"):  # the request switches this thread to English; later tests read Vietnamese
        panel = client.get(reverse("web:bell_panel"))
    assert "3 new cases at Đảng ủy xã A" in text(panel)
    assert "3 unread" in text(panel) and "Mark all as read" in text(panel)
