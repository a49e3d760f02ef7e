"""Internal notes through the API: added by staff who work the case, refused in scope, role, then text order."""

from cases.models import Case, CaseEvent
from tests.api.test_open311 import file_request, key, one_jurisdiction, portal  # noqa: F401 (the Open311 fixtures)

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


def test_a_note_never_reaches_open311(client, world, api, portal, key):
    code = file_request(client, key).json()[0]["service_request_id"]
    assert api("clerk").post(f"/api/v1/cases/{code}/notes/", {"text": NOTE}, format="json").status_code == 201
    one = client.get(f"/api/v1/open311/v2/requests/{code}.json", {"api_key": key})
    listed = client.get("/api/v1/open311/v2/requests.json", {"api_key": key})
    assert one.status_code == listed.status_code == 200 and code in listed.content.decode()
    for response in (one, listed):
        assert NOTE not in response.content.decode() and "internal_note" not in response.content.decode()
