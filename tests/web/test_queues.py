"""Queues: tabs with counts, overdue first, filters, diacritics-insensitive search, pagination, export."""

from datetime import timedelta

from django.utils import timezone

from cases.models import Case
from cases.services import case_assign, case_verify
from web.views.queues import PER_PAGE


def _codes(response):
    html = response.content.decode()
    return [part.split('/')[0] for part in html.split('href="/cases/')[1:] if part.startswith("DL-")]


def _rows(response):
    return list(dict.fromkeys(_codes(response)))


def test_tabs_show_counts_and_the_unit_queue_holds_the_units_tasks(world, as_user, new_case, text):
    mine = new_case("Đèn đường hỏng ở thôn 1")
    theirs = new_case("Nước sạch phường B", by=world.clerk2, locality=world.hamlet_b)
    response = as_user("clerk").get("/cases/", {"tab": "unit"})
    assert response.status_code == 200
    seen = text(response)
    # The unheld verification is the clerk's to take: in "Việc của tôi" too.
    assert "Việc của tôi 1" in seen and "Việc của đơn vị 1" in seen and "Quá hạn 0" in seen and "Tất cả 1" in seen
    # A clerk directs nothing: no "Chuyển lên tôi" tab.
    assert "Chuyển lên tôi" not in seen
    assert _rows(response) == [mine.code]
    assert theirs.code not in response.content.decode()


def test_my_tab_holds_the_tasks_given_to_me(world, as_user, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a, assignee=world.handler)
    response = as_user("handler").get("/cases/")  # the default tab: mine, since there is something in it
    assert _rows(response) == [case.code]
    assert "Định hướng, trả lời" in response.content.decode()


def test_overdue_cases_come_first_and_have_their_own_tab(world, as_user, new_case, text):
    fresh = new_case("Vụ việc còn hạn")
    late = new_case("Vụ việc quá hạn")
    Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(days=3))
    Case.objects.filter(pk=fresh.pk).update(deadline=timezone.now() + timedelta(days=2, hours=1))
    client = as_user("clerk")
    everything = client.get("/cases/", {"tab": "all"})
    assert _rows(everything) == [late.code, fresh.code]
    assert "quá hạn 3 ngày" in text(everything) and "còn 2 ngày" in text(everything)
    overdue = client.get("/cases/", {"tab": "overdue"})
    assert _rows(overdue) == [late.code]


def test_filters_and_search_without_diacritics(world, as_user, new_case):
    water = new_case("Nước sạch có mùi lạ")
    new_case("Đường xuống cấp", priority="urgent")
    client = as_user("clerk")
    assert _rows(client.get("/cases/", {"tab": "all", "q": "nuoc sach"})) == [water.code]
    assert _rows(client.get("/cases/", {"tab": "all", "q": "NƯỚC"})) == [water.code]
    urgent = _rows(client.get("/cases/", {"tab": "all", "priority": "urgent"}))
    assert len(urgent) == 1 and urgent[0] != water.code
    assert _rows(client.get("/cases/", {"tab": "all", "status": "verified"})) == []
    assert len(_rows(client.get("/cases/", {"tab": "all", "locality": world.hamlet_a.code}))) == 2
    assert _rows(client.get("/cases/", {"tab": "all", "period": "custom", "date_from": "01/01/2001",
                                        "date_to": "31/12/2001"})) == []
    assert len(_rows(client.get("/cases/", {"tab": "all", "period": "today"}))) == 2


def test_pages_of_fifty(world, as_user, new_case, text):
    for number in range(PER_PAGE + 3):
        new_case(f"Vụ việc số {number}", anonymous=True)
    client = as_user("clerk")
    first = client.get("/cases/", {"tab": "all"})
    assert len(_rows(first)) == PER_PAGE and "Trang sau" in text(first)
    second = client.get("/cases/", {"tab": "all", "page": 2})
    assert len(_rows(second)) == 3 and "Trang trước" in text(second)
    assert not set(_rows(first)) & set(_rows(second))


def test_export_holds_only_what_the_person_may_see(world, as_user, new_case):
    mine = new_case("Rác ở chợ xã A")
    theirs = new_case("Rác ở phường B", by=world.clerk2, locality=world.hamlet_b)
    response = as_user("clerk2").get("/cases/export.csv", {"tab": "all"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert theirs.code in body and mine.code not in body
    assert body.splitlines()[0].startswith("Mã vụ việc,Trạng thái")
