"""The calendar table and the clock policies: administrators' changes, and the open deadlines recomputed after them."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.actions import CaseAction
from config.shared_configuration import configuration_changed

from ..calendar import current_calendar
from ..deadlines import clock_base_due, plan_next
from ..models import CalendarAdjustment, CalendarChange, CaseClock, TimeUnit
from .case_writes import append_event, iso, lock_case, max_escalation_level, running_step_due, save_and_announce


def time_config_changed(sender=None, **kwargs) -> None:
    """Receiver for policy and topic edits: every process reloads the policies (and calendar)."""
    _calendar_changed()


def clock_policies_seed_if_empty(sender=None, using="default", **kwargs) -> int:
    """Receiver for post_migrate: the default policies when the table is empty (a new or flushed database).

    Administrators' edits are never touched: once any policy exists, nothing is added.
    """

    from django.db import connections

    from ..models import ClockPolicy

    configuration_changed()
    if ClockPolicy._meta.db_table not in connections[using].introspection.table_names():
        return 0  # migrated back below the table
    if ClockPolicy.objects.using(using).exists():
        return 0
    from ..default_policies import POLICIES as defaults
    ClockPolicy.objects.using(using).bulk_create(ClockPolicy(**row) for row in defaults)
    configuration_changed()
    return len(defaults)


def _calendar_changed() -> None:
    # Now, for this transaction's own reads, and again after commit, so no
    # process keeps a copy loaded from the data before the change committed.
    configuration_changed()
    transaction.on_commit(configuration_changed)


def calendar_adjustment_set(*, day: date, kind: str, by=None, reason: str = "") -> CalendarAdjustment:
    """Add (or change) a day off or a swapped working day; running deadlines follow at the next sweep."""
    if kind not in CalendarAdjustment.Kind.values:
        raise ValidationError({"kind": _("Loại điều chỉnh không hợp lệ.")})
    with transaction.atomic():
        adjustment, _created = CalendarAdjustment.objects.update_or_create(
            date=day, defaults={"kind": kind, "reason": reason or "", "created_by": by}
        )
        CalendarChange.objects.create(date=day, kind=kind, action=CalendarChange.Action.SET, reason=reason or "",
                                      changed_by=by)
        _calendar_changed()
    return adjustment


def calendar_adjustment_remove(*, day: date, by=None, reason: str = "") -> bool:
    """Remove an adjustment; False when there was none."""
    with transaction.atomic():
        adjustment = CalendarAdjustment.objects.select_for_update().filter(date=day).first()
        if adjustment is None:
            return False
        CalendarChange.objects.create(date=day, kind=adjustment.kind, action=CalendarChange.Action.REMOVE,
                                      reason=reason or "", changed_by=by)
        adjustment.delete()
        _calendar_changed()
    return True


def calendar_changes_apply() -> int:
    """Recompute running deadlines for every calendar change not applied yet; returns clocks moved.

    Each case is recomputed in its own transaction, under its row lock, and
    records a `deadline_recomputed` event for each clock whose due time
    moved. Running it again moves nothing more.
    """
    changes = list(CalendarChange.objects.filter(applied_at__isnull=True).order_by("pk"))
    if not changes:
        return 0
    configuration_changed()
    calendar = current_calendar()
    years = {change.date.year for change in changes}
    first = timezone.make_aware(datetime(min(years), 1, 1))
    after_last = timezone.make_aware(datetime(max(years) + 1, 1, 1))
    affected = (
        CaseClock.objects.filter(stopped_at__isnull=True, unit__in=(TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS),
                                 started_at__lt=after_last)
        .filter(Q(due_at__gte=first) | Q(next_fire_at__gte=first))
        .values_list("case_id", flat=True).distinct()
    )
    actor = changes[-1].changed_by
    summary = [{"date": change.date.isoformat(), "kind": change.kind, "action": change.action} for change in changes]
    moved = 0
    for case_id in sorted(set(affected)):
        moved += _case_recompute(case_id=case_id, calendar=calendar, actor=actor, summary=summary)
    CalendarChange.objects.filter(pk__in=[change.pk for change in changes]).update(
        applied_at=timezone.now(), clocks_recomputed=moved
    )
    return moved


def _case_recompute(*, case_id: int, calendar, actor, summary) -> int:
    with transaction.atomic():
        case = lock_case(case_id)
        clocks = list(
            CaseClock.objects.select_for_update(of=("self",)).select_related("policy")
            .filter(case=case, stopped_at__isnull=True, unit__in=(TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS))
        )
        now = timezone.now()
        moved = []
        for clock in clocks:
            old_due = clock.due_at
            new_due = clock_base_due(clock, calendar=calendar)
            if new_due == old_due:
                plan_next(clock, clock.policy, max_level=max_escalation_level(case.owner), calendar=calendar)
                clock.save(update_fields=["next_action", "next_level", "next_fire_at"])
                continue
            clock.due_at = new_due
            plan_next(clock, clock.policy, max_level=max_escalation_level(case.owner), now=now, calendar=calendar)
            clock.save()
            moved.append((clock.clock, old_due, new_due))
        # The case's deadline first: each event records it.
        deadline = running_step_due(case, CaseClock.objects.filter(case=case, stopped_at__isnull=True))
        also = []
        if deadline != case.deadline:
            case.deadline = deadline
            also.append("deadline")
        pending = []
        for clock_name, old_due, new_due in moved:
            append_event(case, pending, action=CaseAction.DEADLINE_RECOMPUTED, actor=actor,
                         note=_("Lịch làm việc thay đổi; thời hạn được tính lại."),
                         data={"clock": clock_name, "old_due": iso(old_due), "new_due": iso(new_due),
                               "calendar_changes": summary})
        save_and_announce(case, pending, also=also)
        return len(pending)
