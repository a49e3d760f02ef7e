"""The raw-SQL twin of GET and POST /api/v1/cases/: a bare WSGI app (gunicorn bench.raw_app:app).

GET, the same work per request: the token's user (the token looked up by its
SHA-512 digest, unexpired, as django-rest-knox stores it), that user's grants, the 25
newest cases in scope with their owner, locality, topic and channel, a count
for the pagination, JSON out. POST, an intake: the token's user and grants,
the channel, topic and locality by code, then the rows `RawWriter.intake`
writes (the Django intake's rows), the code out. No Django.
"""

import hashlib
import json
import os
from datetime import datetime

import psycopg

_conn = None
OPEN = ["received", "verified", "assigned", "oriented"]


def _db():
    global _conn
    if _conn is None or _conn.closed:
        # Statements unprepared, as Django sends them (a prepared generic plan would walk the date index).
        _conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, prepare_threshold=None)
    return _conn


_writer = None


def _intake_writer():
    """A RawWriter on its own connection, as the intake benchmark uses it (prepared statements)."""
    global _writer
    if _writer is None or _writer.conn.closed:
        import django

        django.setup()  # once per worker, only so raw_sql can import the event hash function; no ORM is used
        from .raw_sql import RawWriter

        with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
            ct = dict(conn.execute("SELECT model, id FROM django_content_type WHERE app_label = 'cases' "
                                   "AND model IN ('case', 'unit')").fetchall())
            policies = dict(conn.execute("SELECT clock, id FROM workflow_clockpolicy WHERE priority = '' "
                                         "AND case_kind = ''").fetchall())
        _writer = RawWriter(os.environ["DATABASE_URL"], ct_case=ct["case"], ct_unit=ct["unit"], policy_ids=policies,
                            notes_per_event=1.0)
    return _writer


def _intake(environ, start_response, cur, user_id, grants):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    clerk_units = [unit for unit, _path, codename in grants if codename == "role_intake_clerk"]
    cur.execute("SELECT (SELECT id FROM cases_channel WHERE code = %s AND is_active), "
                "(SELECT id FROM cases_topic WHERE code = %s AND is_active), "
                "(SELECT id FROM cases_unit WHERE code = %s AND is_active)",
                (body.get("channel"), body.get("topic"), body.get("locality")))
    channel_id, topic_id, locality_id = cur.fetchone()
    if not clerk_units or None in (channel_id, topic_id, locality_id) or not body.get("title"):
        start_response("400 Bad Request", [("Content-Type", "application/json")])
        return [b'{"detail":"invalid"}']
    unit_id = clerk_units[0]
    cur.execute("SELECT code FROM cases_unit WHERE id = %s", (unit_id,))
    unit_code = cur.fetchone()[0]
    case_id = _intake_writer().intake(user_id=user_id, unit_id=unit_id, unit_code=unit_code, topic_id=topic_id,
                                      channel_id=channel_id, locality_id=locality_id, title=body["title"],
                                      year=datetime.now().year)
    out = json.dumps({"id": case_id}).encode()
    start_response("201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(out)))])
    return [out]


def app(environ, start_response):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    key = auth[6:] if auth.startswith("Token ") else ""
    cur = _db().cursor()
    cur.execute("SELECT u.id FROM knox_authtoken t JOIN auth_user u ON u.id = t.user_id "
                "WHERE t.digest = %s AND (t.expiry IS NULL OR t.expiry > now()) AND u.is_active",
                (hashlib.sha512(key.encode()).hexdigest(),))
    row = cur.fetchone()
    if row is None:
        start_response("401 Unauthorized", [("Content-Type", "application/json")])
        return [b'{"detail":"unauthorized"}']
    cur.execute("SELECT g.content_object_id, u.path, p.codename FROM cases_unituserobjectpermission g "
                "JOIN auth_permission p ON p.id = g.permission_id JOIN cases_unit u ON u.id = g.content_object_id "
                "WHERE g.user_id = %s AND u.is_active AND p.codename LIKE 'role_%%'", (row[0],))
    grants = cur.fetchall()
    if environ.get("REQUEST_METHOD") == "POST":
        return _intake(environ, start_response, cur, row[0], grants)
    direct = [unit for unit, _path, codename in grants if codename not in ("role_supervisor", "role_inspector",
                                                                           "role_administrator")]
    paths = [path + "%" for _unit, path, codename in grants if codename in ("role_supervisor", "role_inspector")]
    led = [unit for unit, _path, codename in grants if codename == "role_leader"]
    cur.execute("SELECT case_id FROM workflow_escalation WHERE to_unit_id = ANY(%s)", (led,))
    escalated = [r[0] for r in cur.fetchall()]
    # The scope as a raw-SQL author writes it: only the branches this person has, escalated ids as a list.
    branches = ["c.owner_id = ANY(%(units)s) OR c.assigned_by_unit_id = ANY(%(units)s)"] if direct else []
    if paths:
        branches.append("o.path LIKE ANY(%(paths)s) OR a.path LIKE ANY(%(paths)s)")
    if escalated:
        branches.append("c.id = ANY(%(escalated)s)")
    scope = "(" + (" OR ".join(branches) or "false") + ")"
    params = {"units": direct, "paths": paths, "escalated": escalated}
    cur.execute(f"SELECT count(*) FROM cases_case c JOIN cases_unit o ON o.id = c.owner_id "
                f"LEFT JOIN cases_unit a ON a.id = c.assigned_by_unit_id WHERE {scope}", params)
    count = cur.fetchone()[0]
    cur.execute(
        f"SELECT c.code, c.status, c.title, c.priority, c.received_at, c.deadline, c.version, o.code, o.name, "
        f"l.code, l.name, t.code, t.name, ch.code, c.report_count FROM cases_case c "
        f"JOIN cases_unit o ON o.id = c.owner_id LEFT JOIN cases_unit a ON a.id = c.assigned_by_unit_id "
        f"JOIN cases_unit l ON l.id = c.locality_id JOIN cases_topic t ON t.id = c.topic_id "
        f"JOIN cases_channel ch ON ch.id = c.channel_id WHERE {scope} "
        f"ORDER BY c.received_at DESC, c.id DESC LIMIT 25", params)
    results = [
        {"code": r[0], "status": r[1], "title": r[2], "priority": r[3], "received_at": r[4].isoformat(),
         "deadline": r[5].isoformat() if r[5] else None, "version": r[6], "owner": {"code": r[7], "name": r[8]},
         "locality": {"code": r[9], "name": r[10]}, "topic": {"code": r[11], "name": r[12]}, "channel": r[13],
         "report_count": r[14]}
        for r in cur.fetchall()
    ]
    body = json.dumps({"count": count, "next": None, "previous": None, "results": results},
                      ensure_ascii=False).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
