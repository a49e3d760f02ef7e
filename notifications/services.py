"""Every write of the notifications app: the outbox, its delivery, read marks, preferences.

The outbox rows are written in the transaction of the case change that causes them (`outbox_record_event`,
called by the `case_event_recorded` receiver), so both commit or neither. The in-app delivery is a column of the
notification's own row, so it is done right there (`shown_in_app`). The others (email, webhook) are queued after
commit as Celery tasks; if the broker is down then, the rows simply wait and the sweep (`outbox_requeue_due`, on
beat) queues them later. A delivery claims its row with a short lease and records the outcome on it, so running a
task twice, or two workers at once, delivers once.
"""

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent
from config.shared_configuration import versioned

from .channels import DELIVER, DeliveryError, deliver_digest
from .models import (
    EmailMode,
    Notification,
    NotificationPreference,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    WebhookEndpoint,
)
from .recipients import message_params, recipients_for
from .texts import GROUPS

logger = logging.getLogger(__name__)

# Channels delivered one task per message (in-app: only rows an older version left pending); digests wait a day.
QUEUED_CHANNELS = (OutboxChannel.IN_APP, OutboxChannel.EMAIL, OutboxChannel.WEBHOOK)

# Event data an integration may receive; anything else (e.g. people's names) stays home.
WEBHOOK_DATA_KEYS = (
    "from_unit", "to_unit", "to_units", "clock", "level", "into", "merged_case", "report", "changes", "orient_skipped",
)


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attempts() -> int:
    return _setting("NOTIFICATIONS_MAX_ATTEMPTS", 10)


def backoff_seconds(attempts: int) -> int:
    """Wait before the next try after `attempts` failed ones: 30 s, 60 s, 120 s, ... up to 6 h."""
    base = _setting("NOTIFICATIONS_BACKOFF_BASE", 30)
    cap = _setting("NOTIFICATIONS_BACKOFF_MAX", 6 * 3600)
    return min(base * 2 ** max(attempts - 1, 0), cap)


def _lease() -> timedelta:
    # Longer than any one send (webhook timeout included); a worker that dies frees it after this.
    return timedelta(seconds=_setting("NOTIFICATIONS_LEASE_SECONDS", 120))


# Clocks of web and worker machines differ a little.
EARLY_TOLERANCE = timedelta(seconds=5)


def _unclaimed(now) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


# --- writing the outbox (inside the case change's transaction) -----------------


def outbox_record_event(*, case: Case, event: CaseEvent) -> list[OutboxMessage]:
    """Write the notifications and deliveries `event` causes, in the caller's transaction.

    Queues the deliveries once that transaction commits; a rollback drops
    rows and queueing together.
    """
    now = timezone.now()
    messages = []
    people = recipients_for(case=case, event=event)
    if people:
        params = message_params(case=case, event=event)
        notifications = Notification.objects.bulk_create(
            Notification(recipient=person, case=case, event=event, kind=event.action, params=params, delivered_at=now)
            for person in people
        )
        for person, notification in zip(people, notifications):
            messages.append(shown_in_app(now, event, notification=notification, recipient=person))
            if person.email and not _muted(person, event.action):
                channel = OutboxChannel.DIGEST if _wants_digest(person) else OutboxChannel.EMAIL
                messages.append(_message(channel, now, event, notification=notification, recipient=person))
    endpoints = [e for e in active_webhook_endpoints() if e.wants(event.action)]
    for endpoint in endpoints:
        message = _message(OutboxChannel.WEBHOOK, now, event, endpoint=endpoint)
        message.payload = _webhook_payload(case=case, event=event, message_uid=message.uid)
        messages.append(message)
    if not messages:
        return []
    OutboxMessage.objects.bulk_create(messages)
    _queue_after_commit(_to_queue(messages))
    return messages


def _to_queue(messages: list[OutboxMessage]) -> list[int]:  # email, webhook: not in-app (done), nor digest
    return [m.pk for m in messages if m.channel in QUEUED_CHANNELS and m.status == OutboxStatus.PENDING]


