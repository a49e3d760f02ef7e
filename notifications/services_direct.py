"""Messages that are not about a case: a request to collaborators, its reminder (notifications.texts names the kinds).

They travel as a case event's do (services.outbox_record_event): one `Notification` per person, in the bell once
the caller's transaction commits (its in-app delivery written sent with it), an `email` or `digest` delivery for
people with an address who did not turn the kind off, all written in the caller's transaction and queued after it
commits. They carry no case and no event, so no webhook: integrations receive case events only. What a message
is about (`about`) is unique per person: sending it again reaches nobody twice.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import Notification, OutboxChannel, OutboxMessage
from .services import _message, _muted, _queue_after_commit, _to_queue, _wants_digest, shown_in_app


@transaction.atomic
def notification_send(*, recipients, kind: str, about: str, link: str, params: dict) -> list[Notification]:
    """Tell each of `recipients` (users; the inactive are skipped) about `about`, once each; the bell's row opens
    `link` (a path of this site). Returns the notifications written now (none for those told already).

    A second call for the same `about` writes nothing for those it reached; two calls racing for the same person
    meet on the unique index and the later one fails with its transaction, so the caller claims its own work first
    (a new request; a reminder's `reminded_at`).
    """
    if not about or not link.startswith("/"):
        raise ValueError("a message not about a case needs what it is about and a path of this site")
    ids = {person.pk for person in recipients if person is not None}
    told = Notification.objects.filter(about=about, recipient_id__in=ids).values("recipient_id")
    people = list(
        get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(pk__in=told)
        .select_related("notification_preference").order_by("pk")
    )
    if not people:
        return []
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        Notification(recipient=person, kind=kind, about=about, link=link, params=params, delivered_at=now)
        for person in people
    )
    messages = []
    for person, notification in zip(people, notifications):
        messages.append(shown_in_app(now, None, notification=notification, recipient=person))
        if person.email and not _muted(person, kind):
            channel = OutboxChannel.DIGEST if _wants_digest(person) else OutboxChannel.EMAIL
            messages.append(_message(channel, now, None, notification=notification, recipient=person))
    OutboxMessage.objects.bulk_create(messages)
    _queue_after_commit(_to_queue(messages))
    return notifications
