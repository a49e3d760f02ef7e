"""Internal notes through the real URLs: the case page's form and the API; staff only, never public."""

from django.test import Client

from cases.audit import audit_verify
from cases.models import Case, CaseEvent
from cases.services import case_assign, case_orient, case_resolve, case_verify

NOTE = "Đã gọi điện cho trưởng thôn, hẹn kiểm tra hiện trường thứ Hai"


def _history(page):
    return page.content.decode().split('data-testid="timeline"')[1]


def test_a_handler_adds_a_note_it_shows_in_the_history_with_its_author_and_the_case_stays(
        world, as_user, new_case, text):
    world.handler.first_name, world.handler.last_name = "Lê Văn", "Hòa"
    world.handler.save()
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a, assignee=world.handler)
    before = Case.objects.get(pk=case.pk)
    client = as_user("handler")
    page = client.get(f"/cases/{case.code}/")
    assert 'data-testid="note-form"' in page.content.decode()

    posted = client.post(f"/cases/{case.code}/notes/", {"text": NOTE})
    assert posted.status_code == 302 and posted.url.endswith("#history")
    after = Case.objects.get(pk=case.pk)
    assert (after.status, after.owner_id, after.deadline, after.version) == (
        before.status, before.owner_id, before.deadline, before.version)
    event = CaseEvent.objects.get(case=case, action="internal_note")
    assert (event.note, event.actor, event.from_status, event.to_status) == (NOTE, world.handler, "assigned", "assigned")

    shown = client.get(posted.url)
    history = text(_history(shown))
    assert "Ghi chú nội bộ" in history and NOTE in history and "Lê Văn Hòa" in history
    assert "Đã thêm ghi chú nội bộ." in text(shown)
    assert audit_verify(case_ids=[case.pk]).ok


def test_an_empty_note_is_refused_with_a_reason_and_changes_nothing(world, as_user, new_case, text):
    case = new_case()
    response = as_user("clerk").post(f"/cases/{case.code}/notes/", {"text": "   "})
    assert response.status_code == 400 and "Cần nhập nội dung ghi chú." in text(response)
    assert not CaseEvent.objects.filter(case=case, action="internal_note").exists()


def test_a_clerk_of_another_commune_gets_not_found_and_an_inspector_may_only_read(world, as_user, new_case, text):
    case = new_case()
    assert as_user("clerk2").post(f"/cases/{case.code}/notes/", {"text": NOTE}).status_code == 404
    inspector = as_user("inspector")
    assert 'data-testid="note-form"' not in inspector.get(f"/cases/{case.code}/").content.decode()
    refused = inspector.post(f"/cases/{case.code}/notes/", {"text": NOTE})
    assert refused.status_code == 403 and "chỉ được xem" in text(refused)
    assert not CaseEvent.objects.filter(case=case, action="internal_note").exists()


def test_a_note_never_reaches_the_public_page(world, as_user, new_case, text):
    case = new_case()
    secret = case.public_secret
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.commune_a)
    case_orient(case=case, by=world.handler, response="Đã thông báo lịch thu gom rác")
    as_user("handler").post(f"/cases/{case.code}/notes/", {"text": NOTE})
    case_resolve(case=Case.objects.get(pk=case.pk), by=world.handler, outcome="Đã thu gom")
    public = Client(HTTP_ACCEPT_LANGUAGE="vi").post("/tra-cuu/", {"code": case.code, "secret": secret})
    seen = text(public)
    assert public.status_code == 200 and "Đã thông báo lịch thu gom rác" in seen
    assert NOTE not in seen and "Ghi chú nội bộ" not in seen
    assert NOTE not in Case.objects.get(pk=case.pk).public_response
