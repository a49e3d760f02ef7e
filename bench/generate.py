"""Generate national-scale data straight into PostgreSQL with COPY.

    python -m bench.generate --scale 1000000 [--db dlxh_bench] [--jobs 2]

Drops and recreates the database, migrates it (`manage.py migrate`), then
writes with psycopg `COPY`: the unit tree (central, 34 provinces, ~3,300
communes, 3 grassroots units each; treebeard paths), 60 topics, users for
every role with their grants, `--scale` cases over 5 years, each with the
event history its lifecycle produced (valid hash chains, computed with
`cases.audit.event_hash`), reports, running clocks for open cases and a
history of finished ones, and viewflow processes with their open task for
the cases still in the flow (a resolved case waits in the secretariat's report
step). Cases are of every kind: reflections, proposals and opinions follow the
settled path; complaints and denunciations are transferred to the competent
agency, then closed when the reporter has been told.

What is NOT generated (said in docs/benchmarks.md): viewflow processes of
closed cases and the done tasks of open ones, reporters (every case is
anonymous), outbox history, escalation rows; finished clocks exist for a
sample of closed cases (about 0.5 per case, i.e. 5M at 10M cases).
"""

import argparse
import json
import multiprocessing
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone as dt_timezone
from pathlib import Path

import psycopg

from . import DEFAULT_DB, SERVER, database_url

ROOT = Path(__file__).resolve().parent.parent
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4
PROVINCES = 34
COMMUNES = 3300
GRASSROOTS_PER_COMMUNE = 3
PASSWORD = "bench-2026"
UTC = dt_timezone.utc
YEARS = 5
# Tables loaded in bulk: their secondary indexes are dropped during the load and rebuilt after.
BULK_TABLES = ("cases_case", "cases_caseevent", "cases_casereport", "workflow_caseclock", "viewflow_process",
               "viewflow_task")

TITLES = [
    ("Đường {place} xuống cấp, nhiều ổ gà", "Mặt đường hư hỏng nặng, mưa xuống ngập nước, xe máy đi lại nguy hiểm."),
    ("Nước sạch ở {place} bị đục, có mùi", "Nhiều hộ dân phản ánh nước máy có màu vàng, mùi clo nồng."),
    ("Rác thải tồn đọng tại {place}", "Rác không được thu gom nhiều ngày, bốc mùi hôi thối."),
    ("Đề nghị lắp đèn chiếu sáng đường {place}", "Đoạn đường tối, người dân đi lại ban đêm không an toàn."),
    ("Tiếng ồn từ xưởng gỗ ở {place}", "Xưởng hoạt động cả đêm gây ảnh hưởng sinh hoạt của bà con."),
    ("Chậm chi trả trợ cấp tại {place}", "Người có công chưa nhận được trợ cấp tháng này."),
    ("Lấn chiếm vỉa hè ở {place}", "Hàng quán bày bán tràn ra lòng đường, gây ùn tắc."),
    ("Kiến nghị sửa chữa trường học {place}", "Mái phòng học bị dột, tường nứt, học sinh không an toàn."),
    ("Ô nhiễm khói bụi từ lò gạch {place}", "Khói đen bao phủ khu dân cư, nhiều người bị ho."),
    ("Thủ tục đất đai kéo dài ở {place}", "Hồ sơ cấp giấy chứng nhận quyền sử dụng đất quá hạn chưa trả."),
]
PLACES = ["An Bình", "Bình Minh", "Hòa Lạc", "Tân Phú", "Đông Hưng", "Phú Mỹ", "Quang Trung", "Lê Lợi",
          "Thạch Thất", "Yên Hòa", "Đồng Tâm", "Hưng Đạo", "Cẩm Phả", "Long Biên", "Đức Giang"]


def _step(n: int) -> str:
    digits = ""
    while True:
        n, r = divmod(n, 36)
        digits = ALPHABET[r] + digits
        if n == 0:
            break
    return digits.rjust(STEPLEN, "0")


def _iso(moment: datetime) -> str:
    return moment.isoformat()


# --- the database -------------------------------------------------------------


def recreate_database(db: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')
    env = {**os.environ, "DATABASE_URL": database_url(db)}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def _connect(db: str):
    conn = psycopg.connect(database_url(db))
    # Foreign-key checks are triggers: "replica" skips them during the load (ids are consistent by construction).
    conn.execute("SET session_replication_role = replica")
    conn.execute("SET synchronous_commit = off")
    return conn


def _drop_secondary_indexes(conn) -> list[str]:
    rows = conn.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
        (list(BULK_TABLES),),
    ).fetchall()
    for name, _definition in rows:
        conn.execute(f'DROP INDEX "{name}"')
    conn.commit()
    return [definition for _name, definition in rows]