# The deliveries recorded in this thread's current transaction, queued once it commits.
_this_transaction = threading.local()


def _queue_after_commit(message_ids: list[int]) -> None:
    """Queue the deliveries when the caller's transaction commits: those of one event one by one, those of a
    transaction that recorded many events (the clock sweep) together, since one publish per event cost more
    than writing the event. A rollback drops the rows and the queueing together; a message whose savepoint
    rolled back is simply not found by the worker."""
    if not message_ids:
        return
    connection = transaction.get_connection()
    scope = _callers_transaction(connection)
    pending = getattr(_this_transaction, "pending", None)
    # Django drops the callbacks of a transaction (or savepoint) that rolls back: a batch whose callback is
    # gone belongs to no open transaction any more.
    if (pending is not None and scope is not None and pending.scope == scope
            and any(entry[1] == pending.flush for entry in connection.run_on_commit)):
        pending.ids.extend(message_ids)
        pending.events += 1
        return
    pending = _PendingDeliveries(scope=scope, ids=list(message_ids))
    _this_transaction.pending = pending
    transaction.on_commit(pending.flush, robust=True)


def _callers_transaction(connection):
    """The outermost atomic block the application opened (a test case's wrapping blocks aside), as a key that
    differs for each time it is entered; None outside a transaction."""
    for depth, block in enumerate(connection.atomic_blocks):
        if not block._from_testcase:
            return id(block), (connection.savepoint_ids[depth - 1] if depth else None)
    return None


@dataclass
class _PendingDeliveries:
    scope: tuple | None
    ids: list
    events: int = 1

    def flush(self) -> None:
        if getattr(_this_transaction, "pending", None) is self:
            _this_transaction.pending = None
        outbox_enqueue(message_ids=self.ids, together=self.events > 1)


def active_webhook_endpoints() -> list[WebhookEndpoint]:
    """The active endpoints, read once per configuration change rather than once per event (read-only)."""
    return versioned("webhook_endpoints", lambda: list(WebhookEndpoint.objects.filter(is_active=True)))


def _message(channel, now, event, **fields) -> OutboxMessage:
    return OutboxMessage(channel=channel, event=event, next_attempt_at=now, **fields)


def shown_in_app(now, event, *, notification: Notification, recipient) -> OutboxMessage:
    """The in-app delivery of `notification` (whose `delivered_at` is `now`), written sent with it: the bell shows it
    when the caller's transaction commits, a rollback takes both, and no task is queued for it."""
    return _message(OutboxChannel.IN_APP, now, event, notification=notification, recipient=recipient,
                    status=OutboxStatus.SENT, attempts=1, sent_at=now)


def _wants_digest(person) -> bool:
    try:
        return person.notification_preference.email_mode == EmailMode.DIGEST
    except NotificationPreference.DoesNotExist:
        return False


def _muted(person, kind: str) -> bool:
    # The person turned this kind off: no email either (the bell hides it when read).
    try:
        return kind in (person.notification_preference.muted_kinds or [])
    except NotificationPreference.DoesNotExist:
        return False


def _webhook_payload(*, case: Case, event: CaseEvent, message_uid) -> dict:
    """What an integration receives: the case as it stands and the event; nothing about the reporter."""
    data = event.data or {}
    return {
        "id": str(message_uid),
        "type": f"case.{event.action}",
        "occurred_at": event.created_at.isoformat(),
        "case": {
            "code": case.code,
            "title": case.title,
            "status": case.status,
            "priority": case.priority,
            "owner": case.owner.code,
            "locality": case.locality.code,
            "deadline": case.deadline.isoformat() if case.deadline else None,
            "escalation_level": case.escalation_level,
        },
        "event": {
            "seq": event.seq,
            "action": event.action,
            "from": event.from_status,
            "to": event.to_status,
            "hash": event.hash,
            "data": {key: data[key] for key in WEBHOOK_DATA_KEYS if key in data},
        },
    }


# --- queueing -----------------------------------------------------------------

# A web request must not hang on a dead broker: try briefly, then leave it to the sweep.
_PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


