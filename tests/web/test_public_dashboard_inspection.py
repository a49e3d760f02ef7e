"""The public status page (no login, rate-limited), the leader dashboard and the inspection list."""

from django.test import Client

from cases.models import Case, CaseEvent
from cases.services import case_assign, case_orient, case_resolve, case_verify


def _resolved(world, new_case):
    case = new_case()
    secret = case.public_secret
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a, assignee=world.handler)
    case_orient(case=case, by=world.handler, response="Đã thông tin tại họp thôn ngày 20/11")
    case_resolve(case=case, by=world.handler, outcome="Đã thu gom toàn bộ rác")
    return case, secret


def test_the_public_page_needs_no_login_and_shows_only_public_facts(world, new_case, text):
    case, secret = _resolved(world, new_case)
    client = Client()
    assert client.get("/tra-cuu/").status_code == 200
    response = client.post("/tra-cuu/", {"code": case.code.lower(), "secret": secret})
    seen = text(response)
    assert response.status_code == 200
    for shown in (case.code, case.title, "Đã giải quyết xong", "Đã thông tin tại họp thôn ngày 20/11",
                  "Đã thu gom toàn bộ rác", "Đã khắc phục", "Chưa khắc phục"):
        assert shown in seen, shown
    # Never staff names, units' people or reporters.
    for hidden in ("handler", "leader", "clerk", "Nguyễn Văn A", "0912345678", "Đảng ủy xã A"):
        assert hidden not in seen, hidden


def test_a_wrong_secret_says_so_and_shows_nothing(world, new_case, text):
    case = new_case()
    response = Client().post("/tra-cuu/", {"code": case.code, "secret": "SAIMA12345"})
    assert response.status_code == 404
    assert "Mã vụ việc hoặc mã bí mật không đúng." in text(response)
    assert case.title not in text(response)


def test_not_fixed_asks_a_leader_to_decide(world, new_case, as_user, text):
    case, secret = _resolved(world, new_case)
    response = Client().post("/tra-cuu/", {"code": case.code, "secret": secret, "fixed": "0",
                                           "comment": "Rác vẫn còn ở góc chợ"})
    assert "đã được chuyển đến lãnh đạo" in text(response)
    stored = Case.objects.get(pk=case.pk)
    assert stored.status == "resolved" and stored.reopen_requested
    assert CaseEvent.objects.get(case=case, action="public_feedback").note == "Rác vẫn còn ở góc chợ"
    leader_page = as_user("leader").get(f"/cases/{case.code}/")
    assert "chờ lãnh đạo quyết định mở lại" in text(leader_page) and 'data-move="reopen"' in leader_page.content.decode()


def test_fixed_is_recorded(world, new_case, text):
    case, secret = _resolved(world, new_case)
    response = Client().post("/tra-cuu/", {"code": case.code, "secret": secret, "fixed": "1"})
    assert "Cảm ơn bạn đã xác nhận" in text(response)
    assert CaseEvent.objects.get(case=case, action="public_feedback").data == {"fixed": True, "deadline": None}
    assert not Case.objects.get(pk=case.pk).reopen_requested


def test_ten_tries_per_ten_minutes_per_address(world, new_case, text):
    case = new_case()
    secret = case.public_secret
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(10):
        assert client.post("/tra-cuu/", {"code": case.code, "secret": "SAIMA12345"}).status_code == 404
    refused = client.post("/tra-cuu/", {"code": case.code, "secret": secret})
    assert refused.status_code == 429
    assert "Bạn đã thử quá nhiều lần" in text(refused) and case.title not in text(refused)
    # Another address is not affected.
    other = Client(REMOTE_ADDR="203.0.113.8").post("/tra-cuu/", {"code": case.code, "secret": secret})
    assert other.status_code == 200 and case.title in text(other)


def test_the_dashboard_counts_what_the_person_sees(world, as_user, new_case, text):
    new_case("Rác ở chợ")
    new_case("Nước bẩn")
    new_case("Phường B", by=world.clerk2, locality=world.hamlet_b)
    page = as_user("leader").get("/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="kpi-total">2<' in html
    seen = text(page)
    assert "Theo trạng thái" in seen and "Theo lĩnh vực" in seen and "Theo địa bàn" in seen
    assert "Môi trường" in seen and "Thôn 1 xã A" in seen and "Khu phố 1 phường B" not in seen
    assert "Tỷ lệ giải quyết đúng hạn" in seen
    province = as_user("supervisor").get("/dashboard/", {"period": "today"}).content.decode()
    assert 'data-testid="kpi-total">3<' in province
    empty = as_user("leader").get("/dashboard/", {"period": "custom", "date_from": "01/01/2001", "date_to": "31/01/2001"})
    assert 'data-testid="kpi-total">0<' in empty.content.decode()


def test_inspection_lists_the_subtree_filters_and_checks_the_chain(world, as_user, new_case, text):
    in_a = new_case("Xã A")
    in_b = new_case("Phường B", by=world.clerk2, locality=world.hamlet_b)
    client = as_user("inspector")
    page = client.get("/inspection/")
    assert in_a.code in text(page) and in_b.code in text(page)
    only_b = client.get("/inspection/", {"owner": world.commune_b.code})
    assert in_b.code in text(only_b) and in_a.code not in text(only_b)
    checked = client.get("/inspection/", {"check": "1"})
    assert "Toàn vẹn: 2 vụ việc, 2 sự kiện" in text(checked)
    Case.objects.filter(pk=in_b.pk).update(event_count=5)
    broken = client.get("/inspection/", {"check": "1"})
    assert "KHÔNG nguyên vẹn" in text(broken) and in_b.code in text(broken)
    assert as_user("leader").get("/inspection/").status_code == 403