def _copy(cur, sql: str, rows):
    """Write `rows` through one `COPY ... FROM STDIN`."""
    with cur.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


# --- reference data -----------------------------------------------------------


def load_reference(conn, *, rng: random.Random, now: datetime) -> dict:
    from django.contrib.auth.hashers import make_password

    perm = dict(conn.execute("SELECT codename, id FROM auth_permission WHERE codename LIKE 'role_%%'").fetchall())
    ct_unit = conn.execute("SELECT id FROM django_content_type WHERE app_label='cases' AND model='unit'").fetchone()[0]
    ct_case = conn.execute("SELECT id FROM django_content_type WHERE app_label='cases' AND model='case'").fetchone()[0]
    channels = conn.execute("SELECT id, code FROM cases_channel WHERE is_active ORDER BY id").fetchall()
    if not channels:
        with conn.cursor() as cur:
            for code, name in (("hotline", "Đường dây nóng"), ("zalo", "Zalo"), ("walk_in", "Trực tiếp tại trụ sở"),
                               ("post", "Thư bưu chính"), ("portal", "Cổng thông tin điện tử")):
                cur.execute("INSERT INTO cases_channel (code, name, is_active) VALUES (%s, %s, true)", (code, name))
        channels = conn.execute("SELECT id, code FROM cases_channel WHERE is_active ORDER BY id").fetchall()
    # Active policies by (clock, status, priority, kind of case): the transfer clock differs by kind.
    policies = {
        (row[1], row[2], row[3], row[4]): row[0]
        for row in conn.execute("SELECT id, clock, status, priority, case_kind FROM workflow_clockpolicy "
                                "WHERE is_active")
    }

    # Units: central → provinces → communes → grassroots.
    units = []  # (id, path, depth, numchild, code, name, tier, kind, is_remote)
    provinces, communes = [], []
    uid = 0

    def add(path, depth, numchild, code, name, tier, kind="committee", remote=False):
        nonlocal uid
        uid += 1
        units.append((uid, path, depth, numchild, code, name, tier, kind, remote, True))
        return uid

    central = add(_step(1), 1, PROVINCES, "TW", "Ban Dân vận Trung ương", "central")
    per_province = [COMMUNES // PROVINCES + (1 if p < COMMUNES % PROVINCES else 0) for p in range(PROVINCES)]
    commune_info = []  # (id, code, name, province_index, grassroots ids)
    for p in range(PROVINCES):
        ppath = _step(1) + _step(p + 1)
        pid = add(ppath, 2, per_province[p], f"T{p + 1:02d}", f"Tỉnh ủy tỉnh số {p + 1}", "province")
        provinces.append((pid, ppath, f"T{p + 1:02d}"))
        for c in range(per_province[p]):
            cpath = ppath + _step(c + 1)
            code = f"T{p + 1:02d}-X{c + 1:03d}"
            name = f"Đảng ủy xã {PLACES[(p + c) % len(PLACES)]} {c + 1}"
            cid = add(cpath, 3, GRASSROOTS_PER_COMMUNE, code, name, "commune", remote=(c % 17 == 0))
            grass = [
                add(cpath + _step(g + 1), 4, 0, f"{code}-TDP{g + 1}", f"Tổ dân phố {g + 1}, {name}", "grassroots",
                    kind="hamlet")
                for g in range(GRASSROOTS_PER_COMMUNE)
            ]
            communes.append((cid, cpath, code))
            commune_info.append((cid, code, name, p, grass))

    # Topics: 12 fields with 4 subfields each (60 rows).
    topics = []  # (id, path, depth, numchild, code, name, needs_public_response, is_active)
    tid = 0
    leaf_topics = []
    for r in range(12):
        tid += 1
        root_id = tid
        topics.append((root_id, _step(r + 1), 1, 4, f"LV{r + 1:02d}", f"Lĩnh vực {r + 1}", True, True))
        for c in range(4):
            tid += 1
            needs = (r + c) % 5 != 0
            topics.append((tid, _step(r + 1) + _step(c + 1), 2, 0, f"LV{r + 1:02d}-{c + 1}",
                           f"Lĩnh vực {r + 1}.{c + 1}", needs, True))
            leaf_topics.append((tid, f"LV{r + 1:02d}-{c + 1}", needs))

    # Users and grants.
    password = make_password(PASSWORD)
    users, grants = [], []
    user_id = 0

    def user(username, first, superuser=False):
        nonlocal user_id
        user_id += 1
        users.append((user_id, password, None, superuser, username, first, "", "", superuser, True, _iso(now)))
        return user_id

    def grant(u, unit, role):
        grants.append((unit, perm[f"role_{role}"], u))

    admin = user("bench_admin", "Quản trị", superuser=True)
    grant(admin, central, "administrator")
    for role in ("supervisor", "inspector"):
        grant(user(f"tw_{role}", role), central, role)
    province_users = {}
    for pid, _path, code in provinces:
        ids = {}
        for role in ("leader", "supervisor", "inspector", "secretariat", "intake_clerk"):
            ids[role] = user(f"{code.lower()}_{role}", role)
            grant(ids[role], pid, role)
        province_users[pid] = ids
    commune_users = {}
    for cid, _path, code in communes:
        ids = {}
        for role in ("intake_clerk", "leader", "handler", "secretariat"):
            ids[role] = user(f"{code.lower()}_{role}", role)
            grant(ids[role], cid, role)
        commune_users[cid] = ids

    with conn.cursor() as cur:
        _copy(cur, "COPY cases_unit (id, path, depth, numchild, code, name, tier, kind, is_remote, is_active) "
                   "FROM STDIN", units)
        _copy(cur, "COPY cases_topic (id, path, depth, numchild, code, name, needs_public_response, is_active) "
                   "FROM STDIN", topics)
        _copy(cur, "COPY auth_user (id, password, last_login, is_superuser, username, first_name, last_name, "
                   "email, is_staff, is_active, date_joined) FROM STDIN", users)
        _copy(cur, "COPY cases_unituserobjectpermission (content_object_id, permission_id, user_id) FROM STDIN",
              grants)
        for table in ("cases_unit", "cases_topic", "auth_user"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    conn.commit()

    return {
        "ct_unit": ct_unit, "ct_case": ct_case, "channels": channels, "policies": policies,
        "commune_info": commune_info, "commune_users": commune_users, "province_users": province_users,
        "topics": leaf_topics, "provinces": provinces, "units": len(units), "users": len(users),
        "grants": len(grants),
    }


# --- cases --------------------------------------------------------------------

HOUR = 3600.0
DAY = 86400.0
# (clock name, status it belongs to, nominal duration in seconds ≈ working days in calendar time)
STEP_DUE = {"received": ("verify", 1.4 * DAY), "verified": ("assign", 1.4 * DAY),
            "assigned": ("orient", 4.2 * DAY), "oriented": ("resolve", 14 * DAY)}
RESOLVE_WITHOUT_ORIENT = ("resolve", 14 * DAY)
LEGAL = ("reply_reporter", 14 * DAY)
# Complaints and denunciations are not settled here: transferred to the competent agency (10 and 5 working
# days), then the reporter is told where the matter went (5 working days), which closes the case.
TRANSFER_DUE = {"complaint": ("transfer", 14 * DAY), "denunciation": ("transfer", 7 * DAY)}
NOTIFY_DUE = ("notify_reporter", 7 * DAY)
TRANSFERRED_KINDS = ("complaint", "denunciation")
# The kinds of case and their shares (an assumption: reflections dominate what a Party committee receives;
# complaints and denunciations are a minority that goes elsewhere).
KINDS = (("reflection", 0.70), ("proposal", 0.14), ("opinion", 0.08), ("complaint", 0.06), ("denunciation", 0.02))
TRANSFER_TO = {
    "complaint": ("Ủy ban nhân dân cấp xã (người đứng đầu cơ quan có quyết định bị khiếu nại)",
                  "Luật Khiếu nại năm 2011: khiếu nại quyết định hành chính do người đứng đầu cơ quan ban hành "
                  "quyết định giải quyết lần đầu."),
    "denunciation": ("Thanh tra tỉnh",
                     "Luật Tố cáo năm 2018: tố cáo được chuyển đến cơ quan, người có thẩm quyền giải quyết."),
}
NOTIFIED_HOW = ("Gửi văn bản qua bưu điện", "Báo trực tiếp tại trụ sở tiếp dân", "Gọi điện thoại, có ghi sổ")
VN = dt_timezone(timedelta(hours=7))


def _kind(rng):
    x = rng.random()
    for kind, share in KINDS:
        if x < share:
            return kind
        x -= share
    return KINDS[0][0]


def _priority(rng):
    x = rng.random()
    return "normal" if x < 0.85 else ("urgent" if x < 0.97 else "flash")


def _flow(name):
    return f"workflow/flows.CaseFlow.{name}"


def generate_cases(args) -> dict:
    """One worker: cases [first, last) with everything hanging off them, through its own COPYs."""
    (db, first, last, total, ref, now_ts, seed, hundred) = args
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from cases.audit import event_hash
    from cases.text import fold

    rng = random.Random(seed)
    start_ts = now_ts - YEARS * 365.25 * DAY
    span = now_ts - start_ts
    commune_info = ref["commune_info"]
    commune_users = ref["commune_users"]
    topics = ref["topics"]
    channels = ref["channels"]
    policies = ref["policies"]

    def policy_for(name, status, case_kind=""):
        return (policies.get((name, status, "", case_kind)) or policies.get((name, status, "", ""))
                or policies.get((name, "assigned", "", "")) or policies.get((name, "", "", "")))

    folded_titles = [(fold(t), fold(d)) for t, d in TITLES]
    counts = {"cases": 0, "events": 0, "clocks_running": 0, "clocks_finished": 0, "processes": 0, "tasks": 0}
    by_status = {}
    year_max = {}

    conn = _connect(db)
    cur = conn.cursor()
    # One COPY at a time per connection: buffer the other tables' rows and write them after each batch.
    batch = 20000
    pending_events, pending_reports, pending_clocks, pending_proc, pending_tasks, pending_cases = [], [], [], [], [], []

    # Each table's COPY and its buffer, in the order the rows refer to each other.
    copies = [
        ("COPY cases_case (id, code, status, title, description, channel_id, topic_id, locality_id, "
         "owner_id, assigned_by_unit_id, assignee_id, priority, received_at, deadline, escalation_level, "
         "external_ref, public_response, outcome, closing_reason, merged_into_id, search_text, "
         "public_secret_hash, reopen_requested, report_count, version, event_count, head_hash, "
         "created_by_id, created_at, updated_at, kind, kept_closed_reason, transfer_agency, "
         "transfer_legal_basis, reporter_notified_at, reporter_notified_how, instruction_pending, "
         "address, media_url) FROM STDIN", pending_cases),
        ("COPY cases_caseevent (case_id, seq, action, from_status, to_status, actor_id, note, data, "
         "created_at, prev_hash, hash) FROM STDIN", pending_events),
        ("COPY cases_casereport (case_id, reporter_id, channel_id, received_at, is_representative, "
         "via_case_id) FROM STDIN", pending_reports),
        ("COPY workflow_caseclock (case_id, policy_id, clock, kind, unit, amount, is_remote, is_complex, "
         "started_at, start_event, due_at, stopped_at, stop_event, paused_at, paused_total, extended_by, "
         "reminder_level, escalation_level, escalation_base, last_fired_at, next_action, next_level, "
         "next_fire_at) FROM STDIN", pending_clocks),
        ("COPY viewflow_process (id, flow_class, status, created, artifact_content_type_id, "
         "artifact_object_id, data) FROM STDIN", pending_proc),
        ("COPY viewflow_task (flow_task, flow_task_type, status, created, started, finished, token, "
         "owner_permission, owner_id, process_id, owner_permission_content_type_id, "
         "owner_permission_obj_pk, data, assigned) FROM STDIN", pending_tasks),
    ]

    def flush():
        for sql, buffer in copies:
            _copy(cur, sql, buffer)
        conn.commit()
        for _sql, buffer in copies:
            buffer.clear()

    ct_unit = ref["ct_unit"]
    ct_case = ref["ct_case"]
    open_statuses = ("received", "verified", "assigned", "oriented", "transferred")
    for index in range(first, last):
        case_id = index + 1
        is_hundred = index < first + hundred  # the last worker's first cases (never the newest)
        # Spread over 5 years, growing a little each year; the newest cases are still open.
        frac = (index + rng.random()) / total
        received_ts = start_ts + span * (frac ** 0.9)
        if is_hundred:
            received_ts = now_ts - 20 * DAY - rng.random() * DAY
        received = datetime.fromtimestamp(received_ts, UTC)
        year = received.astimezone(dt_timezone(timedelta(hours=7))).year
        number = year_max.get(year, 0) + 1
        year_max[year] = number
        # Codes must be unique across workers: the worker's slot is in the number's high digits.
        code = f"DL-{year}-{seed % 100:02d}{number:06d}"
        cid, ccode, cname, p_index, grass = commune_info[rng.randrange(len(commune_info))]
        users = commune_users[cid]
        locality = grass[rng.randrange(len(grass))] if rng.random() < 0.7 else cid
        locality_code = ccode if locality == cid else f"{ccode}-TDP{grass.index(locality) + 1}"
        topic_id, topic_code, needs_response = topics[rng.randrange(len(topics))]
        channel_id, channel_code = channels[rng.randrange(len(channels))]
        priority = _priority(rng)
        t_index = rng.randrange(len(TITLES))
        place = PLACES[rng.randrange(len(PLACES))]
        title = TITLES[t_index][0].format(place=place)
        description = TITLES[t_index][1]
        search_text = f"{code.lower()} {folded_titles[t_index][0].format(place=fold(place))} {folded_titles[t_index][1]}"
        case_kind = "reflection" if is_hundred else _kind(rng)
        transferred = case_kind in TRANSFERRED_KINDS

        def step_due(at_status):
            """The step clock running while the case stands at `at_status` (name, nominal duration), or None."""
            if transferred:
                return {"received": TRANSFER_DUE[case_kind], "transferred": NOTIFY_DUE}.get(at_status)
            return STEP_DUE.get(at_status)

        # The lifecycle's natural timeline; the case is where that timeline stands now.
        x = rng.random()
        ending = "reported" if x < 0.88 else ("rejected" if x < 0.96 else "merged")
        if is_hundred:
            ending = "hundred"
        t = min(received_ts + rng.uniform(60, 900), now_ts - 1)  # the newest case is logged already
        steps = [("intake", t)]
        if ending in ("rejected", "merged"):
            steps.append((ending == "rejected" and "reject" or "merge", t + rng.uniform(HOUR, 30 * HOUR)))
        elif transferred:
            t += rng.uniform(HOUR, 6 * DAY)
            steps.append(("transfer", t))
            t += rng.uniform(HOUR, 6 * DAY)
            steps.append(("reporter_notified", t))
        else:
            t += rng.uniform(HOUR, 30 * HOUR)
            steps.append(("verify", t))
            t += rng.uniform(HOUR, 30 * HOUR)
            steps.append(("assign", t))
            if ending != "hundred":
                if needs_response or rng.random() < 0.5:
                    t += rng.uniform(0.3 * DAY, 6 * DAY)
                    steps.append(("orient", t))
                t += rng.uniform(1 * DAY, 20 * DAY)
                steps.append(("resolve", t))
                t += rng.uniform(3 * DAY, 45 * DAY)
                steps.append(("report", t))
        steps = [s for s in steps if s[1] <= now_ts]

        status = "received"
        owner, assigned_by, assignee = cid, None, None
        events = []
        prev = ""
        seq = 0
        last_ts = received_ts
        public_response = outcome = closing_reason = ""
        transfer_agency = transfer_basis = notified_how = ""
        notified_at = None
        merged_into = None
        status_since = received_ts
        finished_clock_sample = rng.random() < 0.15  # ~0.5 finished clocks per case: 5M at 10M
        clocks = []  # finished ones, for the sampled closed cases

        def event(action, at_ts, actor, frm, to, note="", data=None):
            nonlocal prev, seq, last_ts
            seq += 1
            last_ts = at_ts
            at = datetime.fromtimestamp(at_ts, UTC)
            data = data or {}
            digest = event_hash(case_code=code, seq=seq, action=action, from_status=frm, to_status=to,
                                actor_id=actor, note=note, data=data, created_at=at, prev_hash=prev)
            data_json = json.dumps(data, ensure_ascii=False) if data else "{}"
            events.append((case_id, seq, action, frm, to, actor, note, data_json, _iso(at), prev, digest))
            prev = digest

        def step_clock_history(frm_status, begin, end, stop_event):
            if not finished_clock_sample or step_due(frm_status) is None:
                return
            name, due = step_due(frm_status)
            policy = policy_for(name, frm_status, case_kind)
            clocks.append((case_id, policy, name, "step", "working_days", 1, False, False,
                           _iso(datetime.fromtimestamp(begin, UTC)), "intake",
                           _iso(datetime.fromtimestamp(begin + due, UTC)), _iso(datetime.fromtimestamp(end, UTC)),
                           stop_event, None, "0", "0", 1 if end - begin > due / 2 else 0, 0, 0, None, "", 0, None))

        for action, at_ts in steps:
            # A reminder fell due during a long step.
            if step_due(status) is not None:
                _name, due = step_due(status)
                if at_ts - status_since > due / 2 and status_since + due / 2 < now_ts:
                    remind = {"clock": _name, "level": 1, "to_units": [ccode],
                              "to_roles": ["intake_clerk", "leader"] if transferred else ["handler", "leader"]}
                    event("remind", status_since + due / 2, None, status, status, note=f"Nhắc hạn: {_name}.",
                          data=remind)
            if action == "intake":
                event("intake", at_ts, users["intake_clerk"], "", "received", data={
                    "channel": channel_code, "topic": topic_code, "locality": locality_code, "owner": ccode,
                    "owner_name": cname, "priority": priority, "kind": case_kind, "anonymous": True})
                status = "received"
            elif action == "verify":
                event("verify", at_ts, users["intake_clerk"], "received", "verified")
                step_clock_history("received", status_since, at_ts, "verify")
                status = "verified"
            elif action == "assign":
                event("assign", at_ts, users["leader"], "verified", "assigned", data={
                    "from_unit": ccode, "from_unit_name": cname, "to_unit": ccode, "to_unit_name": cname,
                    "assignee": f"{ccode.lower()}_handler"})
                step_clock_history("verified", status_since, at_ts, "assign")
                assigned_by, assignee = cid, users["handler"]
                status = "assigned"
            elif action == "orient":
                public_response = "Đã trả lời công khai tại hội nghị tiếp xúc cử tri."
                event("orient", at_ts, users["handler"], "assigned", "oriented", note=public_response)
                step_clock_history("assigned", status_since, at_ts, "orient")
                status = "oriented"
            elif action == "resolve":
                outcome = "Đã khắc phục xong, người dân đồng tình."
                frm = status
                event("resolve", at_ts, users["handler"], frm, "resolved", note=outcome,
                      data={} if public_response else {"orient_skipped": True})
                step_clock_history(frm, status_since, at_ts, "resolve")
                status = "resolved"
            elif action == "report":
                ref_no = f"BC-{datetime.fromtimestamp(at_ts, UTC):%Y-%m}"
                event("report", at_ts, users["secretariat"], "resolved", "reported", data={"report": ref_no})
                status = "reported"
            elif action == "transfer":
                transfer_agency, transfer_basis = TRANSFER_TO[case_kind]
                event("transfer", at_ts, users["intake_clerk"], "received", "transferred",
                      data={"agency": transfer_agency, "legal_basis": transfer_basis})
                step_clock_history("received", status_since, at_ts, "transfer")
                status = "transferred"
            elif action == "reporter_notified":
                notified_how = NOTIFIED_HOW[rng.randrange(len(NOTIFIED_HOW))]
                notified = datetime.fromtimestamp(at_ts, UTC)
                notified_at = _iso(notified)
                event("reporter_notified", at_ts, users["intake_clerk"], "transferred", "transfer_closed",
                      data={"how": notified_how, "notified_at": notified.astimezone(VN).isoformat(timespec="minutes")})
                step_clock_history("transferred", status_since, at_ts, "reporter_notified")
                status = "transfer_closed"
            elif action == "reject":
                closing_reason = "Không thuộc thẩm quyền, đã hướng dẫn người dân."
                event("reject", at_ts, users["intake_clerk"], "received", "rejected", note=closing_reason)
                status = "rejected"
            elif action == "merge":
                if case_id - 1 > first:
                    merged_into = case_id - 1
                    event("merge", at_ts, users["intake_clerk"], "received", "merged",
                          data={"into": f"merged#{merged_into}"})
                    status = "merged"
                else:
                    closing_reason = "Trùng lặp."
                    event("reject", at_ts, users["intake_clerk"], "received", "rejected", note=closing_reason)
                    status = "rejected"
            status_since = at_ts
        if ending == "hundred":
            # The case page benchmark's long history: reminders on a long-running assignment.
            for n in range(100 - seq):
                event("remind", status_since + (n + 1) * 600, None, status, status, note="Nhắc hạn: orient.",
                      data={"clock": "orient", "level": 1 + n % 2, "to_units": [ccode],
                            "to_roles": ["handler", "leader"]})

        # Running clocks of an open case; the step clock gives the deadline.
        deadline = None
        escalation_level = 0
        if status in open_statuses:
            running = []
            name, due = step_due(status)
            if status == "assigned" and not needs_response:
                name, due = RESOLVE_WITHOUT_ORIENT
            running.append((name, "step", status_since, due, status))
            if status in ("received", "verified", "assigned", "transferred"):
                running.append((LEGAL[0], "legal", received_ts, LEGAL[1], ""))
            for name, kind, begin, due, pstatus in running:
                due_ts = begin + due
                half = begin + due / 2
                reminder_level = esc = 0
                if half > now_ts:
                    nxt, level, fire = "remind", 1, half
                elif due_ts > now_ts:
                    nxt, level, fire, reminder_level = "escalate", 1, due_ts, 1
                else:
                    # Overdue: escalated already; the next level waits a week.
                    nxt, level, fire, reminder_level, esc = "escalate", 2, max(now_ts, due_ts) + 7 * DAY, 1, 1
                    if kind == "step":
                        # The sweep's event that raised the level: the case row agrees with its history.
                        escalation_level = 1
                        event("escalate", max(due_ts, last_ts), None, status, status, note=f"Quá hạn: {name}.",
                              data={"clock": name, "level": 1, "to_units": [], "to_roles": ["leader", "supervisor"]})
                if kind == "step":
                    deadline = _iso(datetime.fromtimestamp(due_ts, UTC))
                policy = policy_for(name, pstatus, case_kind)
                pending_clocks.append((
                    case_id, policy, name, kind, "working_days", 1, False, False,
                    _iso(datetime.fromtimestamp(begin, UTC)), "intake", _iso(datetime.fromtimestamp(due_ts, UTC)),
                    None, "", None, "0", "0", reminder_level, esc, 0, None, nxt, level,
                    _iso(datetime.fromtimestamp(fire, UTC))))
                counts["clocks_running"] += 1
        pending_clocks.extend(clocks)
        counts["clocks_finished"] += len(clocks)

        # The flow: a process with its open task for cases still in it (the done tasks are not generated).
        # A resolved case waits in the owner's report step (the secretariat's queue); complaints and
        # denunciations start at the transfer step, then wait for the reporter to be told.
        if transferred:
            open_step = {"received": ("transfer_step", "intake_clerk"),
                         "transferred": ("notify_step", "intake_clerk")}.get(status)
        else:
            open_step = {"received": ("verify_step", "intake_clerk"), "verified": ("assign_step", "leader"),
                         "assigned": ("orient_step" if needs_response else "resolve_step", "handler"),
                         "oriented": ("resolve_step", "handler"),
                         "resolved": ("report_step", "secretariat")}.get(status)
        if open_step:
            created = _iso(received)
            pending_proc.append((case_id, "workflow/flows.CaseFlow", "NEW", created, ct_case, case_id, "{}"))
            pending_tasks.append((_flow("start_transfer" if transferred else "start"), "START", "DONE", created,
                                  created, created, "start", None, None, case_id, None, None, "{}", None))
            node, role = open_step
            owner_id = assignee if node in ("orient_step", "resolve_step") else None
            pending_tasks.append((_flow(node), "HUMAN", "ASSIGNED" if owner_id else "NEW",
                                  _iso(datetime.fromtimestamp(status_since, UTC)), None, None, "start",
                                  f"cases.role_{role}", owner_id, case_id, ct_unit, str(owner), "{}",
                                  _iso(datetime.fromtimestamp(status_since, UTC)) if owner_id else None))
            counts["processes"] += 1
            counts["tasks"] += 2

        received_iso = _iso(received)
        pending_cases.append((
            case_id, code, status, title, description, channel_id, topic_id, locality, owner, assigned_by, assignee,
            priority, received_iso, deadline, escalation_level, "", public_response, outcome, closing_reason,
            merged_into, search_text, "", False, 1, max(seq - 1, 0), seq, prev, users["intake_clerk"], received_iso,
            events[-1][8], case_kind, "", transfer_agency, transfer_basis, notified_at, notified_how, False, "", ""))
        pending_events.extend(events)
        pending_reports.append((case_id, None, channel_id, received_iso, True, None))
        counts["cases"] += 1
        counts["events"] += len(events)
        by_status[status] = by_status.get(status, 0) + 1
        if len(pending_cases) >= batch:
            flush()
    flush()
    conn.close()
    counts["by_status"] = by_status
    counts["year_max"] = year_max
    return counts


def generate(*, db: str, scale: int, jobs: int = 2, seed: int = 20261122, hundred: int = 20, log=print) -> dict:
    started = time.monotonic()
    recreate_database(db)
    log(f"created and migrated {db} in {time.monotonic() - started:.1f} s")
    from . import setup_django

    setup_django(db)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    conn = _connect(db)
    # Rows seed_demo-like migrations may have added would collide with explicit ids.
    conn.execute("DELETE FROM cases_unit WHERE true")
    conn.commit()
    ref = load_reference(conn, rng=rng, now=now)
    log(f"reference data: {ref['units']} units, {ref['users']} users, {ref['grants']} grants, "
        f"{len(ref['topics']) + 12} topics")
    indexes = _drop_secondary_indexes(conn)
    t_cases = time.monotonic()
    jobs = max(1, min(jobs, scale // 1000 or 1))
    bounds = [scale * k // jobs for k in range(jobs + 1)]
    worker_ref = {k: ref[k] for k in ("ct_unit", "ct_case", "channels", "policies", "commune_info", "commune_users",
                                      "province_users", "topics", "provinces")}
    tasks = [(db, bounds[k], bounds[k + 1], scale, worker_ref, now.timestamp(), seed + k + 1,
              hundred if k == jobs - 1 else 0) for k in range(jobs)]
    if jobs == 1:
        results = [generate_cases(tasks[0])]
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.map(generate_cases, tasks)
    totals = {"cases": 0, "events": 0, "clocks_running": 0, "clocks_finished": 0, "processes": 0, "tasks": 0}
    by_status, year_max = {}, {}
    for result in results:
        for key in totals:
            totals[key] += result[key]
        for key, value in result["by_status"].items():
            by_status[key] = by_status.get(key, 0) + value
        for key, value in result["year_max"].items():
            year_max[key] = max(year_max.get(key, 0), value)
    log(f"cases written in {time.monotonic() - t_cases:.1f} s: {totals}")
    t_index = time.monotonic()
    conn.execute("SET maintenance_work_mem = '512MB'")
    for definition in indexes:
        conn.execute(definition)
    conn.commit()
    # Counters continue above every generated number (the worker slot is in the high digits).
    with conn.cursor() as cur:
        for year in year_max:
            cur.execute("INSERT INTO cases_casecodecounter (year, last_number) VALUES (%s, %s) "
                        "ON CONFLICT (year) DO UPDATE SET last_number = EXCLUDED.last_number",
                        (year, (jobs + seed % 100 + 1) * 1_000_000))
        for table in ("cases_case", "cases_caseevent", "cases_casereport", "workflow_caseclock",
                      "viewflow_process", "viewflow_task"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))")
    conn.commit()
    log(f"indexes rebuilt in {time.monotonic() - t_index:.1f} s")
    t_vacuum = time.monotonic()
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE")
    conn.close()
    log(f"vacuum analyze in {time.monotonic() - t_vacuum:.1f} s")
    totals["by_status"] = dict(sorted(by_status.items()))
    totals.update(units=ref["units"], users=ref["users"], grants=ref["grants"], topics=len(ref["topics"]) + 12,
                  seconds=round(time.monotonic() - started, 1))
    log(f"generated in {totals['seconds']} s")
    _remember(db, totals)
    return totals


def _remember(db: str, totals: dict) -> None:
    """Keep what was generated in the bench database, so a later `bench.run --reuse` can report it."""
    with _connect(db) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_generation (generated_at timestamptz DEFAULT now(), info jsonb)")
        conn.execute("DELETE FROM bench_generation")
        conn.execute("INSERT INTO bench_generation (info) VALUES (%s)", (json.dumps(totals),))


def remembered(db: str) -> dict | None:
    """What the last generation into `db` wrote, or None."""
    with _connect(db) as conn:
        if conn.execute("SELECT to_regclass('bench_generation')").fetchone()[0] is None:
            return None
        row = conn.execute("SELECT info FROM bench_generation").fetchone()
    return row[0] if row else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20_000, help="number of cases")
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args(argv)
    if "bench" not in args.db:
        parser.error("the database is dropped and recreated: its name must contain 'bench'")
    generate(db=args.db, scale=args.scale, jobs=args.jobs, seed=args.seed)


if __name__ == "__main__":
    main()
