"""Writes stay in scope (issue 15, item 7): verify refuses a locality outside the person's reach, with the
same 400 on the locality field through the API as the screen's refusal, and nothing is written."""

import pytest

from cases.models import CaseEvent, Unit

from .transitions import move

pytestmark = pytest.mark.django_db

OUT_OF_REACH = "Không tìm thấy địa bàn này trong phạm vi của bạn."


def test_api_verify_to_another_communes_locality_is_400_and_changes_nothing(api, new_case, world):
    case = new_case(by=world.clerk2, locality=world.hamlet_b)

    response = move(api("clerk2"), case, "verify", locality=world.hamlet_a.code)

    assert response.status_code == 400
    assert response.json()["errors"] == {"locality": [OUT_OF_REACH]}
    case.refresh_from_db()
    assert (case.status, case.locality, case.version) == ("received", world.hamlet_b, 0)
    assert not CaseEvent.objects.filter(case=case, action="verify").exists()


def test_api_verify_within_reach_corrects_the_locality(api, new_case, world):
    case = new_case(by=world.clerk2, locality=world.hamlet_b)

    response = move(api("clerk2"), case, "verify", locality=world.commune_b.code)

    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.status, case.locality) == ("verified", world.commune_b)


def test_api_verify_keeping_the_locality_as_it_is_is_allowed(api, new_case, world):
    """The rule is on a change: naming the case's own locality again is no correction."""
    case = new_case(by=world.clerk2, locality=world.hamlet_b)
    assert move(api("clerk2"), case, "verify", locality=world.hamlet_b.code).status_code == 200


def test_api_verify_to_an_inactive_locality_is_400(api, new_case, world):
    case = new_case(by=world.clerk2, locality=world.commune_b)
    Unit.objects.filter(pk=world.hamlet_b.pk).update(is_active=False)

    response = move(api("clerk2"), case, "verify", locality=world.hamlet_b.code)

    assert response.status_code == 400
    assert response.json()["errors"] == {"locality": ["Địa bàn này không còn hoạt động."]}


def test_the_web_verify_refuses_the_same_locality(world, as_user, new_case):
    case = new_case(by=world.clerk2, locality=world.hamlet_b)
    response = as_user("clerk2").post(f"/cases/{case.code}/move/verify/", {
        "verify-topic": world.topic.code, "verify-locality": world.hamlet_a.code, "verify-priority": "normal",
    })
    assert OUT_OF_REACH in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.locality) == ("received", world.hamlet_b)
