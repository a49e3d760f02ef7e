"""Issue 15, item 6: an inspector's or a supervisor's reading is recorded on every interface, one row a read
(a list or an export of any size is one row with its scope and its number of rows), and the log screen shows
it to the inspectors whose units it concerns, in the reader's language."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from reports.models import InspectionAccessLog, OversightRead
from reports.services import export_job_create, export_job_run


def logged(username):
    return list(InspectionAccessLog.objects.filter(user__username=username).order_by("pk")
                .values_list("kind", "case_code", "rows"))


def api_as(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("username", ["inspector", "supervisor"])
def test_every_read_of_a_case_by_oversight_is_one_row_on_the_screens_and_the_api(world, new_case, as_user,
                                                                                   username):
    case = new_case()
    screens, api = as_user(username), api_as(world.users[username])

    assert screens.get(f"/cases/{case.code}/").status_code == 200
    assert screens.get(f"/cases/{case.code}/audit/").status_code == 200
    assert api.get(f"/api/v1/cases/{case.code}/").status_code == 200
    assert api.get(f"/api/v1/cases/{case.code}/events/").status_code == 200

    assert logged(username) == [
        (OversightRead.CASE_PAGE, case.code, None), (OversightRead.CASE_HISTORY, case.code, None),
        (OversightRead.API_CASE, case.code, None), (OversightRead.API_CASE_HISTORY, case.code, None),
    ]
    assert set(InspectionAccessLog.objects.values_list("unit", flat=True)) == {case.owner_id}


def test_the_units_own_people_reading_their_cases_are_not_logged(world, new_case, as_user):
    case = new_case()
    for username in ("clerk", "leader", "handler"):
        assert as_user(username).get(f"/cases/{case.code}/").status_code == 200
        assert api_as(world.users[username]).get("/api/v1/cases/").status_code == 200
    assert as_user("leader").get("/cases/export.csv").status_code == 200
    assert not InspectionAccessLog.objects.exists()


def test_lists_exports_and_the_dashboard_are_one_row_each_with_scope_and_rows(world, new_case, as_user):
    for n in range(3):
        new_case(f"Đường ngập nước số {n}")
    screens, api = as_user("inspector"), api_as(world.inspector)

    assert screens.get("/inspection/", {"q": "ngập"}).status_code == 200
    assert screens.get("/cases/", {"tab": "all"}).status_code == 200
    export = screens.get("/cases/export.csv")
    assert export.status_code == 200 and export.content.decode("utf-8-sig").count("Đường ngập nước") == 3
    assert screens.get("/dashboard/").status_code == 200
    assert api.get("/api/v1/cases/", {"status": "received"}).status_code == 200

    rows = list(InspectionAccessLog.objects.filter(user=world.inspector).order_by("pk")
                .values_list("kind", "scope", "rows"))
    assert [kind for kind, _scope, _rows in rows] == [
        OversightRead.HISTORY_LIST, OversightRead.CASE_LIST, OversightRead.EXPORT, OversightRead.DASHBOARD,
        OversightRead.API_CASE_LIST,
    ]
    assert [count for _kind, _scope, count in rows] == [3, 3, 3, 3, 3]
    assert "q=ngập" in rows[0][1] and "tab=all" in rows[1][1] and "status=received" in rows[4][1]
    # A list is charged to the widest unit the inspector's role reaches, so that unit's inspectors see it.
    assert set(InspectionAccessLog.objects.values_list("unit", flat=True)) == {world.province.pk}


def test_a_background_export_is_one_row_when_it_is_downloaded_whatever_its_size(world, new_case, as_user):
    for n in range(4):
        new_case(f"Tiếng ồn số {n}")
    job = export_job_create(by=world.inspector, fmt="csv", filters={})
    export_job_run(job_id=job.pk)

    response = as_user("inspector").get(f"/reports/exports/{job.uid}/download/")

    assert response.status_code == 200
    assert logged("inspector") == [(OversightRead.EXPORT, "", 4)]


def test_the_log_screen_shows_oversight_reads_to_the_inspectors_they_concern_in_their_language(
        world, new_case, as_user):
    case = new_case()
    as_user("supervisor").get(f"/cases/{case.code}/audit/")
    api_as(world.supervisor).get("/api/v1/cases/")

    page = as_user("inspector").get("/reports/inspection/log/")
    text = page.content.decode()
    assert page.status_code == 200
    assert f"Lịch sử vụ việc {case.code}" in text and "API: danh sách vụ việc" in text

    english = as_user("inspector")
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    text = english.get("/reports/inspection/log/").content.decode()
    assert f"Case history {case.code}" in text and "API: case list" in text

    # Someone else's reads stay out of reach of a person with no inspection role.
    assert as_user("leader").get("/reports/inspection/log/").status_code == 403
