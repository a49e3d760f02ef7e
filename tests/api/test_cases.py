"""Intake, list, detail and history through the API, as the people of the test world."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, CaseReport, CaseStatus

pytestmark = pytest.mark.django_db

REPORTER_TRACES = ("Trần Thị B", "0987654321", "b@example.com")


# --- intake -------------------------------------------------------------------


def test_intake_logs_a_case_and_answers_201_with_it(api, intake_body, world):
    response = api("clerk").post("/api/v1/cases/", intake_body(priority="urgent", external_ref="HL-42"), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["code"].startswith("DL-")
    assert body["status"] == "received"
    assert (body["channel"], body["topic"], body["locality"], body["owner"]) == ("hotline", "MT", "P-A-T1", "P-A")
    assert (body["priority"], body["external_ref"], body["report_count"], body["version"]) == ("urgent", "HL-42", 1, 0)
    assert body["overdue"] is False and body["escalation_level"] == 0 and body["deadline"]
    case = Case.objects.get(code=body["code"])
    assert case.events.get().action == "intake"
    assert case.created_by == world.clerk


def test_reporter_identity_is_stored_but_never_shown(api, intake_body):
    clerk = api("clerk")
    code = clerk.post("/api/v1/cases/", intake_body(), format="json").json()["code"]

    reporter = CaseReport.objects.get(case__code=code).reporter
    assert (reporter.full_name, reporter.phone, reporter.email) == REPORTER_TRACES
    for url in ("/api/v1/cases/", f"/api/v1/cases/{code}/", f"/api/v1/cases/{code}/events/"):
        text = clerk.get(url).content.decode()
        assert not any(trace in text for trace in REPORTER_TRACES), url


@pytest.mark.parametrize("reporter", ["omitted", None, {}, {"name": " ", "phone": ""}])
def test_intake_without_reporter_is_anonymous(api, intake_body, reporter):
    body = intake_body(reporter=reporter)
    if reporter == "omitted":
        del body["reporter"]
    response = api("clerk").post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201
    assert CaseReport.objects.get(case__code=response.json()["code"]).reporter is None


def test_intake_keeps_the_given_reception_time(api, intake_body):
    received = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
    body = api("clerk").post("/api/v1/cases/", intake_body(received_at=received.isoformat()), format="json").json()
    assert Case.objects.get(code=body["code"]).received_at == received


def test_unknown_codes_are_field_errors_and_nothing_is_logged(api, intake_body):
    response = api("clerk").post(
        "/api/v1/cases/", intake_body(channel="pigeon", topic="NOPE", locality="X-1"), format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["channel"] == ["Không có kênh tiếp nhận mã “pigeon”."]
    assert errors["topic"] == ["Không có lĩnh vực mã “NOPE”."]
    assert errors["locality"] == ["Không có đơn vị mã “X-1”."]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "   "}, "title", "Cần nhập tiêu đề."),
        ({"title": "x" * 301}, "title", "Tiêu đề quá dài (tối đa 300 ký tự)."),
        ({"channel": "hot\x00line"}, "channel", "Không có kênh tiếp nhận mã “hot\x00line”."),
        ({"locality": 42}, "locality", "Không có đơn vị mã “42”."),
        ({"priority": "whenever"}, "priority", None),
        ({"received_at": "yesterday"}, "received_at", None),
        ({"received_at": "0120-02-11T04:25:02Z"}, "received_at", "Thời điểm tiếp nhận phải từ năm 2000 trở đi."),
        ({"reporter": {"email": "not-an-address"}}, "reporter", None),
    ],
)
def test_bad_intake_fields_are_400(api, intake_body, overrides, field, message):
    response = api("clerk").post("/api/v1/cases/", intake_body(**overrides), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    if message:
        assert body["errors"][field] == [message]
        assert body["detail"] == message
    assert not Case.objects.exists()


def test_missing_title_is_400(api, intake_body):
    body = intake_body()
    del body["title"]
    response = api("clerk").post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400
    assert "title" in response.json()["errors"]


def test_intake_needs_an_intake_role(api, intake_body):
    response = api("handler").post("/api/v1/cases/", intake_body(), format="json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Bạn không có vai trò tiếp nhận vụ việc ở đơn vị nào.", "code": "permission_denied",
    }
    assert not Case.objects.exists()


def test_a_case_about_another_commune_is_refused_on_its_locality(api, intake_body):
    """Issue 15, item 7: this used to be logged (owned by commune B, about commune A): a write out of scope."""
    response = api("clerk2").post("/api/v1/cases/", intake_body(), format="json")  # locality in commune A
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"locality"}
    assert not Case.objects.exists()


# --- list ---------------------------------------------------------------------


def _codes(response):
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_list_shows_only_the_cases_the_caller_may_see(api, new_case, world):
    in_a = new_case("Rác thải ở chợ")
    in_b = new_case("Đèn đường hỏng", by=world.clerk2, locality=world.hamlet_b)

    assert _codes(api("clerk").get("/api/v1/cases/")) == [in_a.code]
    assert _codes(api("clerk2").get("/api/v1/cases/")) == [in_b.code]
    assert set(_codes(api("supervisor").get("/api/v1/cases/"))) == {in_a.code, in_b.code}


def test_search_ignores_diacritics_and_stays_in_scope(api, new_case, world):
    water = new_case("Nước sạch thôn 1 bị đục")
    new_case("Đường làng xuống cấp")

    assert _codes(api("clerk").get("/api/v1/cases/", {"q": "nuoc sach"})) == [water.code]
    assert _codes(api("clerk").get("/api/v1/cases/", {"q": water.code})) == [water.code]
    # Commune B's clerk finds nothing of commune A's, by words or by code.
    assert _codes(api("clerk2").get("/api/v1/cases/", {"q": "nuoc sach"})) == []
    assert _codes(api("clerk2").get("/api/v1/cases/", {"q": water.code})) == []


def test_list_filters(api, new_case, world):
    fresh = new_case("Phản ánh mới", priority="urgent")
    late = new_case("Phản ánh cũ", received_at=timezone.now() - timedelta(days=30))
    quiet = new_case("Góp ý", topic=world.quiet_topic)
    clerk = api("clerk")

    assert _codes(clerk.get("/api/v1/cases/", {"overdue": "true"})) == [late.code]
    assert _codes(clerk.get("/api/v1/cases/", {"priority": "urgent"})) == [fresh.code]
    assert _codes(clerk.get("/api/v1/cases/", {"topic": "GY"})) == [quiet.code]
    assert _codes(clerk.get("/api/v1/cases/", {"status": "verified"})) == []
    assert len(_codes(clerk.get("/api/v1/cases/", {"owner": "P-A", "locality": "P-A"}))) == 3
    received_after = (timezone.now() - timedelta(days=1)).isoformat()
    assert late.code not in _codes(clerk.get("/api/v1/cases/", {"received_after": received_after}))
    assert _codes(clerk.get("/api/v1/cases/", {"received_before": received_after})) == [late.code]
    rows = clerk.get("/api/v1/cases/").json()["results"]
    assert {row["code"]: row["overdue"] for row in rows} == {fresh.code: False, late.code: True, quiet.code: False}


def test_bad_filter_values_are_400(api):
    response = api("clerk").get("/api/v1/cases/", {"status": "lost", "received_after": "soon"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "received_after"}


def test_list_is_paginated(api, new_case):
    made = [new_case(f"Phản ánh {n}") for n in range(3)]
    clerk = api("clerk")

    first = clerk.get("/api/v1/cases/", {"page_size": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"] and first["previous"] is None
    second = clerk.get("/api/v1/cases/", {"page_size": 2, "page": 2}).json()
    assert [row["code"] for row in first["results"] + second["results"]] == [c.code for c in reversed(made)]
    beyond = clerk.get("/api/v1/cases/", {"page": 9})
    assert beyond.status_code == 404
    assert beyond.json()["code"] == "not_found"


# --- detail and history -------------------------------------------------------


def test_detail_of_a_visible_case(api, new_case):
    case = new_case()
    body = api("clerk").get(f"/api/v1/cases/{case.code}/").json()
    assert body["code"] == case.code
    assert body["title"] == case.title
    assert body["owner_name"] == "Đảng ủy xã A"


def test_an_invisible_case_looks_exactly_like_a_missing_one(api, new_case):
    case = new_case()
    clerk2 = api("clerk2")
    for suffix in ("", "events/", "transitions/"):
        hidden = clerk2.get(f"/api/v1/cases/{case.code}/{suffix}")
        missing = clerk2.get(f"/api/v1/cases/DL-1999-999999/{suffix}")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json() == {"detail": "Không tìm thấy vụ việc.", "code": "not_found"}


def test_events_are_the_history_oldest_first(api, new_case, world):
    case = new_case()
    clerk = api("clerk")
    clerk.post(f"/api/v1/cases/{case.code}/transitions/verify/", {"note": "Đã gọi lại xác nhận"}, format="json")

    events = clerk.get(f"/api/v1/cases/{case.code}/events/").json()
    assert [(e["seq"], e["action"], e["from"], e["to"], e["actor"]) for e in events] == [
        (1, "intake", "", "received", "clerk"),
        (2, "verify", "received", "verified", "clerk"),
    ]
    assert events[1]["note"] == "Đã gọi lại xác nhận"
    assert events[1]["prev_hash"] == events[0]["hash"]
    assert events[0]["time"] <= events[1]["time"]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.VERIFIED
