"""Writes stay in scope (issue 15, item 7): intake and verify refuse a locality outside the person's reach,
with the same 400 on the locality field on every interface, and nothing is written."""

import json
import time
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError

from api.adapters.webhook import webhook_signature
from api.inbound import Inbound, inbound_message_handle
from api.integration_keys import integration_key_issue
from api.models import ChannelSource, InboundMessage
from cases.models import Case, CaseEvent, Channel, Unit
from cases.services import case_intake, unit_role_grant

from .transitions import move

pytestmark = pytest.mark.django_db

OUT_OF_REACH = "Không tìm thấy địa bàn này trong phạm vi của bạn."


def test_api_intake_of_another_communes_locality_is_400_on_the_locality(api, intake_body, world):
    """Commune B's clerk cannot log a case about commune A's hamlet (nor about commune A itself)."""
    for code in (world.hamlet_a.code, world.commune_a.code, world.province.code):
        response = api("clerk2").post("/api/v1/cases/", intake_body(locality=code), format="json")

        assert response.status_code == 400, code
        body = response.json()
        assert body["code"] == "invalid"
        assert body["errors"] == {"locality": [OUT_OF_REACH]}
        assert body["detail"] == OUT_OF_REACH
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_api_intake_within_the_clerks_subtree_is_logged_there(api, intake_body, world):
    for username, locality, owner in (("clerk2", world.hamlet_b, world.commune_b),
                                      ("clerk2", world.commune_b, world.commune_b),
                                      ("clerk", world.hamlet_a, world.commune_a)):
        response = api(username).post("/api/v1/cases/", intake_body(locality=locality.code), format="json")
        assert response.status_code == 201, response.json()
        case = Case.objects.get(code=response.json()["code"])
        assert (case.locality, case.owner) == (locality, owner)


def test_a_clerk_of_two_communes_logs_each_locality_at_its_own_commune(api, intake_body, world):
    """Several intake units: the nearest one above the locality receives it; a locality under none is refused."""
    unit_role_grant(user=world.clerk, unit=world.commune_b, role="intake_clerk")
    response = api("clerk").post("/api/v1/cases/", intake_body(locality=world.hamlet_b.code), format="json")
    assert response.status_code == 201
    assert Case.objects.get(code=response.json()["code"]).owner == world.commune_b

    refused = api("clerk").post("/api/v1/cases/", intake_body(locality=world.province.code), format="json")
    assert refused.status_code == 400 and refused.json()["errors"] == {"locality": [OUT_OF_REACH]}


def test_the_web_intake_refuses_the_same_locality(world, as_user):
    response = as_user("clerk2").post("/cases/new/", {
        "title": "Cống thoát nước bị tắc", "channel": world.channel.code, "topic": world.topic.code,
        "locality": f"{world.hamlet_a.name} ({world.hamlet_a.code})", "priority": "normal", "anonymous": "on",
    })
    assert response.status_code == 400
    assert OUT_OF_REACH in response.content.decode()
    assert not Case.objects.exists()


def test_a_named_receiving_unit_takes_only_localities_below_it(world):
    with pytest.raises(ValidationError) as refused:
        case_intake(by=world.clerk, title="Phản ánh", channel=world.channel, topic=world.topic,
                    locality=world.hamlet_b, receiving_unit=world.commune_a)
    assert refused.value.message_dict == {"locality": [OUT_OF_REACH]}
    assert not Case.objects.exists()


# --- verify ----------------------------------------------------------------------


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


# --- integrations: Open311, the webhook, inbound handling ----------------------------


@pytest.fixture
def portal_b(world):
    """Commune B's portal: it acts as B's clerk, so it logs B's localities only."""
    channel, _ = Channel.objects.get_or_create(code="portal", defaults={"name": "Cổng thông tin điện tử"})
    return ChannelSource.objects.create(
        code="phuong-b", name="Cổng phản ánh phường B", kind=ChannelSource.Kind.OPEN311, channel=channel,
        acts_as=world.clerk2, default_topic=world.topic, default_locality=world.hamlet_b,
    )


def _open311(client, key, **overrides):
    form = {"api_key": key, "service_code": "MT",
            "address_string": "Khu phố 1", "description": "Rác tồn đọng", "first_name": "Hoa", "last_name": "Lê"}
    form.update(overrides)
    return client.post("/api/v1/open311/v2/requests.json", urlencode(form),
                       content_type="application/x-www-form-urlencoded")


def test_open311_files_under_its_units_localities_and_refuses_others(client, portal_b, world):
    _row, key = integration_key_issue(source=portal_b)

    logged = _open311(client, key, address_id=world.commune_b.code)
    assert logged.status_code == 201
    assert Case.objects.get(code=logged.json()[0]["service_request_id"]).owner == world.commune_b

    refused = _open311(client, key, address_id=world.hamlet_a.code)
    assert refused.status_code == 400
    assert refused.json() == [{"code": 400, "description": OUT_OF_REACH}]
    assert Case.objects.count() == 1


WEBHOOK_SECRET = "zalo-b-secret"


@pytest.fixture
def zalo_b(world):
    channel, _ = Channel.objects.get_or_create(code="zalo", defaults={"name": "Zalo"})
    return ChannelSource.objects.create(
        code="zalo-b", name="Zalo OA phường B", kind=ChannelSource.Kind.WEBHOOK, channel=channel,
        acts_as=world.clerk2, default_topic=world.topic, default_locality=world.hamlet_b, secret=WEBHOOK_SECRET,
    )


def _deliver(client, payload):
    body = json.dumps(payload, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    return client.post(
        "/api/v1/channels/zalo-b/messages/", data=body, content_type="application/json",
        HTTP_X_DLXH_TIMESTAMP=timestamp,
        HTTP_X_DLXH_SIGNATURE=webhook_signature(secret=WEBHOOK_SECRET, timestamp=timestamp, body=body),
    )


def test_the_webhook_refuses_a_locality_outside_its_unit_and_keeps_no_claim(api, zalo_b, world):
    payload = {"message_id": "m-1", "thread_id": "t-1", "text": "Cống bị tắc.", "locality": world.hamlet_a.code}

    response = _deliver(api(), payload)

    assert response.status_code == 400
    assert response.json()["errors"] == {"locality": [OUT_OF_REACH]}
    assert not Case.objects.exists() and not InboundMessage.objects.exists()
    # The same message naming its own locality is then taken (nothing was claimed by the refusal).
    accepted = _deliver(api(), {**payload, "locality": world.hamlet_b.code})
    assert accepted.status_code == 201
    assert Case.objects.get().owner == world.commune_b


def test_inbound_with_a_default_locality_outside_the_sources_unit_is_refused(zalo_b, world):
    """A source set up with another unit's default locality (e.g. an email box) logs nothing."""
    zalo_b.default_locality = world.hamlet_a
    zalo_b.save(update_fields=["default_locality"])
    with pytest.raises(ValidationError) as refused:
        inbound_message_handle(source=zalo_b, message=Inbound(external_id="e-1", subject="Đèn đường hỏng"))
    assert refused.value.message_dict == {"locality": [OUT_OF_REACH]}
    assert not Case.objects.exists() and not InboundMessage.objects.exists()
