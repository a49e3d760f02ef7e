"""Raw-SQL twins (psycopg, no ORM) doing the same row work as each benchmarked service or selector.

Each write twin writes the rows the Django path writes for the same step
(case, report, event with its hash, clocks stopped and started, the
process's step done, a gateway crossed written once as done with its link,
the next step created, or at the end the end task written done and the
process closed; notifications and outbox rows as many per event as the
Django path wrote) in one transaction per step, with the same row locks;
each read twin runs the same query shape by hand.
"""

import hashlib
import json
import uuid
from datetime import datetime, timedelta, timezone as dt_timezone

import psycopg

from cases.audit import event_hash

UTC = dt_timezone.utc
OPEN = ("received", "verified", "assigned", "oriented")
TO_STATUS = {"intake": "received", "verify": "verified", "assign": "assigned", "orient": "oriented",
             "resolve": "resolved", "report": "reported"}
# The step clock each move starts (none after resolve: the case then waits for the report).
NEXT_CLOCK = {"verify": "assign", "assign": "orient", "orient": "resolve"}
# The running clocks each move stops (their policies' stop events); the report reads no clock (the case is not
# open any more, so the clocks receiver has nothing to look at).
CLOCK_STOPS = {"verify": {"verify"}, "assign": {"assign"}, "orient": {"orient", "reply_reporter"},
               "resolve": {"orient", "resolve", "reply_reporter"}}
# What workflow.engine writes after each move of the benchmarked path (workflow/flows.CaseFlow): the gateway it
# crosses (one row written done, with its link), then the next human step and the role of its queue; the
# handler's steps go to the assignee (status ASSIGNED). After the report: the gateway, the end (written done)
# and the process marked done.
FLOW = {"verify": ("route_after_verify", "assign_step", "leader"),
        "assign": ("route_after_assign", None, "handler"),  # orient_step, or resolve_step if no public reply
        "orient": (None, "resolve_step", "handler"),
        "resolve": (None, "report_step", "secretariat"),
        "report": ("route_after_report", None, None)}
TO_ASSIGNEE = {"orient_step", "resolve_step"}
FLOW_CLASS = "workflow/flows.CaseFlow"


