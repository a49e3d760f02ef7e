"""The signed chat/portal webhook: a conversation becomes a case, retries change nothing."""

import base64
import json
import time

import pytest

from api.adapters.webhook import webhook_signature
from api.models import ChannelSource
from cases.models import Case, CaseEvent, Channel

pytestmark = pytest.mark.django_db

SECRET = "zalo-oa-shared-secret"
URL = "/api/v1/channels/zalo-oa/messages/"


@pytest.fixture
def zalo(world):
    channel, _ = Channel.objects.get_or_create(code="zalo", defaults={"name": "Zalo"})
    return ChannelSource.objects.create(
        code="zalo-oa", name="Zalo OA xã A", kind=ChannelSource.Kind.WEBHOOK, channel=channel,
        acts_as=world.clerk, default_topic=world.topic, default_locality=world.hamlet_a, secret=SECRET,
    )


def deliver(client, payload, *, secret=SECRET, timestamp=None, url=URL):
    body = json.dumps(payload, ensure_ascii=False).encode()
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    return client.post(
        url, data=body, content_type="application/json",
        HTTP_X_DLXH_TIMESTAMP=timestamp,
        HTTP_X_DLXH_SIGNATURE=webhook_signature(secret=secret, timestamp=timestamp, body=body),
    )


def message(**overrides):
    payload = {
        "message_id": "m-1", "thread_id": "conv-42", "text": "Cống thoát nước trước nhà văn hóa bị tắc.",
        "sender": {"name": "Phạm Văn Dũng", "phone": "0977000111"},
    }
    payload.update(overrides)
    return payload


def test_a_new_conversation_opens_a_case(api, zalo):
    response = deliver(api(), message(attachments=[
        {"name": "anh.png", "content_base64": base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(40)).decode()},
    ]))

    assert response.status_code == 201
    body = response.json()
    assert (body["action"], body["status"], body["duplicate"], body["attachments_refused"]) == (
        "intake", "received", False, [],
    )
    case = Case.objects.get(code=body["case"])
    assert (case.channel.code, case.owner.code, case.title) == ("zalo", "P-A", "Cống thoát nước trước nhà văn hóa bị tắc.")
    assert case.attachments.get().original_name == "anh.png"
    assert case.reports.get().reporter.phone == "0977000111"


def test_a_retry_changes_nothing_and_a_follow_up_is_appended(api, zalo):
    client = api()
    first = deliver(client, message()).json()
    retry = deliver(client, message())
    assert retry.status_code == 200
    assert retry.json()["duplicate"] is True and retry.json()["case"] == first["case"]

    follow_up = deliver(client, message(message_id="m-2", text="Hôm nay nước đã tràn ra đường."))
    assert follow_up.status_code == 201
    assert (follow_up.json()["case"], follow_up.json()["action"]) == (first["case"], "append")
    assert Case.objects.count() == 1
    note = CaseEvent.objects.get(case__code=first["case"], action="message")
    assert note.note == "Hôm nay nước đã tràn ra đường." and note.data["from_reporter"] is True


def test_a_case_code_continues_a_case_from_another_conversation(api, zalo, new_case):
    case = new_case()
    response = deliver(api(), message(message_id="m-9", thread_id="other", case_code=case.code))
    assert (response.json()["case"], response.json()["action"]) == (case.code, "append")


@pytest.mark.parametrize(
    ("secret", "timestamp"),
    [("wrong-secret", None), (SECRET, int(time.time()) - 3600), (SECRET, "yesterday")],
)
def test_unsigned_wrongly_signed_or_stale_requests_are_401(api, zalo, secret, timestamp):
    response = deliver(api(), message(), secret=secret, timestamp=timestamp)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    assert not Case.objects.exists()


def test_an_unknown_or_inactive_source_is_404(api, zalo):
    assert deliver(api(), message(), url="/api/v1/channels/nope/messages/").status_code == 404
    zalo.is_active = False
    zalo.save()
    assert deliver(api(), message()).status_code == 404


def test_bad_messages_are_400(api, zalo):
    response = deliver(api(), message(text="", topic="NOPE", attachments=[{"name": "x", "content_base64": "%%%"}]))
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"text", "topic", "attachments"}
    assert not Case.objects.exists()


def test_a_refused_attachment_is_named_in_the_case_history(api, zalo):
    response = deliver(api(), message(attachments=[
        {"name": "anh.png", "content_base64": base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(40)).decode()},
        {"name": "virus.exe", "content_base64": base64.b64encode(b"MZ\x90\x00" + bytes(60)).decode()},
    ]))

    assert response.status_code == 201 and response.json()["attachments_refused"] == ["virus.exe"]
    case = Case.objects.get(code=response.json()["case"])
    assert [a.original_name for a in case.attachments.all()] == ["anh.png"]
    event = CaseEvent.objects.get(case=case, action="attachments_refused")
    assert event.data["refused"] == [{"name": "virus.exe", "reason": "type"}]


def test_a_text_over_the_description_limit_is_400(api, zalo):
    response = deliver(api(), message(text="Nước đục. " * 1000 + "x"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"text": ["Nội dung quá dài (tối đa 10000 ký tự)."]}
    assert not Case.objects.exists()
