"""Racing retries on real PostgreSQL: one key, many simultaneous requests, one case."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent
from tests.api.conftest import person_token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 50


def race(requests_to_send):
    """Send each request from its own thread (own DB connection), all released at once."""
    barrier = threading.Barrier(len(requests_to_send))

    def send(request):
        try:
            barrier.wait()
            response = request()
            return response.status_code, response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(requests_to_send)) as pool:
        return list(pool.map(send, requests_to_send))


def client_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {person_token(user)}")
    return client


def test_50_parallel_intakes_with_one_key_give_one_case(world, intake_body, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}}
    clients = [client_for(world.clerk) for _ in range(RACERS)]
    body = intake_body()

    outcomes = race([
        lambda client=client: client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="call-777")
        for client in clients
    ])

    assert Case.objects.count() == 1
    code = Case.objects.get().code
    assert {status for status, _ in outcomes} == {201}
    assert {answer["code"] for _, answer in outcomes} == {code}


def test_parallel_retries_of_one_transition_give_one_event(world, new_case, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}}
    case = new_case()
    clients = [client_for(world.clerk) for _ in range(10)]
    url = f"/api/v1/cases/{case.code}/transitions/verify/"

    outcomes = race([
        lambda client=client: client.post(url, {"note": "ok"}, format="json", HTTP_IDEMPOTENCY_KEY="verify-1")
        for client in clients
    ])

    assert {status for status, _ in outcomes} == {200}
    assert CaseEvent.objects.filter(case=case, action="verify").count() == 1


def test_parallel_deliveries_of_one_webhook_message_give_one_case(world):
    import json
    import time

    from api.adapters.webhook import webhook_signature
    from api.models import ChannelSource
    from cases.models import Channel

    channel, _ = Channel.objects.get_or_create(code="zalo", defaults={"name": "Zalo"})
    ChannelSource.objects.create(
        code="zalo-oa", name="Zalo OA", kind=ChannelSource.Kind.WEBHOOK, channel=channel, acts_as=world.clerk,
        default_topic=world.topic, default_locality=world.hamlet_a, secret="s3cret",
    )
    body = json.dumps({"message_id": "m-1", "text": "Cống thoát nước bị tắc."}).encode()
    timestamp = str(int(time.time()))
    headers = {"HTTP_X_DLXH_TIMESTAMP": timestamp,
               "HTTP_X_DLXH_SIGNATURE": webhook_signature(secret="s3cret", timestamp=timestamp, body=body)}

    outcomes = race([
        lambda client=APIClient(): client.post("/api/v1/channels/zalo-oa/messages/", data=body,
                                               content_type="application/json", **headers)
        for _ in range(10)
    ])

    assert sorted(status for status, _ in outcomes) == [200] * 9 + [201]
    assert {answer["case"] for _, answer in outcomes} == {Case.objects.get().code}