class RawWriter:
    def __init__(self, dsn: str, *, ct_case: int, ct_unit: int, policy_ids: dict, notes_per_event: float = 0.0):
        # psycopg's default: a statement run five times is prepared, which raw SQL gets for free and Django
        # does not use. Kept for the writes (it only helps them); the read twins turn it off (bench.run).
        self.conn = psycopg.connect(dsn)
        self.ct_case, self.ct_unit = ct_case, ct_unit
        self.policy_ids = policy_ids
        self.notes_per_event = notes_per_event
        self._carry = 0.0

    def close(self):
        self.conn.close()

    def _notify(self, cur, case_id, event_id, recipient_id, action, now):
        # As many notifications (and in-app outbox rows) per event as the Django path wrote, on average; shown at
        # once, their in-app rows written sent, as the outbox does it (notifications.services.shown_in_app).
        self._carry += self.notes_per_event
        while self._carry >= 1:
            self._carry -= 1
            cur.execute(
                "INSERT INTO notifications_notification (kind, params, created_at, delivered_at, case_id, event_id, "
                "recipient_id, about, link) VALUES (%s, %s, %s, %s, %s, %s, %s, '', '') ON CONFLICT DO NOTHING "
                "RETURNING id",
                (action, json.dumps({"code": case_id}), now, now, case_id, event_id, recipient_id))
            row = cur.fetchone()
            if row:
                cur.execute(
                    "INSERT INTO notifications_outboxmessage (uid, channel, payload, status, attempts, last_error, "
                    "next_attempt_at, sent_at, created_at, event_id, notification_id, recipient_id) "
                    "VALUES (%s, 'inapp', '{}', 'sent', 1, '', %s, %s, %s, %s, %s, %s)",
                    (uuid.uuid4(), now, now, now, event_id, row[0], recipient_id))

    def _event(self, cur, *, case_id, code, seq, prev, action, frm, to, actor, note, data, now):
        digest = event_hash(case_code=code, seq=seq, action=action, from_status=frm, to_status=to, actor_id=actor,
                            note=note, data=data, created_at=now, prev_hash=prev)
        cur.execute(
            "INSERT INTO cases_caseevent (case_id, seq, action, from_status, to_status, actor_id, note, data, "
            "created_at, prev_hash, hash) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) RETURNING id",
            (case_id, seq, action, frm, to, actor, note, json.dumps(data, ensure_ascii=False), now, prev, digest))
        return cur.fetchone()[0], digest

    def _clock(self, cur, case_id, name, now, days):
        cur.execute(
            "INSERT INTO workflow_caseclock (case_id, policy_id, clock, kind, unit, amount, is_remote, is_complex, "
            "started_at, start_event, due_at, stop_event, paused_total, extended_by, reminder_level, "
            "escalation_level, escalation_base, next_action, next_level, next_fire_at) VALUES "
            "(%s,%s,%s,'step','working_days',1,false,false,%s,'x',%s,'','0','0',0,0,0,'remind',1,%s)",
            (case_id, self.policy_ids.get(name) or next(iter(self.policy_ids.values())), name, now,
             now + timedelta(days=days), now + timedelta(days=days / 2)))

    def _task(self, cur, *, process_id, node, task_type, now, prev_id=None, role=None, unit_id=None, owner_id=None):
        """One viewflow task row (and its link to the task before it), as the flow writes it.

        A start, a gateway or an end is written once, already done; a human step waits in its unit's queue,
        assigned when it goes to the case's assignee.
        """
        if task_type == "HUMAN":
            cur.execute("INSERT INTO viewflow_task (flow_task, flow_task_type, status, created, token, owner_id, "
                        "owner_permission, process_id, owner_permission_content_type_id, owner_permission_obj_pk, "
                        "data) VALUES (%s,'HUMAN',%s,%s,'start',%s,%s,%s,%s,%s,'{}') RETURNING id",
                        (f"{FLOW_CLASS}.{node}", "ASSIGNED" if owner_id else "NEW", now, owner_id,
                         f"cases.role_{role}", process_id, self.ct_unit, str(unit_id)))
        else:
            cur.execute("INSERT INTO viewflow_task (flow_task, flow_task_type, status, created, started, finished, "
                        "token, process_id, data) VALUES (%s,%s,'DONE',%s,%s,%s,'start',%s,'{}') RETURNING id",
                        (f"{FLOW_CLASS}.{node}", task_type, now, now, now, process_id))
        task_id = cur.fetchone()[0]
        if prev_id is not None:
            cur.execute("INSERT INTO viewflow_task_previous (from_task_id, to_task_id) VALUES (%s, %s)",
                        (task_id, prev_id))
        return task_id

    def intake(self, *, user_id, unit_id, unit_code, topic_id, channel_id, locality_id, title, year):
        now = datetime.now(UTC)
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute("SELECT cases_next_case_number(%s)", (year,))  # as case_code_allocate on PostgreSQL
            code = f"DL-{year}-{cur.fetchone()[0]:06d}"
            search = f"{code.lower()} {title.lower()}"
            cur.execute(
                "INSERT INTO cases_case (code, status, title, description, channel_id, topic_id, locality_id, "
                "owner_id, priority, kind, received_at, deadline, escalation_level, external_ref, public_response, "
                "outcome, closing_reason, search_text, public_secret_hash, reopen_requested, kept_closed_reason, "
                "transfer_agency, transfer_legal_basis, reporter_notified_how, instruction_pending, report_count, "
                "version, event_count, head_hash, created_by_id, created_at, updated_at, address, media_url) "
                "VALUES (%s,'received',%s,'',"
                "%s,%s,%s,%s,'normal','reflection',%s,%s,0,'','','','',%s,%s,false,'','','','',false,1,0,0,'',%s,%s,"
                "%s,'','') RETURNING id",
                (code, title, channel_id, topic_id, locality_id, unit_id, now, now + timedelta(days=1), search,
                 hashlib.sha256(code.encode()).hexdigest(), user_id, now, now))
            case_id = cur.fetchone()[0]
            cur.execute("INSERT INTO cases_casereport (case_id, channel_id, received_at, is_representative) "
                        "VALUES (%s,%s,%s,true)", (case_id, channel_id, now))
            event_id, digest = self._event(cur, case_id=case_id, code=code, seq=1, prev="", action="intake", frm="",
                                           to="received", actor=user_id, note="",
                                           data={"owner": unit_code, "priority": "normal", "kind": "reflection"},
                                           now=now)
            cur.execute("UPDATE cases_case SET event_count = 1, head_hash = %s, public_secret_hash = %s "
                        "WHERE id = %s", (digest, digest, case_id))
            self._clock(cur, case_id, "verify", now, 1)
            self._clock(cur, case_id, "reply_reporter", now, 14)
            cur.execute("UPDATE cases_case SET deadline = %s WHERE id = %s", (now + timedelta(days=1), case_id))
            cur.execute("INSERT INTO viewflow_process (flow_class, status, created, artifact_content_type_id, "
                        "artifact_object_id, data) VALUES (%s,'NEW',%s,%s,%s,'{}') RETURNING id",
                        (FLOW_CLASS, now, self.ct_case, case_id))
            process_id = cur.fetchone()[0]
            # A reflection's path starts at verification: the start (done) and the intake clerks' verify step.
            start_task = self._task(cur, process_id=process_id, node="start", task_type="START", now=now)
            self._task(cur, process_id=process_id, node="verify_step", task_type="HUMAN", now=now, prev_id=start_task,
                       role="intake_clerk", unit_id=unit_id)
            self._notify(cur, case_id, event_id, user_id, "intake", now)
        return case_id

    def transition(self, *, case_id, action, user_id, unit_id, assignee_id=None):
        """verify / assign / orient / resolve / report, as the services, workflow.engine and the listeners do them."""
        now = datetime.now(UTC)
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute("SELECT c.code, c.status, c.event_count, c.head_hash, c.version, c.assignee_id, o.path, "
                        "t.needs_public_response FROM cases_case c JOIN cases_unit o ON o.id = c.owner_id "
                        "JOIN cases_topic t ON t.id = c.topic_id WHERE c.id = %s FOR UPDATE OF c", (case_id,))
            code, status, count, head, version, current_assignee, _path, needs_reply = cur.fetchone()
            assignee_id = assignee_id or current_assignee
            # The role check: the grants of the person (the Django path reads them once per request).
            cur.execute("SELECT p.codename FROM cases_unituserobjectpermission g JOIN auth_permission p "
                        "ON p.id = g.permission_id WHERE g.user_id = %s AND g.content_object_id = %s",
                        (user_id, unit_id))
            cur.fetchall()
            to = TO_STATUS[action]
            event_id, digest = self._event(cur, case_id=case_id, code=code, seq=count + 1, prev=head, action=action,
                                           frm=status, to=to, actor=user_id, note="ok", data={}, now=now)
            cur.execute(
                "UPDATE cases_case SET status = %s, event_count = %s, head_hash = %s, version = %s, deadline = %s, "
                "assigned_by_unit_id = CASE WHEN %s = 'assign' THEN owner_id ELSE assigned_by_unit_id END, "
                "assignee_id = %s, updated_at = %s WHERE id = %s",
                (to, count + 1, digest, version + 1, now + timedelta(days=3), action, assignee_id, now, case_id))
            # The flow: the open step(s) of the case's process, read with the process in one query.
            cur.execute("SELECT t.id, t.process_id, t.status FROM viewflow_task t JOIN viewflow_process p "
                        "ON p.id = t.process_id WHERE p.artifact_content_type_id = %s AND p.artifact_object_id = %s "
                        "AND p.flow_class = %s AND t.status IN ('NEW','ASSIGNED','STARTED') ORDER BY t.id",
                        (self.ct_case, case_id, FLOW_CLASS))
            open_tasks = cur.fetchall()
            process_id = open_tasks[0][1]
            done_id = open_tasks[0][0]
            # Completed by this person: taken (if nobody had it), started and finished, in one write.
            cur.execute("UPDATE viewflow_task SET status = 'DONE', owner_id = COALESCE(owner_id, %s), "
                        "assigned = CASE WHEN status = 'NEW' THEN %s ELSE assigned END, started = %s, finished = %s "
                        "WHERE id = %s", (user_id, now, now, now, done_id))
            gateway, node, role = FLOW[action]
            prev = done_id
            if gateway:
                prev = self._task(cur, process_id=process_id, node=gateway, task_type="SWITCH", now=now,
                                  prev_id=prev)
            if action == "assign":
                node = "orient_step" if needs_reply else "resolve_step"
            if node:
                self._task(cur, process_id=process_id, node=node, task_type="HUMAN", now=now, prev_id=prev,
                           role=role, unit_id=unit_id, owner_id=assignee_id if node in TO_ASSIGNEE else None)
            else:
                self._task(cur, process_id=process_id, node="reported_end", task_type="END", now=now, prev_id=prev)
                cur.execute("UPDATE viewflow_process SET status = 'DONE', finished = %s WHERE id = %s",
                            (now, process_id))
            if status in OPEN:
                # The clocks: the ones this move stops, and the next step's.
                cur.execute("SELECT id, clock FROM workflow_caseclock WHERE case_id = %s AND stopped_at IS NULL",
                            (case_id,))
                for clock_id, clock in cur.fetchall():
                    if clock in CLOCK_STOPS[action]:
                        cur.execute("UPDATE workflow_caseclock SET stopped_at = %s, stop_event = %s, next_action = '', "
                                    "next_level = 0, next_fire_at = NULL WHERE id = %s", (now, action, clock_id))
                if action in NEXT_CLOCK:
                    self._clock(cur, case_id, NEXT_CLOCK[action], now, 3)
            cur.execute("UPDATE cases_case SET deadline = %s WHERE id = %s", (now + timedelta(days=3), case_id))
            self._notify(cur, case_id, event_id, user_id, action, now)

    def sweep(self, *, now, batch_size=500, chunk_size=50) -> int:
        """Find due clocks, lock their cases (SKIP LOCKED), fire each: clock row, one event, the case's head, the
        reminder's notifications and outbox rows; then record the heartbeat."""
        fired = 0
        with self.conn.cursor() as cur:
            cur.execute("SELECT id, case_id FROM workflow_caseclock WHERE stopped_at IS NULL AND next_fire_at <= %s "
                        "ORDER BY next_fire_at, id LIMIT %s", (now, batch_size))
            due = cur.fetchall()
            self.conn.commit()
            for first in range(0, len(due), chunk_size):
                chunk = due[first:first + chunk_size]
                with self.conn.transaction():
                    cur.execute("SELECT id, code, status, event_count, head_hash, owner_id, assignee_id FROM cases_case "
                                "WHERE id = ANY(%s) ORDER BY id FOR UPDATE SKIP LOCKED",
                                ([case_id for _, case_id in chunk],))
                    cases = {row[0]: list(row[1:]) for row in cur.fetchall()}
                    cur.execute("SELECT id, case_id, clock FROM workflow_caseclock WHERE id = ANY(%s) AND "
                                "stopped_at IS NULL AND next_fire_at <= %s ORDER BY next_fire_at, id FOR UPDATE "
                                "SKIP LOCKED", ([clock_id for clock_id, _ in chunk], now))
                    for clock_id, case_id, clock in cur.fetchall():
                        code, status, count, head, owner_id, assignee_id = cases[case_id]
                        event_id, digest = self._event(
                            cur, case_id=case_id, code=code, seq=count + 1, prev=head, action="remind", frm=status,
                            to=status, actor=None, note="Nhắc hạn", data={"clock": clock, "level": 1}, now=now)
                        cases[case_id][2:4] = [count + 1, digest]
                        cur.execute("UPDATE workflow_caseclock SET reminder_level = 1, last_fired_at = %s, "
                                    "next_action = 'escalate', next_level = 1, next_fire_at = %s WHERE id = %s",
                                    (now, now + timedelta(days=3), clock_id))
                        cur.execute("UPDATE cases_case SET event_count = %s, head_hash = %s WHERE id = %s",
                                    (count + 1, digest, case_id))
                        # The reminder's people, as the outbox writes them: the owning unit's handlers and the
                        # assignee, active; a notification (shown), its in-app row (sent) and an email row each.
                        cur.execute("SELECT u.id, u.email FROM auth_user u WHERE u.is_active AND u.id IN ("
                                    "SELECT g.user_id FROM cases_unituserobjectpermission g JOIN auth_permission p "
                                    "ON p.id = g.permission_id WHERE g.content_object_id = %s AND p.codename = "
                                    "'role_handler' UNION ALL SELECT %s) ORDER BY u.id", (owner_id, assignee_id))
                        for recipient_id, email in cur.fetchall():
                            cur.execute(
                                "INSERT INTO notifications_notification (kind, params, created_at, delivered_at, "
                                "case_id, event_id, recipient_id, about, link) "
                                "VALUES ('remind', %s, %s, %s, %s, %s, %s, '', '') RETURNING id",
                                (json.dumps({"code": code}), now, now, case_id, event_id, recipient_id))
                            note_id = cur.fetchone()[0]
                            for channel in ("inapp", "email") if email else ("inapp",):
                                sent = channel == "inapp"
                                cur.execute(
                                    "INSERT INTO notifications_outboxmessage (uid, channel, payload, status, attempts, "
                                    "last_error, next_attempt_at, sent_at, created_at, event_id, notification_id, "
                                    "recipient_id) VALUES (%s, %s, '{}', %s, %s, '', %s, %s, %s, %s, %s, %s)",
                                    (uuid.uuid4(), channel, "sent" if sent else "pending", int(sent), now,
                                     now if sent else None, now, event_id, note_id, recipient_id))
                        fired += 1
            # The heartbeat the health check reads, as the sweep records it.
            cur.execute("INSERT INTO workflow_sweepheartbeat (name, last_success_at, last_duration_ms, last_fired) "
                        "VALUES ('clocks_raw', %s, 0, %s) ON CONFLICT (name) DO UPDATE SET "
                        "last_success_at = EXCLUDED.last_success_at, last_fired = EXCLUDED.last_fired", (now, fired))
            self.conn.commit()
        return fired


