"""The case page: fields, deadline, history, exactly the moves one may make, refusals, the vault, files, tasks."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import Case, CaseEvent, RoutingRule
from cases.services import case_assign, case_orient, case_resolve, case_verify

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _moves(response):
    html = response.content.decode()
    return sorted(part.split('"')[0] for part in html.split('data-move="')[1:])


def _post(client, case, move, **data):
    fields = {f"{move}-{key}": value for key, value in data.items()}
    return client.post(f"/cases/{case.code}/move/{move}/", fields)


def test_the_page_shows_fields_deadline_and_history(world, as_user, new_case, text):
    case = new_case()
    page = as_user("clerk").get(f"/cases/{case.code}/")
    assert page.status_code == 200
    seen = text(page)
    for expected in (case.code, case.title, "Đường dây nóng", "Môi trường", "Thôn 1 xã A", "Đảng ủy xã A",
                     "Tiếp nhận", "Người phản ánh #1", "clerk"):
        assert expected in seen, expected
    assert "Nguyễn Văn A" not in seen and "0912345678" not in seen  # the vault keeps the reporter
    assert "còn" in page.content.decode().split('data-testid="due-text">')[1][:20]


def test_an_overdue_step_says_by_how_much(world, as_user, new_case, text):
    case = new_case()
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(days=3, hours=2))
    from workflow.models import CaseClock
    CaseClock.objects.filter(case=case).update(due_at=timezone.now() - timedelta(days=3, hours=2))
    assert "quá hạn 3 ngày" in text(as_user("clerk").get(f"/cases/{case.code}/"))


def test_buttons_are_exactly_the_moves_this_person_may_make(world, as_user, new_case):
    case = new_case()
    assert _moves(as_user("clerk").get(f"/cases/{case.code}/")) == ["merge", "reject", "transfer", "verify"]
    assert _moves(as_user("handler").get(f"/cases/{case.code}/")) == []
    assert _moves(as_user("inspector").get(f"/cases/{case.code}/")) == []
    case_verify(case=case, by=world.clerk)
    assert _moves(as_user("leader").get(f"/cases/{case.code}/")) == ["assign", "extend", "merge", "reject", "transfer"]
    assert _moves(as_user("clerk").get(f"/cases/{case.code}/")) == ["merge", "reject", "transfer"]


def test_the_whole_line_through_the_forms(world, as_user, new_case, text):
    case = new_case()
    RoutingRule.objects.create(topic=world.topic, locality=world.commune_a, unit=world.hamlet_a)
    clerk, leader, handler = as_user("clerk"), as_user("leader"), as_user("handler")

    response = _post(clerk, case, "verify", topic=world.topic.code, locality=world.hamlet_a.code, priority="urgent",
                     note="Đã gọi lại xác minh", version=0)
    assert response.status_code == 302
    assert "Đã xác minh vụ việc." in text(clerk.get(response["Location"]))

    assign_form = leader.get(f"/cases/{case.code}/").content.decode().split('data-move="assign"')[1]
    # The routing rule's unit is preselected.
    assert f'value="{world.hamlet_a.code}" selected' in assign_form
    case.refresh_from_db()
    response = _post(leader, case, "assign", unit=world.commune_a.code, assignee=world.handler.pk,
                     note="Giao anh Hùng", version=case.version)
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.owner, case.assignee, case.priority) == ("assigned", world.commune_a, world.handler, "urgent")

    _post(handler, case, "orient", response="Đã thông tin tại họp thôn", version=case.version)
    case.refresh_from_db()
    _post(handler, case, "resolve", outcome="Đã thu gom xong", version=case.version)
    case.refresh_from_db()
    assert (case.status, case.public_response, case.outcome) == ("resolved", "Đã thông tin tại họp thôn", "Đã thu gom xong")

    history = text(leader.get(f"/cases/{case.code}/"))
    for label in ("Tiếp nhận", "Xác minh", "Giao xử lý", "Định hướng, trả lời", "Giải quyết xong",
                  "Đã gọi lại xác minh", "Giao anh Hùng", "Đến đơn vị: Đảng ủy xã A"):
        assert label in history, label

    _post(leader, case, "reopen", reason="Người dân báo chưa xong", version=case.version)
    assert Case.objects.get(pk=case.pk).status == "assigned"


def test_a_refused_move_says_why_and_changes_nothing(world, as_user, new_case, text):
    case = new_case()
    response = _post(as_user("leader"), case, "assign", unit=world.commune_a.code, version=0)
    assert response.status_code == 409
    assert "Không thực hiện được" in text(response)
    assert Case.objects.get(pk=case.pk).status == "received"
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_a_stale_form_gets_a_conflict_and_changes_nothing(world, as_user, new_case, text):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a)
    stale_version = Case.objects.get(pk=case.pk).version
    # Someone else reassigns first.
    case_reassign_by_other = as_user("leader")
    _post(case_reassign_by_other, case, "reassign", unit=world.hamlet_a.code, reason="Chuyển thôn", version=stale_version)
    response = _post(as_user("leader"), case, "reassign", unit=world.commune_a.code, reason="Giao lại xã",
                     version=stale_version)
    assert response.status_code == 409
    assert "vừa được người khác thay đổi" in text(response)
    assert Case.objects.get(pk=case.pk).owner == world.hamlet_a


def test_missing_input_shows_the_field_error(world, as_user, new_case, text):
    case = new_case()
    response = _post(as_user("clerk"), case, "reject", reason="", version=0)
    assert response.status_code == 400
    assert "Trường này là bắt buộc." in text(response)
    assert Case.objects.get(pk=case.pk).status == "received"


def test_merge_from_the_case_page(world, as_user, new_case, text):
    survivor = new_case("Rác ở chợ")
    duplicate = new_case("Rác ở chợ (lần 2)", anonymous=True)
    response = _post(as_user("clerk"), duplicate, "merge", into=survivor.code, note="Trùng", version=0)
    assert response.status_code == 302 and response["Location"] == f"/cases/{survivor.code}/"
    page = text(as_user("clerk").get(response["Location"]))
    assert "Người phản ánh #1" in page and "Người phản ánh #2 (ẩn danh)" in page
    assert "Lượt phản ánh và người phản ánh (2)" in page and duplicate.code in page
    assert Case.objects.get(pk=duplicate.pk).status == "merged"


def test_merge_into_a_case_one_cannot_see_is_refused(world, as_user, new_case, text):
    theirs = new_case("Phường B", by=world.clerk2, locality=world.hamlet_b)
    mine = new_case("Xã A")
    response = _post(as_user("clerk"), mine, "merge", into=theirs.code, version=0)
    assert response.status_code == 400 and "Không tìm thấy vụ việc này." in text(response)
    assert Case.objects.get(pk=mine.pk).status == "received"


def test_the_identity_vault_asks_a_reason_shows_once_and_records_the_look(world, as_user, new_case, text,
                                                                          time_machine):
    case = new_case()
    clerk = as_user("clerk")
    assert "Xem danh tính người phản ánh" in text(clerk.get(f"/cases/{case.code}/"))
    assert "Xem danh tính người phản ánh" not in text(as_user("handler").get(f"/cases/{case.code}/"))
    no_reason = clerk.post(f"/cases/{case.code}/reveal/", {"reason": ""})
    assert no_reason.status_code == 400 and "Nguyễn Văn A" not in text(no_reason)
    posted = clerk.post(f"/cases/{case.code}/reveal/", {"reason": "Gọi lại thông báo kết quả"})
    event = CaseEvent.objects.get(case=case, action="reveal_reporter")
    # Redirect after the post: a reload shows the page again, never a second reveal.
    assert posted.status_code == 302 and posted.url == f"/cases/{case.code}/?revealed={event.seq}#reporter"
    shown = clerk.get(posted.url)
    assert "Nguyễn Văn A" in text(shown) and "0912345678" in text(shown)
    assert "Nguyễn Văn A" in text(clerk.get(posted.url))  # the reload
    assert CaseEvent.objects.filter(case=case, action="reveal_reporter").count() == 1
    assert "Nguyễn Văn A" not in text(clerk.get(f"/cases/{case.code}/"))
    assert (event.actor, event.note) == (world.clerk, "Gọi lại thông báo kết quả")
    # The address shows nothing to anyone else, nor to the clerk once the look is old.
    assert "Nguyễn Văn A" not in text(as_user("leader").get(posted.url))
    time_machine.move_to(timezone.now() + timedelta(minutes=6))
    assert "Nguyễn Văn A" not in text(clerk.get(posted.url))
    assert as_user("handler").post(f"/cases/{case.code}/reveal/", {"reason": "tò mò"}).status_code == 403


def test_attachments_download_only_for_those_who_see_the_case(world, as_user, new_case):
    case = new_case(attachments=[SimpleUploadedFile("bien-ban.png", PNG, content_type="image/png")])
    attachment = case.attachments.get()
    url = f"/cases/{case.code}/attachments/{attachment.pk}/"
    response = as_user("clerk").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert 'filename="bien-ban.png"' in response["Content-Disposition"]
    assert as_user("clerk2").get(url).status_code == 404
    other = new_case("Khác")
    assert as_user("clerk").get(f"/cases/{other.code}/attachments/{attachment.pk}/").status_code == 404


def test_a_clerk_of_another_commune_gets_not_found(world, as_user, new_case, text):
    case = new_case()
    client = as_user("clerk2")
    for url in (f"/cases/{case.code}/", f"/cases/{case.code}/audit/"):
        response = client.get(url)
        assert response.status_code == 404 and "Không tìm thấy vụ việc." in text(response)
    assert _post(client, case, "verify", topic=world.topic.code, locality=world.hamlet_a.code,
                 priority="normal").status_code == 404
    assert client.post(f"/cases/{case.code}/reveal/", {"reason": "x"}).status_code == 404
    assert case.code not in client.get("/cases/export.csv").content.decode("utf-8-sig")
    assert Case.objects.get(pk=case.pk).status == "received"


def test_take_and_give_tasks(world, as_user, new_case, text):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    page = as_user("leader").get(f"/cases/{case.code}/")
    task_id = int(page.content.decode().split("/tasks/")[1].split("/")[0])
    response = as_user("leader").post(f"/cases/{case.code}/tasks/{task_id}/take/", follow=True)
    assert "Bạn đã nhận nhiệm vụ." in text(response)
    assert CaseEvent.objects.filter(case=case, action="take_task", actor=world.leader).exists()

    case.refresh_from_db()  # taking the task moved the case's version
    case_assign(case=case, by=world.leader, unit=world.commune_a)
    page = as_user("leader").get(f"/cases/{case.code}/")
    task_id = int(page.content.decode().split("/tasks/")[1].split("/")[0])
    given = as_user("leader").post(f"/cases/{case.code}/tasks/{task_id}/give/", {"to": world.handler.pk}, follow=True)
    assert "Đã giao nhiệm vụ" in text(given)
    assert Case.objects.get(pk=case.pk).assignee == world.handler
    refused = as_user("handler").post(f"/cases/{case.code}/tasks/{task_id}/give/", {"to": world.handler.pk}, follow=True)
    assert "Không thực hiện được" in text(refused) or refused.status_code == 404


def test_the_chain_check_page(world, as_user, new_case, text):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    page = as_user("inspector").get(f"/cases/{case.code}/audit/")
    assert "Chuỗi lịch sử nguyên vẹn: đã kiểm tra 2 sự kiện" in text(page)
    Case.objects.filter(pk=case.pk).update(head_hash="0" * 64)  # the head no longer matches the chain
    assert "KHÔNG nguyên vẹn" in text(as_user("inspector").get(f"/cases/{case.code}/audit/"))


def test_inspectors_read_and_cannot_move(world, as_user, new_case, text):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a)
    case_orient(case=case, by=world.handler, response="Đã trả lời")
    case_resolve(case=case, by=world.handler, outcome="Xong")
    page = as_user("inspector").get(f"/cases/{case.code}/")
    assert "Bạn không có thao tác nào trên vụ việc này lúc này." in text(page)
    response = _post(as_user("inspector"), case, "reopen", reason="x", version=case.version)
    assert response.status_code == 409 and Case.objects.get(pk=case.pk).status == "resolved"


def test_the_assign_form_lists_the_people_of_the_chosen_unit(world, as_user):
    response = as_user("leader").get("/units/people/", {"assign-unit": world.hamlet_a.code})
    html = response.content.decode()
    assert "hamlet_handler" in html and "hamlet_leader" in html and ">handler<" not in html
    # A unit outside the leader's reach lists nobody.
    outside = as_user("leader").get("/units/people/", {"assign-unit": world.hamlet_b.code}).content.decode()
    assert "handler" not in outside