# The delivery tasks (notifications.tasks), queued by name: the tasks call the services, not the reverse.
DELIVER_TASK = "notifications.tasks.outbox_deliver"
DELIVER_BATCH_TASK = "notifications.tasks.outbox_deliver_batch"
# Messages per delivery task when they are queued together.
BATCH_SIZE = 25


def outbox_enqueue(*, message_ids, together: bool = False) -> int:
    """Queue one delivery task per message (or per BATCH_SIZE of them, `together`); stop at the first broker error.

    Whatever was not queued stays pending and the sweep queues it later, so
    a broker outage delays messages and never drops them. Returns how many
    were queued.
    """
    deliver, deliver_batch = (current_app.tasks[name] for name in (DELIVER_TASK, DELIVER_BATCH_TASK))
    message_ids = list(message_ids)
    size = BATCH_SIZE if together else 1
    queued = 0
    for first in range(0, len(message_ids), size):
        part = message_ids[first:first + size]
        try:
            if together:
                deliver_batch.apply_async(args=[part], retry=True, retry_policy=_PUBLISH_RETRY)
            else:
                deliver.apply_async(args=[part[0]], retry=True, retry_policy=_PUBLISH_RETRY)
        except Exception as exc:  # any broker or transport failure
            logger.warning(
                "Broker unavailable (%s); %d outbox messages wait for the sweep.", exc, len(message_ids) - queued
            )
            break
        queued += len(part)
    return queued


def outbox_requeue_due(*, limit: int = 1000) -> int:
    """Queue again pending deliveries that should have gone out a while ago.

    Covers a broker that was down at commit, a lost retry and a worker that
    died mid-send (its lease has run out). Each one is pushed back a full
    interval so the next sweep does not queue it again while it waits.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=_setting("NOTIFICATIONS_REQUEUE_SECONDS", 60))
    ids = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, channel__in=QUEUED_CHANNELS, next_attempt_at__lte=cutoff)
        .filter(_unclaimed(now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    OutboxMessage.objects.filter(pk__in=ids).update(next_attempt_at=now)
    return outbox_enqueue(message_ids=ids)


def outbox_message_retry(*, messages) -> int:
    """Give failed deliveries a fresh set of attempts (an administrator's action)."""
    ids = [m.pk for m in messages]
    with transaction.atomic():
        count = OutboxMessage.objects.filter(pk__in=ids, status=OutboxStatus.FAILED).update(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        queued = list(
            OutboxMessage.objects.filter(pk__in=ids, channel__in=QUEUED_CHANNELS, status=OutboxStatus.PENDING)
            .values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: outbox_enqueue(message_ids=queued), robust=True)
    return count


# --- delivering ---------------------------------------------------------------


@dataclass
class DeliveryOutcome:
    # "sent"; "skipped": already sent, failed for good, not due yet or in another worker's hands;
    # "retry" (after `retry_in` seconds); "failed" (for good).
    status: str
    retry_in: int | None = None


def message_deliver(*, message_id: int) -> DeliveryOutcome:
    """Deliver one outbox message once, however many times it is called."""
    now = timezone.now()
    token = uuid.uuid4()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING, channel__in=QUEUED_CHANNELS)
        # A copy of a retry that arrives before its backoff is over (a redelivered
        # or duplicated task) does nothing; the real retry or the sweep comes later.
        .filter(next_attempt_at__lte=now + EARLY_TOLERANCE)
        .filter(_unclaimed(now))
        .update(claimed_until=now + _lease(), claim_token=token, attempts=F("attempts") + 1)
    )
    if not claimed:
        return DeliveryOutcome("skipped")
    message = OutboxMessage.objects.select_related("notification", "recipient", "endpoint").get(pk=message_id)
    try:
        DELIVER[message.channel](message)
    except Exception as exc:
        return _record_failure([message], token=token, error=exc)
    OutboxMessage.objects.filter(pk=message_id, claim_token=token).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), claimed_until=None, claim_token=None, last_error=""
    )
    return DeliveryOutcome("sent")