def audit_verify_raw(conn, *, first_id: int, last_id: int) -> tuple[int, int]:
    """verify_audit's work in raw SQL: stream events in case order, recompute each hash, compare heads."""
    checked = cases = 0
    with conn.cursor(name="bench_audit_cases") as cur_cases, conn.cursor(name="bench_audit_events") as cur_events:
        cur_cases.itersize = cur_events.itersize = 5000
        cur_cases.execute("SELECT id, code, event_count, head_hash FROM cases_case WHERE id >= %s AND id < %s "
                          "ORDER BY id", (first_id, last_id))
        cur_events.execute("SELECT case_id, seq, action, from_status, to_status, actor_id, note, data, created_at, "
                           "prev_hash, hash FROM cases_caseevent WHERE case_id >= %s AND case_id < %s "
                           "ORDER BY case_id, seq", (first_id, last_id))
        pending = next(cur_events, None)
        for case_id, code, count, head in cur_cases:
            prev = ""
            n = 0
            while pending is not None and pending[0] == case_id:
                _cid, seq, action, frm, to, actor, note, data, at, prev_hash, digest = pending
                if prev_hash != prev or event_hash(case_code=code, seq=seq, action=action, from_status=frm,
                                                   to_status=to, actor_id=actor, note=note, data=data,
                                                   created_at=at, prev_hash=prev_hash) != digest:
                    raise AssertionError(f"broken chain at case {code} #{seq}")
                prev = digest
                n += 1
                pending = next(cur_events, None)
            if n != count or prev != head:
                raise AssertionError(f"head mismatch at case {code}")
            checked += n
            cases += 1
    conn.commit()
    return cases, checked


def _audit_range(args):
    dsn, first_id, last_id = args
    with psycopg.connect(dsn, prepare_threshold=None) as conn:
        return audit_verify_raw(conn, first_id=first_id, last_id=last_id)


def audit_verify_raw_parallel(dsn: str, *, first_id: int, last_id: int, jobs: int) -> tuple[int, int]:
    """The raw twin of `verify_audit --jobs`: the same ranges of cases in as many processes."""
    import multiprocessing

    edges = [first_id + (last_id - first_id) * k // jobs for k in range(jobs + 1)]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        parts = pool.map(_audit_range, [(dsn, edges[k], edges[k + 1]) for k in range(jobs)])
    return sum(p[0] for p in parts), sum(p[1] for p in parts)
