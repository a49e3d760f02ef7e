"""`Idempotency-Key`: a retry gets the first response, never a second case or event."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.idempotency import idempotency_keys_purge
from api.models import IdempotencyKey
from cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def intake(client, body, key):
    return client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_same_key_twice_gives_one_case_and_the_same_answer(api, intake_body):
    clerk = api("clerk")
    first = intake(clerk, intake_body(), "hotline-call-0001")
    retry = intake(clerk, intake_body(), "hotline-call-0001")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Case.objects.count() == 1


def test_without_a_key_a_retry_is_a_new_case(api, intake_body):
    clerk = api("clerk")
    clerk.post("/api/v1/cases/", intake_body(), format="json")
    clerk.post("/api/v1/cases/", intake_body(), format="json")
    assert Case.objects.count() == 2


def test_the_same_key_with_another_body_is_refused(api, intake_body):
    clerk = api("clerk")
    intake(clerk, intake_body(), "k-1")
    reused = intake(clerk, intake_body(title="Một việc khác hẳn"), "k-1")

    assert reused.status_code == 422
    assert reused.json() == {
        "detail": "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác. Hãy dùng khóa mới.",
        "code": "idempotency_key_reused",
    }
    assert Case.objects.count() == 1


def test_a_key_is_bound_to_its_endpoint(api, intake_body, new_case):
    clerk = api("clerk")
    case = new_case()
    intake(clerk, {}, "k-2")  # a 400: not stored
    intake(clerk, intake_body(), "k-2")
    response = clerk.post(f"/api/v1/cases/{case.code}/transitions/verify/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422
    assert CaseEvent.objects.filter(case=case, action="verify").count() == 0


def test_keys_belong_to_one_person(api, intake_body):
    intake(api("clerk"), intake_body(), "shared-key")
    other = intake(api("leader"), intake_body(), "shared-key")
    assert other.status_code == 201
    assert not other.has_header("Idempotent-Replayed")
    assert Case.objects.count() == 2


def test_a_failed_request_does_not_use_up_its_key(api, intake_body):
    clerk = api("clerk")
    failed = intake(clerk, intake_body(topic="NOPE"), "k-3")
    assert failed.status_code == 400
    assert not IdempotencyKey.objects.exists()

    fixed = intake(clerk, intake_body(), "k-3")
    assert fixed.status_code == 201
    assert Case.objects.count() == 1


def test_a_retried_transition_gives_one_event(api, new_case):
    case = new_case()
    clerk = api("clerk")
    url = f"/api/v1/cases/{case.code}/transitions/reject/"

    first = clerk.post(url, {"reason": "Trùng"}, format="json", HTTP_IDEMPOTENCY_KEY="reject-1")
    retry = clerk.post(url, {"reason": "Trùng"}, format="json", HTTP_IDEMPOTENCY_KEY="reject-1")
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert CaseEvent.objects.filter(case=case, action="reject").count() == 1
    # Without the key the same retry is refused: the case is no longer where it was.
    assert clerk.post(url, {"reason": "Trùng"}, format="json").status_code == 409


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_a_key_must_be_1_to_255_characters(api, intake_body, key):
    response = intake(api("clerk"), intake_body(), key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Case.objects.exists()


def test_keys_expire_after_24_hours(api, intake_body):
    clerk = api("clerk")
    intake(clerk, intake_body(), "old-key")
    intake(clerk, intake_body(title="Việc khác"), "fresh-key")
    IdempotencyKey.objects.filter(key="old-key").update(created_at=timezone.now() - timedelta(hours=25))

    # An expired key is forgotten: using it again logs a new case.
    assert intake(clerk, intake_body(), "old-key").status_code == 201
    assert Case.objects.count() == 3

    IdempotencyKey.objects.filter(key="old-key").update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_keys_purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh-key"]


def test_the_hourly_task_purges_expired_keys(api, intake_body, settings):
    from api.tasks import purge_idempotency_keys

    intake(api("clerk"), intake_body(), "old-key")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_idempotency_keys.apply().get() == 1
    assert not IdempotencyKey.objects.exists()
    assert settings.CELERY_BEAT_SCHEDULE["api-idempotency-keys-purge"]["task"] == purge_idempotency_keys.name
