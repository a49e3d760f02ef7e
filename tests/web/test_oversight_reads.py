"""Issue 15, item 6 (the screens' part): an inspector's or a supervisor's reading is recorded, one row a read."""

import pytest

from reports.models import InspectionAccessLog


def logged(username):
    return list(InspectionAccessLog.objects.filter(user__username=username).values_list("what", flat=True))


@pytest.mark.parametrize("username", ["inspector", "supervisor"])
def test_a_case_page_and_its_history_read_by_oversight_are_each_one_row(world, new_case, as_user, username):
    case = new_case()
    client = as_user(username)

    assert client.get(f"/cases/{case.code}/").status_code == 200
    assert client.get(f"/cases/{case.code}/audit/").status_code == 200

    assert logged(username) == [f"Lịch sử vụ việc {case.code}", f"Trang vụ việc {case.code}"]  # newest first


def test_the_units_own_people_reading_their_cases_are_not_logged(world, new_case, as_user):
    case = new_case()
    for username in ("clerk", "leader", "handler"):
        assert as_user(username).get(f"/cases/{case.code}/").status_code == 200
    assert not InspectionAccessLog.objects.exists()


def test_the_inspection_list_is_one_row_with_its_scope(world, new_case, as_user):
    new_case()
    client = as_user("inspector")
    assert client.get("/inspection/").status_code == 200
    assert client.get("/inspection/", {"q": "rác"}).status_code == 200

    assert len(logged("inspector")) == 2
    assert logged("inspector")[1] == "Danh sách kiểm tra: mọi vụ việc trong phạm vi"
    assert "rác" in logged("inspector")[0]
