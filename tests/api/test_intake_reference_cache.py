"""Intake reads channels and topics from the process's copy of their tables (cases.selectors.reference_by_code),
not from the database on every request. What an administrator changes still counts: a channel or topic switched
off is refused at the next intake, in this process at once and in every other one within RECHECK_SECONDS; a new
one is accepted at once; a renamed topic is answered with its new name."""

import pytest
from django.core.cache import cache

from cases.models import Case, Channel
from config import shared_configuration

pytestmark = pytest.mark.django_db


def intake(api, body):
    return api("clerk").post("/api/v1/cases/", body, format="json")


def test_a_channel_switched_off_is_refused_at_the_next_intake(api, intake_body, world):
    assert intake(api, intake_body()).status_code == 201  # the copy is filled
    world.channel.is_active = False
    world.channel.save()  # as the admin site saves it

    response = intake(api, intake_body(title="Đèn đường hỏng"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"channel": ["Kênh tiếp nhận này không còn sử dụng."]}
    assert not Case.objects.filter(title="Đèn đường hỏng").exists()


def test_a_topic_switched_off_or_renamed_counts_at_the_next_intake(api, intake_body, world):
    assert intake(api, intake_body()).status_code == 201
    world.topic.name = "Tài nguyên và môi trường"
    world.topic.save()
    response = intake(api, intake_body(title="Đèn đường hỏng"))
    assert response.status_code == 201
    assert response.json()["topic_name"] == "Tài nguyên và môi trường"

    world.topic.is_active = False
    world.topic.save()
    response = intake(api, intake_body(title="Cống tắc"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"topic": ["Lĩnh vực này không còn sử dụng."]}


def test_another_process_change_reaches_this_process_within_the_recheck_interval(
    api, intake_body, world, monkeypatch
):
    clock = [1000.0]
    monkeypatch.setattr(shared_configuration, "time_monotonic", lambda: clock[0])
    assert intake(api, intake_body()).status_code == 201  # this process's copy, checked at 1000.0
    # Another process switches the channel off: its row changes, and its receiver replaces the shared token.
    Channel.objects.filter(pk=world.channel.pk).update(is_active=False)
    cache.set(shared_configuration._VERSION_KEY, "changed-elsewhere", timeout=None)

    clock[0] += shared_configuration.RECHECK_SECONDS  # this process asks the shared cache again
    response = intake(api, intake_body(title="Đèn đường hỏng"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"channel": ["Kênh tiếp nhận này không còn sử dụng."]}


def test_a_channel_added_after_the_copy_was_read_is_accepted_and_an_unknown_code_is_not(api, intake_body, world):
    assert intake(api, intake_body()).status_code == 201
    Channel.objects.bulk_create([Channel(code="zalo", name="Zalo")])  # no signal: this copy does not know it
    response = intake(api, intake_body(channel="zalo", title="Đèn đường hỏng"))
    assert response.status_code == 201
    assert Case.objects.get(code=response.json()["code"]).channel.code == "zalo"

    response = intake(api, intake_body(channel="pigeon"))
    assert response.status_code == 400
    assert response.json()["errors"] == {"channel": ["Không có kênh tiếp nhận mã “pigeon”."]}