def _record_failure(messages: list[OutboxMessage], *, token, error: Exception) -> DeliveryOutcome:
    attempts = max(m.attempts for m in messages)
    permanent = isinstance(error, DeliveryError) and error.permanent
    text = f"{type(error).__name__}: {error}"[:2000]
    if permanent or attempts >= max_attempts():
        status, retry_in = OutboxStatus.FAILED, None
    else:
        status, retry_in = OutboxStatus.PENDING, backoff_seconds(attempts)
    OutboxMessage.objects.filter(pk__in=[m.pk for m in messages], claim_token=token).update(
        status=status, last_error=text, claimed_until=None, claim_token=None,
        next_attempt_at=timezone.now() + timedelta(seconds=retry_in or 0),
    )
    logger.warning("Outbox delivery failed (attempt %d, %s): %s", attempts, status, text)
    return DeliveryOutcome("retry" if retry_in is not None else "failed", retry_in)


def digest_send_all() -> dict:
    """Send each person with waiting digest items one email listing them."""
    now = timezone.now()
    user_ids = list(
        OutboxMessage.objects.filter(channel=OutboxChannel.DIGEST, status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .filter(_unclaimed(now))
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    outcomes = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    for user_id in user_ids:
        outcomes[digest_send_for(user_id=user_id).status] += 1
    return outcomes


def digest_send_for(*, user_id: int) -> DeliveryOutcome:
    """One digest email of this person's waiting items; each item goes in one digest only."""
    now = timezone.now()
    token = uuid.uuid4()
    claimed = (
        OutboxMessage.objects.filter(
            recipient_id=user_id, channel=OutboxChannel.DIGEST, status=OutboxStatus.PENDING, next_attempt_at__lte=now
        )
        .filter(_unclaimed(now))
        .update(claimed_until=now + _lease(), claim_token=token, attempts=F("attempts") + 1)
    )
    if not claimed:
        return DeliveryOutcome("skipped")
    messages = list(
        OutboxMessage.objects.filter(claim_token=token).select_related("notification").order_by("created_at", "pk")
    )
    try:
        deliver_digest(get_user_model().objects.get(pk=user_id), messages)
    except Exception as exc:
        return _record_failure(messages, token=token, error=exc)
    OutboxMessage.objects.filter(claim_token=token).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), claimed_until=None, claim_token=None, last_error=""
    )
    return DeliveryOutcome("sent")


# --- the bell and preferences ----------------------------------------------------


class NotificationNotFound(Exception):
    pass


def notification_mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of this person's shown notifications read (again is harmless)."""
    from .selectors import notification_get_for_user

    notification = notification_get_for_user(user=user, notification_id=notification_id)
    if notification is None:
        raise NotificationNotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, delivered_at__isnull=False, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notification_group_mark_read(*, user, kind: str, unit: str, day) -> int:
    """Mark read the person's notifications of one group of the bell (kind, unit, day); returns how many."""
    from .selectors import notification_group_members

    members = notification_group_members(user=user, kind=kind, unit=unit, day=day).filter(read_at__isnull=True)
    return Notification.objects.filter(pk__in=list(members.values_list("pk", flat=True))).update(
        read_at=timezone.now()
    )


def preference_set(*, user, email_mode: str | None = None, muted_kinds: list[str] | None = None) -> NotificationPreference:
    """Choose immediate email or one daily digest, and the kinds to turn off; what is not given stays.

    The email mode applies to notifications from now on; turned-off kinds leave the bell at once.
    """
    defaults = {}
    if email_mode is not None:
        if email_mode not in EmailMode.values:
            raise ValidationError({"email_mode": _("Cách nhận thư không hợp lệ.")})
        defaults["email_mode"] = email_mode
    if muted_kinds is not None:
        unknown = set(muted_kinds) - set(GROUPS)
        if unknown:
            raise ValidationError({"muted_kinds": _("Loại thông báo không hợp lệ: %(kinds)s.") % {
                "kinds": ", ".join(sorted(unknown))}})
        defaults["muted_kinds"] = sorted(set(muted_kinds))
    preference, _created = NotificationPreference.objects.update_or_create(user=user, defaults=defaults)
    return preference
