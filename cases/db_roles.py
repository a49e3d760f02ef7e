"""Two database roles on PostgreSQL: the owner and the application's role, which cannot rewrite history.

The owner role owns the schema and runs the migrations. The application logs in as a role that owns nothing
(so it can neither disable nor drop a trigger) and has, on every table, SELECT, INSERT, UPDATE and DELETE,
except on APPEND_ONLY_TABLES: SELECT and INSERT only. TRUNCATE is granted nowhere. `manage.py migrate` runs as
the owner and applies these grants after it; `manage.py db_roles_grant` applies them alone.

Configured by DATABASE_URL (the application) and DATABASE_OWNER_URL (the owner; settings.DATABASE_ROLES). With
one role (DATABASE_OWNER_URL unset, or SQLite) everything here changes nothing: the triggers alone guard the
history. docs/deployment.md says how to set the roles up.
"""

from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

# Tables whose rows are never changed or removed once written: the one list the grants, the tests' clean-up
# and docs/deployment.md go by. Each also has triggers that refuse UPDATE, DELETE and TRUNCATE, even to the
# owner (for case events: cases/migrations/0002_caseevent_append_only.py and 0011_caseevent_no_truncate.py).
APPEND_ONLY_TABLES = (
    "cases_caseevent",
    # The Merkle tree over the events and its signed checkpoints (ledger/migrations/0001_initial.py).
    "ledger_ledgerleaf", "ledger_ledgernode", "ledger_checkpoint",
    # What oversight leaves behind (reports.oversight): the grants alone guard these, no trigger.
    "reports_inspectionaccesslog", "reports_adminchange",
    # The opinion notes' hash-chained history (collaborators/migrations/0002_noteevent_append_only.py).
    "collaborators_noteevent",
)


class DatabaseRolesError(Exception):
    """The application's role could still rewrite history, or is missing: the grants were not applied."""


def database_roles_enabled(using: str = DEFAULT_DB_ALIAS) -> bool:
    return bool(settings.DATABASE_ROLES) and using == DEFAULT_DB_ALIAS


def database_login(role: str, using: str = DEFAULT_DB_ALIAS) -> dict:
    """USER and PASSWORD of "owner" or "app"; with one role, nothing (the configured login is both)."""
    if not database_roles_enabled(using):
        return {}
    return dict(settings.DATABASE_ROLES[role])


def database_login_switch(role: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Close the connection and log in as `role` from now on (and every thread's new connection with it)."""
    login = database_login(role, using)
    if login:
        connection = connections[using]
        connection.close()
        connection.settings_dict.update(login)


@contextmanager
def as_database_owner(using: str = DEFAULT_DB_ALIAS):
    """The block's SQL on `using`, ORM or raw, runs as the owner role; afterwards the login is what it was.

    The connection is closed and opened again under the owner's name, so no transaction may be open on it.
    With one role the block runs as it would anyway.
    """
    if not database_roles_enabled(using):
        yield
        return
    connection = connections[using]
    if connection.in_atomic_block:
        raise RuntimeError("as_database_owner() needs committed data: no transaction may be open on the connection")
    before = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}
    database_login_switch("owner", using)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(before)


def database_roles_grant(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """(Re)apply the application role's rights, as the owner, in one transaction; the same result every time.

    Returns the append-only tables found. Refuses (DatabaseRolesError, nothing changed) when the application's
    role is missing, a superuser, a member of the owner role, or owns the schema, the database or a table.
    """
    if not database_roles_enabled(using):
        return []
    app = settings.DATABASE_ROLES["app"]["USER"]
    connection = connections[using]
    with as_database_owner(using), transaction.atomic(using=using), connection.cursor() as cursor:
        problems = _app_role_problems(cursor, app)
        if problems:
            raise DatabaseRolesError(f"The application's role {app!r} " + "; ".join(problems) + ".")
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        append_only = []
        for table in APPEND_ONLY_TABLES:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [_quoted(table)])
            if cursor.fetchone()[0]:  # not yet there while migrating to an older state
                append_only.append(table)
        for statement in _grants(schema=schema, app=app, append_only=append_only):
            cursor.execute(statement)
    return append_only


def _app_role_problems(cursor, app: str) -> list[str]:
    cursor.execute(
        "SELECT r.rolsuper, pg_has_role(r.oid, current_user, 'MEMBER'),"
        " pg_has_role(r.oid, n.nspowner, 'MEMBER'),"
        " pg_has_role(r.oid, (SELECT datdba FROM pg_database WHERE datname = current_database()), 'MEMBER'),"
        " (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid AND c.relnamespace = n.oid)"
        " FROM pg_roles r, pg_namespace n WHERE r.rolname = %s AND n.nspname = current_schema()",
        [app],
    )
    row = cursor.fetchone()
    if row is None:
        return [f"does not exist (CREATE ROLE {_quoted(app)} LOGIN PASSWORD '…', as a superuser)"]
    superuser, owner_member, schema_owner, database_owner, owned = row
    return [
        problem for problem, present in (
            ("is a superuser", superuser),
            ("is a member of the owner role", owner_member),
            ("owns the schema (it could drop it whole)", schema_owner),
            ("owns the database (and with it the schema public)", database_owner),
            (f"owns {owned} tables or sequences (REASSIGN OWNED BY {_quoted(app)} TO the owner)", owned),
        ) if present
    ]


def _grants(*, schema: str, app: str, append_only: list[str]) -> list[str]:
    schema, app = _quoted(schema), _quoted(app)
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {app}",
        f"REVOKE CREATE ON SCHEMA {schema} FROM {app}",
        # From nothing, so a right given by hand or by an older version does not linger.
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {app}",
        # Tables a later migration creates are usable at once; `migrate` then takes UPDATE and DELETE back on
        # the append-only ones when it applies these grants after itself.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]
    if append_only:
        statements.append(f"REVOKE UPDATE, DELETE ON {', '.join(map(_quoted, append_only))} FROM {app}")
    return statements


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
