"""Every read of the notifications app, scoped to the person asking.

A person sees only their own notifications, and only once the in-app
delivery has shown them.
"""

from django.db.models import QuerySet

from .models import EmailMode, Notification, NotificationPreference


def _shown_to(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, delivered_at__isnull=False)


def notification_list_for_user(*, user, limit: int = 50) -> list[Notification]:
    """The person's latest shown notifications, newest first."""
    return list(_shown_to(user).order_by("-created_at", "-pk")[:limit])


def notification_unread_count(*, user) -> int:
    return _shown_to(user).filter(read_at__isnull=True).count()


def notification_get_for_user(*, user, notification_id: int) -> Notification | None:
    """One of the person's shown notifications, or None (missing and not theirs look the same)."""
    return _shown_to(user).filter(pk=notification_id).first()


def preference_get(*, user) -> str:
    mode = NotificationPreference.objects.filter(user=user).values_list("email_mode", flat=True).first()
    return mode or EmailMode.IMMEDIATE
