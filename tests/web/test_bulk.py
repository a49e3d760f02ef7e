"""Bulk actions in the queues, through the real URLs: several cases taken, assigned, merged into one or
exported; each case's move is its own event, and a refusal on one is reported beside the others."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseEvent
from cases.services import case_verify


@pytest.fixture
def four(world, new_case):
    """Two verified cases of commune A (ready to assign), one just received, one of commune B."""
    first, second, fresh = (new_case(f"Nước sinh hoạt có vấn đề {n}") for n in range(1, 4))
    for case in (first, second):
        case_verify(case=case, by=world.clerk)
    other = new_case("Đèn đường hỏng", by=world.clerk2, locality=world.hamlet_b)
    return first, second, fresh, other


def _post(client, **data):
    return client.post(reverse("web:bulk"), {"next": reverse("web:queue"), **data}, follow=True)


def _events(case, action) -> int:
    return CaseEvent.objects.filter(case=case, action=action).count()


def test_the_queue_offers_a_checkbox_per_case_and_the_bulk_form(four, as_user, text):
    page = as_user("leader").get(reverse("web:queue") + "?tab=all")
    html = page.content.decode()
    assert f'name="codes" value="{four[0].code}" form="bulk"' in html
    assert 'id="bulk"' in html and "Gộp vào một vụ việc" in text(page)


def test_assigning_several_cases_moves_each_and_reports_the_refused(four, as_user, text, world):
    first, second, fresh, other = four
    response = _post(as_user("leader"), action="assign", unit=world.hamlet_a.code,
                     codes=[first.code, second.code, fresh.code, other.code])
    shown = text(response)
    assert f"Đã thực hiện với 2 vụ việc: {first.code}, {second.code}." in shown
    assert f"{fresh.code}: không thực hiện được:" in shown
    assert f"{other.code}: không thực hiện được: Không tìm thấy vụ việc." in shown
    for case in (first, second):
        case.refresh_from_db()
        assert (case.status, case.owner_id, _events(case, "assign")) == ("assigned", world.hamlet_a.pk, 1)
    assert Case.objects.get(pk=fresh.pk).status == "received" and _events(fresh, "assign") == 0
    assert Case.objects.get(pk=other.pk).status == "received"


def test_taking_several_tasks_takes_each(four, as_user, text, world):
    first, second, fresh, _other = four
    _post(as_user("leader"), action="assign", unit=world.hamlet_a.code, codes=[first.code, second.code])
    response = _post(as_user("hamlet_handler"), action="take", codes=[first.code, second.code, fresh.code])
    assert f"Đã thực hiện với 2 vụ việc: {first.code}, {second.code}." in text(response)
    assert f"{fresh.code}: không thực hiện được:" in text(response)
    for case in (first, second):
        case.refresh_from_db()
        assert case.assignee == world.hamlet_handler and _events(case, "take_task") == 1


def test_merging_several_into_one(four, as_user, text):
    first, second, fresh, other = four
    response = _post(as_user("clerk"), action="merge", into=first.code, codes=[first.code, second.code, fresh.code])
    assert f"Đã thực hiện với 2 vụ việc: {second.code}, {fresh.code}." in text(response)
    assert {Case.objects.get(pk=c.pk).status for c in (second, fresh)} == {"merged"}
    assert _events(first, "merge_in") == 2

    # Into a case of another commune: refused as not found, nothing merged.
    response = _post(as_user("clerk"), action="merge", into=other.code, codes=[first.code])
    assert f"Không tìm thấy vụ việc {other.code} để gộp vào." in text(response)
    assert Case.objects.get(pk=first.pk).status == "verified"


def test_exporting_the_chosen_cases_only_those_the_person_may_see(four, as_user):
    first, second, fresh, other = four
    response = as_user("leader").post(reverse("web:bulk"), {"action": "export",
                                                            "codes": [first.code, fresh.code, other.code]})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert first.code in body and fresh.code in body
    assert second.code not in body and other.code not in body


def test_bulk_is_a_post_for_logged_in_people(client, four):
    assert client.get(reverse("web:bulk")).status_code in (302, 405)
    response = client.post(reverse("web:bulk"), {"action": "export", "codes": [four[0].code]})
    assert response.status_code == 302 and reverse("web:login") in response.url
