"""Measure the clock sweep: idle with many future clocks, then firing the due ones.

By default everything happens in one transaction that is rolled back at the
end, so it leaves no rows behind; but then every clock fires in a savepoint
of that one transaction, which PostgreSQL handles more slowly than the real
thing (more than 64 subtransactions). `--commit` runs it for real and keeps
the rows: only on a scratch database whose name contains "bench", dropped
afterwards. Numbers go to docs/deadlines.md.
"""

import statistics
import time
from datetime import timedelta

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, Channel, Tier, Topic, Unit, UnitKind
from cases.services import topic_upsert, unit_upsert
from cases.signals import case_event_recorded
from workflow.models import CaseClock, ClockKind, ClockPolicy
from workflow.services import SWEEP_CACHE_KEY, clocks_sweep


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time the reminder/escalation sweep with FUTURE clocks not yet due and DUE clocks (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--future", type=int, default=100_000)
        parser.add_argument("--due", type=int, default=1_000)
        parser.add_argument("--idle-runs", type=int, default=7)
        parser.add_argument("--commit", action="store_true",
                            help="commit for real (only on a scratch database whose name contains 'bench')")
        parser.add_argument("--only-clocks", action="store_true",
                            help="disconnect the other listeners of case events (outbox, flow) to time the sweep alone")

    def handle(self, *args, future, due, idle_runs, only_clocks, commit, **options):
        if commit and "bench" not in str(connection.settings_dict["NAME"]):
            raise CommandError("--commit keeps 100k rows: use a scratch database whose name contains 'bench'.")
        saved_heartbeat = cache.get(SWEEP_CACHE_KEY)
        saved_receivers = case_event_recorded.receivers[:]
        if only_clocks:
            case_event_recorded.receivers = [
                r for r in saved_receivers if r[0][0] == "workflow.clocks_on_case_event"
            ]
            case_event_recorded.sender_receivers_cache.clear()
        try:
            if commit:
                self._run(future=future, due=due, idle_runs=idle_runs)
            else:
                with transaction.atomic():
                    self._run(future=future, due=due, idle_runs=idle_runs)
                    raise Rollback
        except Rollback:
            self.stdout.write("rolled back: nothing was kept")
        finally:
            case_event_recorded.receivers = saved_receivers
            case_event_recorded.sender_receivers_cache.clear()
            if saved_heartbeat is None:
                cache.delete(SWEEP_CACHE_KEY)
            else:
                cache.set(SWEEP_CACHE_KEY, saved_heartbeat, timeout=None)

    def _run(self, *, future, due, idle_runs):
        now = timezone.now()
        province, _ = unit_upsert(code="BENCH", name="Bench province", tier=Tier.PROVINCE, kind=UnitKind.COMMITTEE,
                                  parent=None)
        commune, _ = unit_upsert(code="BENCH-C", name="Bench commune", tier=Tier.COMMUNE, kind=UnitKind.COMMITTEE,
                                 parent=province)
        commune = Unit.objects.get(pk=commune.pk)
        topic = topic_upsert(code="BENCH-T", name="Bench topic")
        channel, _ = Channel.objects.get_or_create(code="bench", defaults={"name": "Bench"})
        policy = ClockPolicy.objects.get(clock="verify", priority="")

        started = time.monotonic()
        self._make(count=future, prefix="F", now=now, commune=commune, topic=topic, channel=channel, policy=policy,
                   fire_in=lambda n: timedelta(hours=1 + n % (24 * 30)))
        self.stdout.write(f"created {future} clocks due later in {time.monotonic() - started:.1f} s")
        self._analyze()

        idle = []
        for _ in range(idle_runs):
            result = clocks_sweep(now=now)
            idle.append(result.duration_ms)
        self.stdout.write(f"idle sweep over {future} future clocks: median {statistics.median(idle)} ms "
                          f"(runs: {idle})")
        self._explain(now)

        self._make(count=due, prefix="D", now=now, commune=commune, topic=topic, channel=channel, policy=policy,
                   fire_in=lambda n: -timedelta(minutes=1 + n % 60))
        self._analyze()
        with CaptureQueriesContext(connection) as queries:
            result = clocks_sweep(now=now)
        self.stdout.write(
            f"sweep firing {due} due clocks among {future + due}: {result.duration_ms} ms, "
            f"{result.escalations} escalations, {result.reminders} reminders, "
            f"{due / max(result.duration_ms, 1) * 1000:.0f} clocks/s, {len(queries)} statements "
            f"({len(queries) / max(due, 1):.1f} per due clock)"
        )
        again = clocks_sweep(now=now)
        self.stdout.write(f"the same sweep again: {again.fired} fired, {again.duration_ms} ms")

    def _make(self, *, count, prefix, now, commune, topic, channel, policy, fire_in):
        batch = 5000
        for first in range(0, count, batch):
            numbers = range(first, min(first + batch, count))
            cases = Case.objects.bulk_create(
                Case(code=f"B{prefix}-{now:%H%M%S}-{n:07d}", title="Bench", channel=channel, topic=topic,
                     locality=commune, owner=commune, received_at=now - timedelta(days=1))
                for n in numbers
            )
            clocks = []
            for n, case in zip(numbers, cases, strict=True):
                fire_at = now + fire_in(n)
                clocks.append(CaseClock(
                    case=case, policy=policy, clock="verify", kind=ClockKind.STEP, unit=policy.unit,
                    amount=policy.amount, started_at=fire_at - timedelta(days=1), start_event="intake",
                    due_at=fire_at, next_action=CaseClock.NextAction.ESCALATE, next_level=1, next_fire_at=fire_at,
                    reminder_level=2,
                ))
            CaseClock.objects.bulk_create(clocks)

    def _analyze(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE workflow_caseclock")
                cursor.execute("ANALYZE cases_case")

    def _explain(self, now):
        query = (
            CaseClock.objects.filter(stopped_at__isnull=True, next_fire_at__lte=now)
            .order_by("next_fire_at", "pk").values_list("pk", "case_id", "next_fire_at")[:500]
        )
        options = {"analyze": True} if connection.vendor == "postgresql" else {}
        self.stdout.write("the sweep's query plan:\n" + query.explain(**options))
