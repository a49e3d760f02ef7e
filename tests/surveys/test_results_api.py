"""Results over /api/v1/surveys/: the list and a report scoped like the screens, the frozen tables with small cells
suppressed, the tables as CSV and XLSX, the data system's search; an unpublished report of commune A is a 404 for
commune B, one published to the tier above is read by the province's leader."""

import csv
import io

import pytest
from openpyxl import load_workbook

from .datasys_world import api, collected_plan, province_leader, results_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world, make_plan):
    return collected_plan(world, make_plan)


def test_published_to_the_tier_above_reaches_the_provinces_leader(world, plan):
    parent = results_of(plan, world, scope="parent")
    client = api(province_leader(world))
    listed = client.get("/api/v1/surveys/results/")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()] == [parent.pk]
    assert listed.json()[0] == {"id": parent.pk, "plan": plan.pk, "topic": plan.topic, "unit": "P-A",
                                "title": "Kết quả khảo sát nước sạch", "status": "published", "scope": "parent",
                                "published_at": listed.json()[0]["published_at"], "weighted": False}
    detail = client.get(f"/api/v1/surveys/results/{parent.pk}/").json()
    frequency, crosstab = detail["tables"]
    assert frequency["rows"][2] == {"code": "1", "label": "Rất không hài lòng", "n": None, "pct": None, "ci": None,
                                    "suppressed": True}
    assert crosstab["cells"][1][1]["suppressed"] and detail["summary"] == "Đa số hài lòng."
    as_csv = client.get(f"/api/v1/surveys/results/{parent.pk}/tables.csv")
    assert as_csv.status_code == 200 and as_csv["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert ["1", "Rất không hài lòng", "x", "x", "x", "x"] in rows
    as_xlsx = client.get(f"/api/v1/surveys/results/{parent.pk}/tables.xlsx", HTTP_ACCEPT="application/json")
    assert as_xlsx.status_code == 200 and as_xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(as_xlsx.content)).active["A1"].value == "Kết quả khảo sát nước sạch"
    # The data system finds it by a question's words, with the report beside the plan.
    hits = client.get("/api/v1/surveys/data-system/", {"question": "hai long", "locality": "P-A"}).json()
    assert [(h["plan"], h["readable"], [r["id"] for r in h["results"]]) for h in hits] == [(plan.pk, True, [parent.pk])]
    assert hits[0]["questions"] == ["Mức độ hài lòng với dịch vụ nước sạch"]
    assert client.get("/api/v1/surveys/data-system/", {"locality": "KHONG-CO"}).json() == []
    assert client.get("/api/v1/surveys/data-system/", {"period_from": "không phải ngày"}).status_code == 400


def test_unpublished_or_internal_results_of_commune_a_are_404_for_commune_b(world, plan):
    draft = results_of(plan, world, scope="parent", published=False)
    internal = results_of(plan, world, scope="internal")
    province_leader(world)
    for username in ("leader2", "leader_p"):
        client = api(world.users[username])
        assert client.get("/api/v1/surveys/results/").json() == []
        for results in (draft, internal):
            for path in ("", "tables.csv", "tables.xlsx"):
                accept = "text/csv" if path else "application/json"
                response = client.get(f"/api/v1/surveys/results/{results.pk}/{path}", HTTP_ACCEPT=accept)
                assert response.status_code == 404, (username, path)
                assert response["Content-Type"] == "application/json"  # errors are JSON whatever was asked
        assert plan.pk not in [h["plan"] for h in client.get("/api/v1/surveys/data-system/").json()
                               if h["results"]]
    assert [h["plan"] for h in api(world.leader2).get("/api/v1/surveys/data-system/").json()] == []
    # Commune A's own staff and the province's supervisor read both, the draft included.
    for username in ("secretariat", "supervisor"):
        listed = api(world.users[username]).get("/api/v1/surveys/results/").json()
        assert {r["id"] for r in listed} == {draft.pk, internal.pk}
        assert api(world.users[username]).get(f"/api/v1/surveys/results/{draft.pk}/tables.csv").status_code == 200
    assert api(world.leader2).get("/api/v1/surveys/results/abc/").status_code == 404


def test_public_results_are_read_by_anyone_signed_in(world, plan):
    public = results_of(plan, world, scope="public")
    client = api(world.leader2)
    assert [r["id"] for r in client.get("/api/v1/surveys/results/").json()] == [public.pk]
    assert client.get(f"/api/v1/surveys/results/{public.pk}/tables.csv").status_code == 200
    hits = client.get("/api/v1/surveys/data-system/").json()
    assert [(h["plan"], h["readable"]) for h in hits] == [(plan.pk, False)]
    assert api(world.leader2).get("/api/v1/surveys/results/").status_code == 200
    assert client.get("/api/v1/surveys/results/", HTTP_AUTHORIZATION="").status_code == 401
