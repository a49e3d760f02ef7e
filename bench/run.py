"""Run every benchmark beside its raw-SQL twin and write docs/benchmarks.md.

    python -m bench.run --scale 1000000 [--repeat 5] [--db dlxh_bench] [--reuse] [--no-doc]

Generates the data (bench.generate) unless --reuse, then measures (a) intake
through the services and the HTTP API, (b) the full lifecycle with clocks
armed, (c) the clock sweep idle and with 1% of pending clocks due, (d) reads
through the real selectors, (e) the logged-in queue page and API list under
concurrent load (gunicorn, 2 workers), (f) verify_audit, (g) peak RSS of a web
and a Celery worker. Each figure is printed with its raw-SQL twin and ratio.
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone as dt_timezone
from pathlib import Path

from . import DEFAULT_DB, database_url, setup_django

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"


def p95(values):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import psutil
    import psycopg

    with psycopg.connect(database_url("postgres")) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
        shared = conn.execute("SHOW shared_buffers").fetchone()[0]
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "postgresql": pg, "shared_buffers": shared, "python": platform.python_version(),
            "load_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg())}


class Results:
    def __init__(self):
        self.rows = []  # dicts: section, name, unit, django, raw, ratio, target, verdict, note

    def add(self, section, name, unit, values, raw_values=None, *, higher_is_better, target=None, check=None,
            note=""):
        med = statistics.median(values)
        row = {"section": section, "name": name, "unit": unit, "median": med, "p95": p95(values), "n": len(values),
               "raw_median": statistics.median(raw_values) if raw_values else None,
               "raw_p95": p95(raw_values) if raw_values else None, "target": target or "", "note": note}
        if raw_values:
            raw = row["raw_median"]
            row["ratio"] = (med / raw if higher_is_better else raw / med) if med and raw else None
        else:
            row["ratio"] = None
        row["verdict"] = "" if check is None else ("met" if check(row) else "MISSED")
        self.rows.append(row)
        ratio = f"  ratio {row['ratio']:.2f}" if row["ratio"] is not None else ""
        raw = f"  raw {row['raw_median']:.2f} (p95 {row['raw_p95']:.2f})" if raw_values else ""
        print(f"[{section}] {name}: median {med:.2f} {unit} (p95 {row['p95']:.2f}, n={len(values)}){raw}{ratio}"
              f"  {row['verdict']}", flush=True)
        return row


def _timed(fn, n):
    times = []
    for _ in range(n):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return times


class Bench:
    def __init__(self, *, db, scale, repeat, results: Results, quick=False, generated=None):
        from django.contrib.auth import get_user_model
        from django.db import connection

        from cases.models import Case, Channel, Topic, Unit

        self.db, self.scale, self.repeat, self.r = db, scale, repeat, results
        self.quick = quick  # tiny counts: proves every benchmark runs (tests/bench)
        self.web_workers = 2  # gunicorn sync workers of each HTTP server (--web-workers)
        self.dsn = database_url(db)
        User = get_user_model()
        with connection.cursor() as cur:
            # The two communes with the most open generated cases, of those no benchmark has written to: the first
            # is read (its queue stays as generated, run after run), the second takes the benchmarked writes.
            last_generated = generated or scale
            cur.execute("SELECT owner_id FROM cases_case WHERE status IN ('received','verified','assigned','oriented') "
                        "AND id <= %s AND owner_id NOT IN (SELECT owner_id FROM cases_case WHERE id > %s) "
                        "GROUP BY owner_id ORDER BY count(*) DESC, owner_id LIMIT 2", [last_generated, last_generated])
            read_id, write_id = (row[0] for row in cur.fetchall())
            self.reader_commune = Unit.objects.get(pk=read_id)
            self.commune = Unit.objects.get(pk=write_id)
            cur.execute("SELECT id FROM cases_case WHERE id <= %s ORDER BY event_count DESC LIMIT 1", [last_generated])
            self.long_case = Case.objects.get(pk=cur.fetchone()[0])
        self.province = Unit.objects.get(path=self.reader_commune.path[:8])
        self.reader_leader = User.objects.get(username=f"{self.reader_commune.code.lower()}_leader")
        code = self.commune.code.lower()
        self.clerk = User.objects.get(username=f"{code}_intake_clerk")
        self.leader = User.objects.get(username=f"{code}_leader")
        self.handler = User.objects.get(username=f"{code}_handler")
        self.secretariat = User.objects.get(username=f"{code}_secretariat")
        self.long_leader = User.objects.get(username=f"{self.long_case.owner.code.lower()}_leader")
        self.supervisor = User.objects.get(username=f"{self.province.code.lower()}_supervisor")
        self.country = User.objects.get(username="tw_supervisor")
        self.topic = Topic.objects.filter(depth=2, needs_public_response=True).order_by("pk").first()
        self.channel = Channel.objects.filter(is_active=True).order_by("pk").first()
        self.locality = Unit.objects.filter(path__startswith=self.commune.path, depth=4).first()
        from django.contrib.contenttypes.models import ContentType

        from workflow.models import ClockPolicy

        self.policy_ids = {p.clock: p.pk for p in ClockPolicy.objects.filter(priority="", case_kind="")}
        self.ct_case = ContentType.objects.get_for_model(Case).pk
        self.ct_unit = ContentType.objects.get_for_model(Unit).pk
        self.notes_per_event = 0.0

    def _user_fresh(self, user):
        from cases.permissions import forget_grants

        forget_grants(user)  # a request reads the grants once; so does each benchmarked call
        return user

    # --- (a) intake ---------------------------------------------------------------

    def intake(self, n=100):
        n = 5 if self.quick else n
        from cases.models import CaseEvent
        from cases.services import case_intake
        from notifications.models import Notification

        rates, raw_rates = [], []
        events_before, notes_before = CaseEvent.objects.count(), Notification.objects.count()
        year = datetime.now().year
        for rep in range(self.repeat):
            began = time.perf_counter()
            for i in range(n):
                case_intake(by=self._user_fresh(self.clerk), title=f"Nước sạch bị đục {rep}-{i}",
                            channel=self.channel, topic=self.topic, locality=self.locality)
            rates.append(n / (time.perf_counter() - began))
        self.notes_per_event = (Notification.objects.count() - notes_before) / max(
            CaseEvent.objects.count() - events_before, 1)
        writer = self._writer()
        for rep in range(self.repeat):
            began = time.perf_counter()
            for i in range(n):
                writer.intake(user_id=self.clerk.pk, unit_id=self.commune.pk, unit_code=self.commune.code,
                              topic_id=self.topic.pk, channel_id=self.channel.pk, locality_id=self.locality.pk,
                              title=f"nuoc sach bi duc raw {rep}-{i}", year=year)
            raw_rates.append(n / (time.perf_counter() - began))
        writer.close()
        self.r.add("a", f"intake via services ({n} per run)", "cases/s", rates, raw_rates, higher_is_better=True)

    def _writer(self):
        from .raw_sql import RawWriter

        return RawWriter(self.dsn, ct_case=self.ct_case, ct_unit=self.ct_unit, policy_ids=self.policy_ids,
                         notes_per_event=self.notes_per_event)

    # --- (b) lifecycle ---------------------------------------------------------------

    def lifecycle(self, n=30):
        n = 2 if self.quick else n
        from cases.services import (case_assign, case_intake, case_mark_reported, case_orient, case_resolve,
                                    case_verify)

        steps = {name: [] for name in ("intake", "verify", "assign", "orient", "resolve", "report")}
        raw_steps = {name: [] for name in steps}
        rates, raw_rates = [], []
        for rep in range(self.repeat):
            began = time.perf_counter()
            for i in range(n):
                t = time.perf_counter()
                case = case_intake(by=self._user_fresh(self.clerk), title=f"Đèn đường hỏng {rep}-{i}",
                                   channel=self.channel, topic=self.topic, locality=self.locality)
                steps["intake"].append(time.perf_counter() - t)
                for name, call in (
                    ("verify", lambda c: case_verify(case=c, by=self._user_fresh(self.clerk))),
                    ("assign", lambda c: case_assign(case=c, by=self._user_fresh(self.leader), unit=self.commune,
                                                     assignee=self._user_fresh(self.handler))),
                    ("orient", lambda c: case_orient(case=c, by=self._user_fresh(self.handler),
                                                     response="Đã trả lời tại hội nghị.")),
                    ("resolve", lambda c: case_resolve(case=c, by=self._user_fresh(self.handler),
                                                       outcome="Đã sửa xong.")),
                    ("report", lambda c: case_mark_reported(case=c, by=self._user_fresh(self.secretariat),
                                                            report_ref="BC-BENCH")),
                ):
                    t = time.perf_counter()
                    call(case)
                    steps[name].append(time.perf_counter() - t)
            rates.append(n / (time.perf_counter() - began))
        writer = self._writer()
        year = datetime.now().year
        for rep in range(self.repeat):
            began = time.perf_counter()
            for i in range(n):
                t = time.perf_counter()
                case_id = writer.intake(user_id=self.clerk.pk, unit_id=self.commune.pk, unit_code=self.commune.code,
                                        topic_id=self.topic.pk, channel_id=self.channel.pk,
                                        locality_id=self.locality.pk, title=f"den duong hong raw {rep}-{i}",
                                        year=year)
                raw_steps["intake"].append(time.perf_counter() - t)
                for name, user in (("verify", self.clerk), ("assign", self.leader), ("orient", self.handler),
                                   ("resolve", self.handler), ("report", self.secretariat)):
                    t = time.perf_counter()
                    writer.transition(case_id=case_id, action=name, user_id=user.pk, unit_id=self.commune.pk,
                                      assignee_id=self.handler.pk if name == "assign" else None)
                    raw_steps[name].append(time.perf_counter() - t)
            raw_rates.append(n / (time.perf_counter() - began))
        writer.close()
        self.r.add("b", f"full lifecycle, clocks armed ({n} cases per run)", "cases/s", rates, raw_rates,
                   higher_is_better=True, target="≥ 0.30 of raw SQL",
                   check=lambda row: row["ratio"] is not None and row["ratio"] >= 0.30)
        for name in steps:
            self.r.add("b", f"transition {name}", "ms", [x * 1000 for x in steps[name]],
                       [x * 1000 for x in raw_steps[name]], higher_is_better=False, target="p95 < 30 ms",
                       check=lambda row: row["p95"] < 30)

    # --- (c) sweep ---------------------------------------------------------------

    def sweep(self):
        from django.db import connection

        from workflow.services import clocks_sweep

        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FILTER (WHERE stopped_at IS NULL AND next_fire_at IS NOT NULL), "
                        "count(*) FILTER (WHERE stopped_at IS NOT NULL) FROM workflow_caseclock")
            pending, finished = cur.fetchone()
        history = f"{pending} pending, {finished} finished clocks"
        runs = 3 if self.quick else max(self.repeat * 3, 10)
        writer = self._writer()
        # A beat worker loads the calendar and the policies once, then sweeps every few seconds: time that.
        clocks_sweep(), writer.sweep(now=datetime.now(dt_timezone.utc))
        idle = _timed(lambda: clocks_sweep(), runs)
        idle_raw = _timed(lambda: writer.sweep(now=datetime.now(dt_timezone.utc)), runs)
        self.r.add("c", f"sweep idle ({history})", "ms", idle, idle_raw, higher_is_better=False,
                   target="< 5 ms", check=lambda row: row["median"] < 5)
        due = max(50, pending // 100)

        def make_due():
            with connection.cursor() as cur:
                # Really due: the half-time and the day-before reminders have passed, the due time has not,
                # so each fires one reminder (no escalation), in the sweep and in its twin alike.
                cur.execute("UPDATE workflow_caseclock SET next_fire_at = now() - interval '1 minute', "
                            "started_at = now() - interval '3 days', due_at = now() + interval '1 hour', "
                            "reminder_level = 0 WHERE id IN ("
                            "SELECT id FROM workflow_caseclock WHERE stopped_at IS NULL AND paused_at IS NULL "
                            "AND next_action = 'remind' AND next_fire_at > now() ORDER BY next_fire_at LIMIT %s)",
                            [due])
                return cur.rowcount

        rates, raw_rates = [], []
        for _ in range(self.repeat):
            made = make_due()
            began = time.perf_counter()
            result = clocks_sweep()
            rates.append(result.fired / (time.perf_counter() - began))
            made = make_due()
            began = time.perf_counter()
            fired = writer.sweep(now=datetime.now(dt_timezone.utc), batch_size=max(made, 1))
            raw_rates.append(fired / (time.perf_counter() - began))
        writer.close()
        self.r.add("c", f"sweep firing {due} due clocks (≈1% of pending)", "clocks/s", rates, raw_rates,
                   higher_is_better=True, target="≥ 200/s", check=lambda row: row["median"] >= 200)

    # --- (d) reads ---------------------------------------------------------------

    def reads(self):
        import psycopg
        from django.db.models import Count
        from django.utils import timezone

        from cases.models import OPEN_STATUSES
        from cases.selectors import case_available_transitions, case_events, case_get_for_user, case_list_for_user

        runs = 3 if self.quick else max(self.repeat * 6, 30)
        raw = psycopg.connect(self.dsn, autocommit=True, prepare_threshold=None)  # unprepared, as Django sends them
        now = timezone.now()
        month_end = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        month_start = (month_end - timedelta(days=1)).replace(day=1)

        def grants_sql(user):
            return raw.execute(
                "SELECT g.content_object_id, u.path, p.codename FROM cases_unituserobjectpermission g "
                "JOIN auth_permission p ON p.id = g.permission_id JOIN cases_unit u ON u.id = g.content_object_id "
                "WHERE g.user_id = %s AND u.is_active", (user.pk,)).fetchall()

        cols = ("c.id, c.code, c.status, c.title, c.priority, c.received_at, c.deadline, o.code, o.name, l.name, "
                "t.name, ch.name")
        joins = ("FROM cases_case c JOIN cases_unit o ON o.id = c.owner_id LEFT JOIN cases_unit a ON "
                 "a.id = c.assigned_by_unit_id JOIN cases_unit l ON l.id = c.locality_id JOIN cases_topic t ON "
                 "t.id = c.topic_id JOIN cases_channel ch ON ch.id = c.channel_id")

        def reach(user):
            # The units in the person's reach, as a SQL author computes them: subtree roles expanded by path,
            # None when a role sits on the root (everything is in reach, no filter).
            grants = grants_sql(user)
            subtree = [path for _id, path, codename in grants if codename in ("role_supervisor", "role_inspector")]
            if any(len(path) == 4 for path in subtree):
                return None
            ids = {unit_id for unit_id, _path, codename in grants if codename not in ("role_supervisor",
                                                                                         "role_inspector")}
            if subtree:
                ids.update(r[0] for r in raw.execute("SELECT id FROM cases_unit WHERE path LIKE ANY(%s)",
                                                     ([p + "%" for p in subtree],)).fetchall())
            return sorted(ids)

        def escalated(user):
            # The scope's third branch, as a raw-SQL author writes it: the (few) escalated case ids first.
            led = [g[0] for g in grants_sql(user) if g[2] == "role_leader"]
            return [r[0] for r in raw.execute("SELECT case_id FROM workflow_escalation WHERE to_unit_id = ANY(%s)",
                                              (led,)).fetchall()]

        def orm_queue():
            return list(case_list_for_user(user=self._user_fresh(self.reader_leader)).filter(status__in=OPEN_STATUSES)
                        .order_by("deadline", "pk")[:50])

        def raw_queue():
            units = [g[0] for g in grants_sql(self.reader_leader)]
            return raw.execute(f"SELECT {cols} {joins} WHERE (c.owner_id = ANY(%s) OR c.assigned_by_unit_id = ANY(%s)"
                               f" OR c.id = ANY(%s)) AND c.status = ANY(%s) ORDER BY c.deadline, c.id LIMIT 50",
                               (units, units, escalated(self.reader_leader), list(OPEN_STATUSES))).fetchall()

        def orm_overdue():
            return list(case_list_for_user(user=self._user_fresh(self.supervisor), filters={"overdue": True})[:50])

        def raw_overdue():
            units = reach(self.supervisor)
            return raw.execute(f"SELECT {cols} {joins} WHERE (c.owner_id = ANY(%s) OR c.assigned_by_unit_id = ANY(%s))"
                               f" AND c.status = ANY(%s) AND c.deadline < now() ORDER BY c.received_at DESC, c.id DESC"
                               f" LIMIT 50", (units, units, list(OPEN_STATUSES))).fetchall()

        code = self.long_case.code

        def orm_case_page():
            user = self._user_fresh(self.long_leader)
            case = case_get_for_user(user=user, code=code)
            events = list(case_events(case=case))
            case_available_transitions(case=case, user=user)
            return events

        def raw_case_page():
            units = [g[0] for g in grants_sql(self.long_leader)]
            row = raw.execute(f"SELECT {cols} {joins} WHERE c.code = %s AND (c.owner_id = ANY(%s) OR "
                              f"c.assigned_by_unit_id = ANY(%s) OR c.id = ANY(%s))",
                              (code, units, units, escalated(self.long_leader))).fetchone()
            return raw.execute("SELECT e.*, u.username FROM cases_caseevent e LEFT JOIN auth_user u ON "
                               "u.id = e.actor_id WHERE e.case_id = %s ORDER BY e.seq", (row[0],)).fetchall()

        def orm_search():
            return list(case_list_for_user(user=self._user_fresh(self.supervisor),
                                           filters={"q": "Nước sạch đục"})[:50])

        def raw_search():
            units = reach(self.supervisor)
            return raw.execute(f"SELECT {cols} {joins} WHERE (c.owner_id = ANY(%s) OR c.assigned_by_unit_id = ANY(%s))"
                               f" AND c.search_text LIKE %s AND c.search_text LIKE %s AND c.search_text LIKE %s "
                               f"ORDER BY c.received_at DESC, c.id DESC LIMIT 50",
                               (units, units, "%nuoc%", "%sach%", "%duc%")).fetchall()

        # A clerk looking a case up by its code: one of the commune's oldest, which no "newest first" walk
        # reaches soon; the selector and its twin look codes up on the code's index.
        sought = self.reader_commune.owned_cases.order_by("pk").values_list("code", flat=True).first()

        def orm_search_code():
            return list(case_list_for_user(user=self._user_fresh(self.supervisor), filters={"q": sought})[:50])

        def raw_search_code():
            units = reach(self.supervisor)
            return raw.execute(f"SELECT {cols} {joins} WHERE (c.owner_id = ANY(%s) OR c.assigned_by_unit_id = ANY(%s))"
                               f" AND c.code LIKE %s ORDER BY c.received_at DESC, c.id DESC LIMIT 50",
                               (units, units, f"{sought}%")).fetchall()

        def orm_monthly(user):
            def run():
                cases = case_list_for_user(user=self._user_fresh(user), filters={
                    "received_after": month_start, "received_before": month_end}).order_by()
                return list(cases.values("topic_id", "status").annotate(n=Count("*")))
            return run

        def raw_monthly(user):
            def run():
                units = reach(user)
                if units is None:
                    return raw.execute("SELECT c.topic_id, c.status, count(*) FROM cases_case c WHERE "
                                       "c.received_at >= %s AND c.received_at < %s GROUP BY 1, 2",
                                       (month_start, month_end)).fetchall()
                return raw.execute("SELECT c.topic_id, c.status, count(*) FROM cases_case c WHERE "
                                   "(c.owner_id = ANY(%s) OR c.assigned_by_unit_id = ANY(%s)) AND "
                                   "c.received_at >= %s AND c.received_at < %s GROUP BY 1, 2",
                                   (units, units, month_start, month_end)).fetchall()
            return run

        for name, orm, twin, target, limit, stat in (
            ("commune queue (open, by deadline, 50 rows)", orm_queue, raw_queue, "p95 < 10 ms", 10, "p95"),
            ("province overdue list (50 rows)", orm_overdue, raw_overdue, "p95 < 10 ms", 10, "p95"),
            (f"case page, {self.long_case.event_count}-event history", orm_case_page, raw_case_page, "p95 < 10 ms",
             10, "p95"),
            ("search q='Nước sạch đục', province scope", orm_search, raw_search, "p95 < 100 ms", 100, "p95"),
            ("search by a case code, province scope", orm_search_code, raw_search_code, "p95 < 100 ms", 100, "p95"),
            ("one-province monthly report (topic × status)", orm_monthly(self.supervisor),
             raw_monthly(self.supervisor), "< 20 ms", 20, "median"),
            ("whole-country monthly report (topic × status)", orm_monthly(self.country), raw_monthly(self.country),
             "< 50 ms", 50, "median"),
        ):
            orm(), twin()  # warm the caches once
            values, raw_values = _timed(orm, runs), _timed(twin, runs)
            self.r.add("d", name, "ms", values, raw_values, higher_is_better=False,
                       target=f"{target}; within 2x of raw",
                       check=lambda row, limit=limit, stat=stat: row[stat] < limit and (row["ratio"] or 0) >= 0.5)
        raw.close()

    # --- plans: why a read costs what it does -------------------------------------------------

    def plans(self):
        """EXPLAIN ANALYZE of the reads above, as the ORM sends them (the doc lists the main node of each)."""
        from django.db.models import Count
        from django.utils import timezone

        from cases.models import OPEN_STATUSES
        from cases.selectors import case_list_for_user

        now = timezone.now()
        month_end = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        month_start = (month_end - timedelta(days=1)).replace(day=1)
        queries = {
            "API list page (commune leader): count": case_list_for_user(user=self._user_fresh(self.reader_leader)).order_by(),
            "API list page (commune leader): 25 newest": case_list_for_user(user=self._user_fresh(self.reader_leader))[:25],
            "commune queue": case_list_for_user(user=self._user_fresh(self.reader_leader))
            .filter(status__in=OPEN_STATUSES).order_by("deadline", "pk")[:50],
            "province overdue": case_list_for_user(user=self._user_fresh(self.supervisor),
                                                   filters={"overdue": True})[:50],
            "search": case_list_for_user(user=self._user_fresh(self.supervisor), filters={"q": "Nước sạch đục"})[:50],
            "whole-country monthly": case_list_for_user(user=self._user_fresh(self.country), filters={
                "received_after": month_start, "received_before": month_end}).order_by()
            .values("topic_id", "status").annotate(n=Count("*")),
        }
        self.plan_lines = {}
        for name, qs in queries.items():
            if name.endswith(": count"):
                from django.db import connection

                sql, params = qs.values("pk").query.sql_with_params()
                with connection.cursor() as cur:
                    cur.execute(f"EXPLAIN ANALYZE SELECT count(*) FROM ({sql}) sub", params)
                    text = "\n".join(row[0] for row in cur.fetchall())
            else:
                text = qs.explain(analyze=True)
            lines = text.splitlines()
            scans = sorted({line.strip().split("  (")[0].lstrip("-> ") for line in lines
                            if "Scan" in line and "cases_case" in line})
            total = next((line for line in lines if line.startswith("Execution Time")), "")
            self.plan_lines[name] = {"scans": scans, "time": total}
            print(f"[plan] {name}: {total}; {'; '.join(scans)}", flush=True)

    # --- (f) audit ---------------------------------------------------------------

    def audit(self):
        from django.db import connections

        from cases.audit import audit_verify

        from .raw_sql import audit_verify_raw_parallel

        # A slice of the history (verify_audit over all of it at 10M cases takes minutes per repeat), checked as
        # the command does it: ranges of cases in one process per CPU; the raw twin likewise.
        jobs = os.cpu_count() or 1
        last = min(self.scale, 500 if self.quick else 200_000) + 1
        rates, raw_rates = [], []
        for _ in range(max(2, self.repeat // 2)):
            began = time.perf_counter()
            result = audit_verify(id_range=(1, last), jobs=jobs)
            assert result.ok, result.first_broken
            rates.append(result.events_checked / (time.perf_counter() - began))
            connections.close_all()
            began = time.perf_counter()
            _cases, checked = audit_verify_raw_parallel(self.dsn, first_id=1, last_id=last, jobs=jobs)
            raw_rates.append(checked / (time.perf_counter() - began))
        self.r.add("f", f"verify_audit --jobs {jobs} ({result.cases_checked} cases, {result.events_checked} events)",
                   "events/s", rates, raw_rates, higher_is_better=True, target="≥ 100,000/s",
                   check=lambda row: row["median"] >= 100_000)

    @staticmethod
    def _session_for(user) -> str:
        """A logged-in session, as the login view leaves it (no request needed, so no login audit row)."""
        from importlib import import_module

        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    # --- (e) + (g) HTTP ---------------------------------------------------------------

    def _cpu(self, groups: dict) -> dict:
        """CPU seconds used so far by each group's processes (gunicorn's workers, the Celery worker's children),
        this process (the load generator), and PostgreSQL's backends on the benchmark database."""
        import psutil

        def seconds(procs):
            total = 0.0
            for proc in procs:
                try:
                    times = proc.cpu_times()
                    total += times.user + times.system
                except psutil.Error:
                    pass
            return total

        used = {}
        for name, thing in groups.items():
            parent = psutil.Process(thing.proc.pid if hasattr(thing, "proc") else thing.pid)
            used[name] = seconds([parent, *parent.children(recursive=True)])
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
            pids = [row[0] for row in cur.fetchall()]
        used["postgres backends"] = seconds(psutil.Process(pid) for pid in pids if psutil.pid_exists(pid))
        used["load generator"] = seconds([psutil.Process()])
        return used


    def http(self, seconds=10, connections=8, lists=True):
        from django.conf import settings
        from knox.models import AuthToken

        from . import http_load

        import psutil

        import redis

        # Deliveries queued by earlier runs (other databases) must not keep the worker busy during this one.
        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
        cookie = f"{settings.SESSION_COOKIE_NAME}={self._session_for(self.reader_leader)}"
        # People's tokens as the token endpoint issues them (knox: only a digest is stored); both apps check them.
        token = AuthToken.objects.create(user=self.reader_leader)[1]
        clerk_token = AuthToken.objects.create(user=self.clerk)[1]
        # Both servers alike: the same gunicorn, the same number of sync workers (--web-workers).
        server = http_load.Server("config.wsgi:application", workers=self.web_workers)
        raw_server = http_load.Server("bench.raw_app:app", workers=self.web_workers)
        celery = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "-c", "1",
                                   "--loglevel=WARNING", "-n", "bench@%h"], cwd=ROOT, env=os.environ.copy(),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak_celery = [0]
        try:
            # Measure nothing while the worker is still starting (its imports take a core for seconds).
            from config.celery import app as celery_app

            deadline = time.monotonic() + 60
            while not celery_app.control.ping(timeout=1) and time.monotonic() < deadline:
                time.sleep(0.5)
            runs = max(1, self.repeat // 2) if lists else 0
            queue_h = {"Cookie": cookie}
            api_h = {"Authorization": f"Token {token}"}
            statuses = (http_load.warm(server.url + "/cases/", queue_h), http_load.warm(server.url + "/api/v1/cases/",
                        api_h), http_load.warm(raw_server.url + "/", api_h))
            if statuses != (200, 200, 200):
                raise RuntimeError(f"warm-up answered {statuses}")
            q, a, rw = [], [], []
            for _ in range(runs):
                rw.append(http_load.load(raw_server.url + "/", headers=api_h, seconds=seconds,
                                         connections=connections))
                q.append(http_load.load(server.url + "/cases/", headers=queue_h, seconds=seconds,
                                        connections=connections))
                a.append(http_load.load(server.url + "/api/v1/cases/", headers=api_h, seconds=seconds,
                                        connections=connections))
            raw_rps = [x["rps"] for x in rw]
            for name, series in (("logged-in queue page GET /cases/", q), ("API list GET /api/v1/cases/", a))[
                    :2 if lists else 0]:
                self.r.add("e", f"{name}, {connections} connections", "req/s", [x["rps"] for x in series],
                           raw_rps, higher_is_better=True, target="≥ 0.8 of raw endpoint",
                           check=lambda row: (row["ratio"] or 0) >= 0.8,
                           note=f"errors {sum(x['non_2xx'] + x['socket_errors'] for x in series)}")
                self.r.add("e", f"{name}: p99 latency", "ms", [x["p99_ms"] for x in series],
                           [x["p99_ms"] for x in rw], higher_is_better=False, target="p99 < 50 ms",
                           check=lambda row: row["median"] < 50)
            # Intake burst through the API, with a Celery worker delivering the outbox meanwhile: 5,000 intakes
            # offered in one minute (open loop, 83/s), latency counted from when each was due.
            body = json.dumps({"title": "Nước sạch bị đục kéo dài", "channel": self.channel.code,
                               "topic": self.topic.code, "locality": self.locality.code})
            post_h = {"Authorization": f"Token {clerk_token}", "Content-Type": "application/json"}
            worker = psutil.Process(celery.pid)
            burst_total, burst_seconds = (100, 2) if self.quick else (5000, 60)
            groups = {"web": server, "raw": raw_server, "celery": celery}
            before = self._cpu(groups)
            raw_burst = http_load.paced(raw_server.url + "/", headers=post_h, rate=burst_total / burst_seconds,
                                        total=burst_total, body=body)
            middle = self._cpu(groups)
            burst = http_load.paced(server.url + "/api/v1/cases/", headers=post_h, rate=burst_total / burst_seconds,
                                    total=burst_total, body=body)
            after = self._cpu(groups)
            for label, (start, end) in (("raw endpoint", (before, middle)), ("Django", (middle, after))):
                used = {name: (end[name] - start[name]) / burst_total * 1000 for name in end}
                print(f"[a] CPU per intake during the {label}'s burst, ms: "
                      + ", ".join(f"{name} {value:.1f}" for name, value in used.items()), flush=True)
            for proc in [worker, *worker.children(recursive=True)]:
                try:
                    peak_celery[0] = max(peak_celery[0], proc.memory_info().rss)
                except psutil.Error:
                    pass
            errors = burst["non_2xx"]
            twin = f"; raw endpoint absorbed it in {raw_burst['seconds']:.1f} s, errors {raw_burst['non_2xx']}"
            self.r.add("a", f"intake burst via HTTP API POST /api/v1/cases/: {burst_total:,} offered in "
                            f"{burst_seconds} s, absorbed in {burst['seconds']:.1f} s", "cases/s", [burst["rps"]],
                       [raw_burst["rps"]], higher_is_better=True,
                       target=f"{burst_total / burst_seconds:.0f}/s absorbed, no error",
                       check=lambda row: burst["seconds"] < burst_seconds * 1.05 and errors == 0,
                       note=f"errors {errors}{twin}")
            self.r.add("a", "intake burst via HTTP API: p99 latency from the time due", "ms", [burst["p99_ms"]],
                       [raw_burst["p99_ms"]], higher_is_better=False, target="p99 < 200 ms, no error",
                       check=lambda row: row["median"] < 200 and errors == 0, note=f"errors {errors}")
            time.sleep(2)
            for proc in [worker, *worker.children(recursive=True)]:
                try:
                    peak_celery[0] = max(peak_celery[0], proc.memory_info().rss)
                except psutil.Error:
                    pass
        finally:
            server.stop()
            raw_server.stop()
            celery.terminate()
            try:
                celery.wait(timeout=20)
            except subprocess.TimeoutExpired:
                celery.kill()
        self.r.add("g", "peak RSS of a web worker (gunicorn sync) under the load above", "MB",
                   [server.peak_rss / 2**20], higher_is_better=False)
        self.r.add("g", "peak RSS of the Celery worker (prefork, 1 child) during the intake burst", "MB",
                   [peak_celery[0] / 2**20], higher_is_better=False)


def write_doc(*, args, argv, info, gen, results: Results, started, finished, plans=None):
    lines = [
        "# Benchmarks at national scale",
        "",
        "The part down to the analysis marker is regenerated by `python -m bench.run` (do not edit it by hand);",
        "the analysis after the marker is written by people and kept across runs. Every figure sits beside its",
        "raw-SQL twin (psycopg, no ORM, the same rows written or read in the same run, `bench/raw_sql.py`,",
        "`bench/raw_app.py`); the ratio is Django's share of the raw speed (1.0 = as fast as raw SQL; for times,",
        "raw time ÷ Django time).",
        "",
        "## This run",
        "",
        f"- Command: `{' '.join(['python -m bench.run', *argv])}`",
        f"- Scale: **{args.scale:,} cases**; repeat {args.repeat}; from {started:%Y-%m-%d %H:%M} to "
        f"{finished:%H:%M} UTC.",
        f"- Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gb']} GB RAM, PostgreSQL {info['postgresql']}"
        f" (shared_buffers {info['shared_buffers']}) on the same machine, Python {info['python']}; load average at"
        f" start {info['load_at_start']}, at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}; PostgreSQL,"
        f" the web and Celery workers, the load generator and the benchmark share the same cores.",
        f"- Whole run: {_duration((finished - started).total_seconds())}"
        + (" (generation included)." if not args.reuse else f" (on data generated earlier{_generated_note(gen)})."),
    ]
    if gen:
        lines += [
            f"- Data generated in {gen['seconds']} s: {gen['cases']:,} cases, {gen['events']:,} events (valid hash "
            f"chains), {gen['clocks_running']:,} running and {gen['clocks_finished']:,} finished clocks, "
            f"{gen['processes']:,} viewflow processes with {gen['tasks']:,} tasks, {gen['units']:,} units, "
            f"{gen['topics']} topics, {gen['users']:,} users with {gen['grants']:,} role grants.",
            f"- Cases by status: {', '.join(f'{k} {v:,}' for k, v in gen['by_status'].items())}.",
        ]
    lines += ["", "## Results", "",
              "| | benchmark | Django median | Django p95 | raw SQL median | ratio | target | verdict |",
              "|---|---|---|---|---|---|---|---|"]
    for row in results.rows:
        raw = f"{row['raw_median']:,.2f}" if row["raw_median"] is not None else "—"
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "—"
        note = f" ({row['note']})" if row["note"] else ""
        lines.append(f"| {row['section']} | {row['name']}{note} | {row['median']:,.2f} {row['unit']} | "
                     f"{row['p95']:,.2f} | {raw} | {ratio} | {row['target']} | {row['verdict']} |")
    if plans:
        lines += ["", "### Query plans of the reads (EXPLAIN ANALYZE of the SQL the ORM sends, this run)", "",
                  "| query | execution time | scans of cases_case |", "|---|---|---|"]
        for name, plan in plans.items():
            lines.append(f"| {name} | {plan['time'].replace('Execution Time: ', '')} | "
                         f"{'; '.join(plan['scans']) or '—'} |")
    lines += ["", ANALYSIS_MARKER, ""]
    text = "\n".join(lines) + "\n"
    if DOC.exists() and ANALYSIS_MARKER in DOC.read_text():
        text += DOC.read_text().split(ANALYSIS_MARKER, 1)[1].lstrip("\n")
    else:
        text += "(analysis to be written)\n"
    DOC.write_text(text)
    (ROOT / "docs" / "benchmarks.json").write_text(json.dumps(
        {"args": vars(args), "machine": info, "generated": gen, "rows": results.rows, "plans": plans}, indent=1,
        default=str))


ANALYSIS_MARKER = "<!-- analysis: kept across runs -->"


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def _generated_note(gen) -> str:
    return f", whose generation took {_duration(gen['seconds'])}" if gen and gen.get("seconds") else ""


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--jobs", type=int, default=2, help="generator processes")
    parser.add_argument("--reuse", action="store_true", help="keep the data already generated")
    parser.add_argument("--no-doc", action="store_true", help="print only (tests)")
    parser.add_argument("--only", default="",
                        help="comma-separated: intake,lifecycle,sweep,reads,plans,audit,http; or burst (the intake "
                             "burst of http alone)")
    parser.add_argument("--http-seconds", type=int, default=10)
    parser.add_argument("--web-workers", type=int, default=2,
                        help="gunicorn sync workers of each server, Django's and the raw twin's (deploy/ runs 2 per CPU)")
    parser.add_argument("--quick", action="store_true", help="tiny counts, to prove every benchmark runs")
    args = parser.parse_args(argv)
    if "bench" not in args.db:
        parser.error("the database is dropped and recreated: its name must contain 'bench'")
    started = datetime.now(dt_timezone.utc)
    info = machine()
    print(f"machine: {info}", flush=True)
    gen = None
    if not args.reuse:
        from .generate import generate

        gen = generate(db=args.db, scale=args.scale, jobs=args.jobs)
    else:
        from .generate import remembered

        gen = remembered(args.db)
        if gen:
            args.scale = gen["cases"]  # the data's real size, for the doc and the slices measured
    setup_django(args.db)
    results = Results()
    bench = Bench(db=args.db, scale=args.scale, repeat=args.repeat, results=results, quick=args.quick,
                  generated=gen["cases"] if gen else None)
    only = set(filter(None, args.only.split(",")))
    bench.plan_lines = {}
    bench.web_workers = args.web_workers
    for name in ("intake", "lifecycle", "sweep", "reads", "plans", "audit", "http", "burst"):
        if (only and name not in only) or (not only and name == "burst"):
            continue
        began = time.monotonic()
        if name in ("http", "burst"):
            bench.http(seconds=args.http_seconds, lists=name == "http")
        else:
            getattr(bench, name)()
        print(f"-- {name} done in {time.monotonic() - began:.0f} s", flush=True)
    finished = datetime.now(dt_timezone.utc)
    if not args.no_doc:
        write_doc(args=args, argv=argv, info=info, gen=gen, results=results, started=started, finished=finished,
                  plans=bench.plan_lines)
        print(f"wrote {DOC.relative_to(ROOT)}")
    missed = [row["name"] for row in results.rows if row["verdict"] == "MISSED"]
    print(f"targets missed: {len(missed)}" + (": " + "; ".join(missed) if missed else ""))
    return results


if __name__ == "__main__":
    main()
