"""The outbox: rows commit with the case change, deliveries happen once, failures retry with backoff."""

import hashlib
import hmac
import smtplib
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from kombu.exceptions import OperationalError

from cases.exceptions import PermissionDenied
from cases.models import CaseEvent
from cases.services import case_assign, case_verify
from notifications.models import Notification, NotificationPreference, OutboxMessage, WebhookEndpoint
from notifications.services import digest_send_all, message_deliver, outbox_message_retry, outbox_requeue_due
from notifications.tasks import outbox_deliver

# A moment after anything the test writes at the real time; time is frozen or moved from it.
T0 = datetime.now(dt_timezone.utc).replace(microsecond=0) + timedelta(hours=1)


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("mail server went away")


def deliver_all(ids):
    return [message_deliver(message_id=pk).status for pk in ids]


def test_committed_change_queues_each_delivery_after_commit(people, new_case, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = new_case()
        assert queued == []  # nothing reaches the broker before the commit
    for callback in callbacks:
        callback()
    email = OutboxMessage.objects.get(notification__case=case, channel="email")
    assert queued == [email.pk]  # the leader's email; the in-app delivery needs no task
    in_app = OutboxMessage.objects.get(notification__case=case, channel="inapp")
    assert (in_app.status, in_app.attempts, in_app.sent_at is not None) == ("sent", 1, True)
    assert in_app.notification.delivered_at == in_app.sent_at


def test_the_in_app_delivery_is_written_with_the_change_and_shown_once(people, new_case, queued):
    """No task delivers it: the bell shows it when the change commits; a task or sweep for its row does nothing."""
    case = new_case()
    notification = Notification.objects.get(case=case, recipient=people.leader)
    assert notification.delivered_at is not None
    in_app = notification.deliveries.get(channel="inapp")
    assert message_deliver(message_id=in_app.pk).status == "skipped"
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        outbox_requeue_due()
    assert in_app.pk not in queued
    in_app.refresh_from_db()
    assert (in_app.status, in_app.attempts) == ("sent", 1)


def test_an_in_app_row_left_pending_by_an_older_process_is_still_delivered_once(people, new_case):
    case = new_case()
    notification = Notification.objects.get(case=case, recipient=people.leader)
    in_app = notification.deliveries.get(channel="inapp")
    # As a process of the version before this one left them: not shown, the delivery waiting for its task.
    Notification.objects.filter(pk=notification.pk).update(delivered_at=None)
    OutboxMessage.objects.filter(pk=in_app.pk).update(status="pending", attempts=0, sent_at=None)
    assert [message_deliver(message_id=in_app.pk).status for _ in range(2)] == ["sent", "skipped"]
    notification.refresh_from_db()
    assert notification.delivered_at is not None


def test_rolled_back_transition_leaves_no_message_and_queues_nothing(
    people, new_case, queued, django_capture_on_commit_callbacks
):
    case = new_case()
    case_verify(case=case, by=people.clerk)
    before = OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            case_assign(case=case, by=people.leader, unit=people.hamlet_a, assignee=people.hamlet_handler)
            assert Notification.objects.filter(case=case, kind="assign").count() == 2  # written with the change
            raise RuntimeError("something later in the same transaction failed")
    assert callbacks == [] and queued == []
    assert not Notification.objects.filter(case=case, kind="assign").exists()
    assert OutboxMessage.objects.count() == before
    assert not CaseEvent.objects.filter(case=case, action="assign").exists()


def test_refused_transition_writes_no_message(people, new_case):
    case = new_case()
    case_verify(case=case, by=people.clerk)
    before = OutboxMessage.objects.count()
    with pytest.raises(PermissionDenied):
        case_assign(case=case, by=people.clerk, unit=people.hamlet_a)
    assert OutboxMessage.objects.count() == before


def test_delivering_twice_sends_one_email_and_shows_the_notification_once(
    people, new_case, queued, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case()
    assert deliver_all(queued) == ["sent"]  # the email (the in-app delivery was written with the case)
    assert deliver_all(queued) == ["skipped"]
    assert [outbox_deliver.apply(args=[pk]).get() for pk in queued] == ["skipped"]

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["leader@example.vn"]
    assert email.subject == f"Vụ việc mới {case.code}"
    assert f"Vụ việc mới {case.code} «Rác thải tồn đọng ở chợ»" in email.body
    notification = Notification.objects.get(case=case, recipient=people.leader)
    assert notification.delivered_at is not None
    assert set(notification.deliveries.values_list("status", "attempts")) == {("sent", 1)}


def test_webhook_gets_one_signed_post_with_a_stable_id(
    people, new_case, queued, webhook_receiver, django_capture_on_commit_callbacks
):
    endpoint = WebhookEndpoint.objects.create(name="Cổng tỉnh", url=webhook_receiver.url, secret="khoa-bi-mat")
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case()
    hook = OutboxMessage.objects.get(endpoint=endpoint)
    assert hook.pk in queued

    assert message_deliver(message_id=hook.pk).status == "sent"
    assert message_deliver(message_id=hook.pk).status == "skipped"

    assert len(webhook_receiver.requests) == 1
    headers, body = webhook_receiver.requests[0]
    expected = "sha256=" + hmac.new(b"khoa-bi-mat", body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-DLXH-Signature"], expected)
    payload = webhook_receiver.bodies()[0]
    assert payload["id"] == headers["X-DLXH-Message-Id"] == str(hook.uid)
    assert payload["type"] == "case.intake"
    assert payload["case"]["code"] == case.code and payload["case"]["owner"] == "P-A"
    assert "Nguyễn" not in body.decode() and "0912345678" not in body.decode()


def test_webhook_endpoint_receives_only_the_actions_it_asked_for(people, new_case):
    WebhookEndpoint.objects.create(name="Chỉ chuyển cấp", url="http://127.0.0.1:9/", actions="escalate, remind")
    new_case()
    assert not OutboxMessage.objects.filter(channel="webhook").exists()


def test_failing_webhook_retries_with_backoff_then_delivers_the_same_body(people, new_case, webhook_receiver):
    endpoint = WebhookEndpoint.objects.create(name="Cổng tỉnh", url=webhook_receiver.url, secret="k")
    new_case()
    hook = OutboxMessage.objects.get(endpoint=endpoint)
    webhook_receiver.status = 503

    with time_machine.travel(T0, tick=False):
        outcome = message_deliver(message_id=hook.pk)
    assert (outcome.status, outcome.retry_in) == ("retry", 30)
    hook.refresh_from_db()
    assert (hook.status, hook.attempts, hook.next_attempt_at) == ("pending", 1, T0 + timedelta(seconds=30))
    assert "HTTP 503" in hook.last_error

    with time_machine.travel(T0 + timedelta(seconds=31), tick=False):
        outcome = message_deliver(message_id=hook.pk)
    assert (outcome.status, outcome.retry_in) == ("retry", 60)  # doubled
    hook.refresh_from_db()
    assert (hook.attempts, hook.next_attempt_at) == (2, T0 + timedelta(seconds=91))

    webhook_receiver.status = 200
    with time_machine.travel(T0 + timedelta(seconds=91), tick=False):
        assert message_deliver(message_id=hook.pk).status == "sent"
    hook.refresh_from_db()
    assert (hook.status, hook.attempts, hook.last_error) == ("sent", 3, "")
    bodies = [body for _headers, body in webhook_receiver.requests]
    assert len(bodies) == 3 and len(set(bodies)) == 1  # every try sent the same bytes, same id


def test_the_task_asks_celery_to_retry_after_the_recorded_backoff(people, new_case, webhook_receiver, monkeypatch):
    endpoint = WebhookEndpoint.objects.create(name="Cổng tỉnh", url=webhook_receiver.url, secret="k")
    new_case()
    hook = OutboxMessage.objects.get(endpoint=endpoint)
    webhook_receiver.status = 500
    retries = []

    class Retry(Exception):
        pass

    def fake_retry(countdown):
        retries.append(countdown)
        return Retry()

    monkeypatch.setattr(outbox_deliver, "retry", fake_retry)
    with pytest.raises(Retry):
        outbox_deliver.run(hook.pk)
    assert retries == [30]


def test_delivery_gives_up_after_the_last_attempt_and_an_admin_can_requeue(
    people, new_case, webhook_receiver, settings, queued, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    endpoint = WebhookEndpoint.objects.create(name="Cổng tỉnh", url=webhook_receiver.url, secret="k")
    new_case()
    hook = OutboxMessage.objects.get(endpoint=endpoint)
    webhook_receiver.status = 500
    outcomes = []
    for minutes in (0, 1, 2):
        with time_machine.travel(T0 + timedelta(minutes=minutes), tick=False):
            outcomes.append(message_deliver(message_id=hook.pk).status)
    assert outcomes == ["retry", "failed", "skipped"]
    hook.refresh_from_db()
    assert (hook.status, hook.attempts) == ("failed", 2)

    webhook_receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_message_retry(messages=[hook]) == 1
    assert hook.pk in queued
    assert message_deliver(message_id=hook.pk).status == "sent"
    assert len(webhook_receiver.requests) == 3


def test_email_failure_is_recorded_and_retried(people, new_case, settings, mailoutbox):
    new_case()
    email = OutboxMessage.objects.get(channel="email")
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    with time_machine.travel(T0, tick=False):
        outcome = message_deliver(message_id=email.pk)
    email.refresh_from_db()
    assert (outcome.status, email.status, email.attempts) == ("retry", "pending", 1)
    assert "mail server went away" in email.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(T0 + timedelta(seconds=10), tick=False):
        # A duplicate of the task, early: the backoff holds.
        assert message_deliver(message_id=email.pk).status == "skipped"
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        assert message_deliver(message_id=email.pk).status == "sent"
    assert len(mailoutbox) == 1


def test_email_to_a_person_whose_address_was_removed_fails_without_retrying(people, new_case, mailoutbox):
    new_case()
    email = OutboxMessage.objects.get(channel="email")
    people.leader.email = ""
    people.leader.save(update_fields=["email"])
    outcome = message_deliver(message_id=email.pk)
    email.refresh_from_db()
    assert (outcome.status, email.status, mailoutbox) == ("failed", "failed", [])


def test_broker_down_at_commit_delays_delivery_until_the_sweep(
    people, new_case, monkeypatch, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_REQUEUE_SECONDS = 60
    broker = {"up": False, "published": []}

    def publish(args, **kwargs):
        if not broker["up"]:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")
        broker["published"].append(args[0])

    monkeypatch.setattr(outbox_deliver, "apply_async", publish)

    with time_machine.travel(T0, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            case = new_case()  # the change commits although the broker is down
        waiting = set(OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True))
        assert len(waiting) == 1 == OutboxMessage.objects.filter(channel="email", status="pending").count()
        # The bell does not need the broker: the in-app delivery was written with the change.
        assert Notification.objects.get(case=case).delivered_at is not None

    broker["up"] = True
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        assert outbox_requeue_due() == 0  # not overdue yet: its task may still be on the way
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        assert outbox_requeue_due() == 1
        assert outbox_requeue_due() == 0  # pushed back a full interval
    assert set(broker["published"]) == waiting

    # The sweep ran again before the worker got to it: duplicates deliver once.
    with time_machine.travel(T0 + timedelta(seconds=122), tick=False):
        assert outbox_requeue_due() == 1
        assert sorted(deliver_all(broker["published"])) == ["sent", "skipped"]
    assert len(mailoutbox) == 1
    assert OutboxMessage.objects.filter(status="sent").count() == 2
    with time_machine.travel(T0 + timedelta(seconds=600), tick=False):
        assert outbox_requeue_due() == 0


def test_a_worker_that_died_mid_send_is_covered_by_the_sweep_after_its_lease(people, new_case, queued, settings):
    settings.NOTIFICATIONS_REQUEUE_SECONDS = 60
    with time_machine.travel(T0, tick=False):
        new_case()
        email = OutboxMessage.objects.get(channel="email")
        # A worker claimed it and died before recording anything.
        OutboxMessage.objects.filter(pk=email.pk).update(claimed_until=T0 + timedelta(seconds=120))
    with time_machine.travel(T0 + timedelta(seconds=90), tick=False):
        assert outbox_requeue_due() == 0  # the email is still leased (the in-app delivery was never queued)
        assert email.pk not in queued
        assert message_deliver(message_id=email.pk).status == "skipped"  # still leased
    with time_machine.travel(T0 + timedelta(seconds=121), tick=False):
        outbox_requeue_due()
        assert email.pk in queued
        assert message_deliver(message_id=email.pk).status == "sent"


def test_daily_digest_sends_one_email_of_the_waiting_items_once(
    people, new_case, queued, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=people.leader, email_mode="digest")
    with django_capture_on_commit_callbacks(execute=True):
        first = new_case("Rác thải tồn đọng ở chợ")
        second = new_case("Đèn đường hỏng")
    digest_ids = set(OutboxMessage.objects.filter(channel="digest").values_list("pk", flat=True))
    assert len(digest_ids) == 2 and not digest_ids & set(queued)  # not sent one by one
    assert queued == []  # the in-app deliveries were written with the cases
    assert mailoutbox == []
    assert Notification.objects.filter(recipient=people.leader, delivered_at__isnull=False).count() == 2

    assert digest_send_all() == {"sent": 1, "retry": 0, "failed": 0, "skipped": 0}
    assert digest_send_all()["sent"] == 0
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["leader@example.vn"]
    assert "2 thông báo" in email.subject
    assert first.code in email.body and second.code in email.body and "Đèn đường hỏng" in email.body
    assert set(OutboxMessage.objects.filter(pk__in=digest_ids).values_list("status", flat=True)) == {"sent"}


def test_failed_digest_keeps_its_items_for_the_next_run(people, new_case, settings, mailoutbox):
    NotificationPreference.objects.create(user=people.leader, email_mode="digest")
    new_case()
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    assert digest_send_all()["retry"] == 1
    item = OutboxMessage.objects.get(channel="digest")
    assert (item.status, item.attempts) == ("pending", 1)
    assert "mail server went away" in item.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(item.next_attempt_at + timedelta(days=1), tick=False):
        assert digest_send_all()["sent"] == 1
    assert len(mailoutbox) == 1


def test_a_sweep_queues_its_deliveries_together_after_commit(
    people, new_case, queued, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    """Dozens of reminders in one sweep transaction: one publish per batch, not one per message."""
    from django.utils import timezone

    from notifications.services import QUEUED_CHANNELS
    from notifications.tasks import outbox_deliver_batch
    from workflow.models import CaseClock
    from workflow.services import clocks_sweep

    batches = []
    monkeypatch.setattr(outbox_deliver_batch, "apply_async", lambda args, **kwargs: batches.append(args[0]))
    cases = [new_case() for _ in range(3)]
    queued.clear()
    now = timezone.now()
    CaseClock.objects.filter(case__in=cases, clock="verify").update(
        started_at=now - timedelta(days=3), due_at=now + timedelta(hours=1), next_action="remind",
        next_fire_at=now - timedelta(minutes=1), reminder_level=0,
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = clocks_sweep()
    assert result.reminders == 3
    shown = OutboxMessage.objects.filter(event__action="remind", channel="inapp")
    assert shown.count() >= 3 and set(shown.values_list("status", flat=True)) == {"sent"}
    reminders = OutboxMessage.objects.filter(event__action="remind", channel__in=QUEUED_CHANNELS).exclude(
        channel="inapp")
    assert reminders.count() >= 3
    assert queued == []  # nothing published message by message
    assert [sorted(batch) for batch in batches] == [sorted(reminders.values_list("pk", flat=True))]
    outbox_deliver_batch.run(batches[0])
    assert set(reminders.values_list("status", flat=True)) == {"sent"}
    assert len(mailoutbox) == reminders.filter(channel="email").count()
