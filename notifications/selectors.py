"""Every read of the notifications app, scoped to the person asking.

A person sees only their own notifications, only once the in-app delivery
has shown them, and not those of the kinds they turned off.
"""

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.urls import reverse

from .models import EmailMode, Notification, NotificationPreference
from .texts import notification_group_text


def _shown_to(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, delivered_at__isnull=False)


def _in_bell(user) -> QuerySet[Notification]:
    """What the bell shows the person: their shown notifications minus the kinds they turned off."""
    muted = preference_muted_kinds(user=user)
    shown = _shown_to(user)
    return shown.exclude(kind__in=muted) if muted else shown


def notification_list_for_user(*, user, limit: int = 50) -> list[Notification]:
    """The person's latest notifications in the bell, newest first."""
    return list(_in_bell(user).order_by("-created_at", "-pk")[:limit])


def notification_unread_count(*, user) -> int:
    return _in_bell(user).filter(read_at__isnull=True).count()


def notification_get_for_user(*, user, notification_id: int) -> Notification | None:
    """One of the person's shown notifications, or None (missing and not theirs look the same)."""
    return _shown_to(user).filter(pk=notification_id).first()


@dataclass(frozen=True)
class NotificationGroup:
    """Events of one kind at one unit on one (local) day: one row of the bell, with how many and how many unread."""

    kind: str
    unit: str
    day: date
    count: int
    unread: int
    latest_at: datetime
    # A group of one is shown as that notification: its own sentence and its case.
    single: Notification | None = None

    @property
    def text(self) -> str:
        return self.single.text if self.single else notification_group_text(self.kind, self.unit, self.count)

    @property
    def key(self) -> dict:
        """What names the group in an address or a form (day as ISO date)."""
        return {"kind": self.kind, "unit": self.unit, "day": self.day.isoformat()}

    @property
    def key_query(self) -> str:
        return urlencode(self.key)

    @property
    def opens(self) -> str:
        """Where the row opens: a group of one its case (or its message's page), a larger one the list of them."""
        if self.single is not None:
            return self.single.opens
        return reverse("web:notification_group") + "?" + self.key_query


def notification_groups_for_user(*, user, limit: int = 20) -> list[NotificationGroup]:
    """The person's notifications in the bell grouped by kind, unit and day, the newest group first.

    The unit is the one the message names (the case's owner when the event happened), so a case that later
    moves does not move its old notifications; the day is the local one (settings.TIME_ZONE).
    """
    rows = list(
        _in_bell(user)
        .annotate(unit=KT("params__unit"), day=TruncDate("created_at"))
        .values("kind", "unit", "day")
        .annotate(
            count=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)),
            latest_at=Max("created_at"), latest_id=Max("pk"),
        )
        .order_by("-latest_at", "-latest_id")[:limit]
    )
    singles = Notification.objects.in_bulk([row["latest_id"] for row in rows if row["count"] == 1])
    return [
        NotificationGroup(
            kind=row["kind"], unit=row["unit"] or "", day=row["day"], count=row["count"], unread=row["unread"],
            latest_at=row["latest_at"], single=singles.get(row["latest_id"]) if row["count"] == 1 else None,
        )
        for row in rows
    ]


def notification_group_members(*, user, kind: str, unit: str, day: date) -> QuerySet[Notification]:
    """The person's notifications in the bell that make up one group, newest first."""
    # A message without a unit is grouped under an empty name.
    same_unit = Q(params__unit=unit) if unit else (Q(params__unit="") | Q(params__unit__isnull=True))
    return (
        _in_bell(user).filter(same_unit, kind=kind, created_at__date=day)
        .select_related("case").order_by("-created_at", "-pk")
    )


def preference_get(*, user) -> str:
    mode = NotificationPreference.objects.filter(user=user).values_list("email_mode", flat=True).first()
    return mode or EmailMode.IMMEDIATE


def preference_muted_kinds(*, user) -> list[str]:
    """The notification kinds the person turned off (none without a preference row)."""
    muted = NotificationPreference.objects.filter(user=user).values_list("muted_kinds", flat=True).first()
    return list(muted or [])
