"""Internal notes through the API: added by staff who work the case, refused in scope, role, then text order."""

from cases.models import Case, CaseEvent

NOTE = "Đã gọi điện cho trưởng thôn, hẹn kiểm tra hiện trường thứ Hai"


def test_the_api_adds_a_note_and_lists_it_in_the_events(world, new_case, api):
    case = new_case()
    response = api("clerk").post(f"/api/v1/cases/{case.code}/notes/", {"text": NOTE}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["action"], response.json()["note"], response.json()["from"]) == (
        "internal_note", NOTE, "received")
    events = api("leader").get(f"/api/v1/cases/{case.code}/events/").json()
    assert [e["note"] for e in events if e["action"] == "internal_note"] == [NOTE]
    assert Case.objects.get(pk=case.pk).status == "received"


def test_the_api_refuses_out_of_scope_read_only_and_empty_notes_in_that_order(world, new_case, api):
    case = new_case()
    url = f"/api/v1/cases/{case.code}/notes/"
    assert api("clerk2").post(url, {"text": NOTE}, format="json").status_code == 404
    assert api("clerk2").post(url, {"text": ""}, format="json").status_code == 404  # scope before validation
    assert api("inspector").post(url, {"text": ""}, format="json").status_code == 403  # role before validation
    empty = api("clerk").post(url, {"text": "  "}, format="json")
    assert empty.status_code == 400 and "Cần nhập nội dung ghi chú." in str(empty.json())
    assert api().post(url, {"text": NOTE}, format="json").status_code == 401
    assert not CaseEvent.objects.filter(case=case, action="internal_note").exists()
