"""The application's database role cannot rewrite history (issue 15, item 3; cases.db_roles).

Run with two roles (DATABASE_URL the application's role, DATABASE_OWNER_URL the owner, as CI does), the
tests' own connection is the application's: what it is refused here, the product is refused.
"""

import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from cases.audit import audit_verify
from cases.models import CaseEvent

EVENT_TAMPERING = {
    "UPDATE": "UPDATE cases_caseevent SET note = 'sửa lén'",
    "DELETE": "DELETE FROM cases_caseevent",
    "TRUNCATE": "TRUNCATE cases_caseevent CASCADE",
    "disable the trigger": "ALTER TABLE cases_caseevent DISABLE TRIGGER caseevent_append_only",
    "disable every trigger": "ALTER TABLE cases_caseevent DISABLE TRIGGER ALL",
    "drop the trigger": "DROP TRIGGER caseevent_append_only ON cases_caseevent",
    "drop the truncate trigger": "DROP TRIGGER caseevent_no_truncate ON cases_caseevent",
    "replace the trigger's function": "CREATE OR REPLACE FUNCTION cases_caseevent_append_only() RETURNS trigger"
                                      " AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql",
    "turn triggers off for the session": "SET session_replication_role = replica",
    "take the table": "ALTER TABLE cases_caseevent OWNER TO CURRENT_USER",
}


def history():
    return list(CaseEvent.objects.order_by("pk").values_list("pk", "seq", "note", "hash"))


def two_roles():
    if not settings.DATABASE_ROLES:
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs as the application's role: set DATABASE_OWNER_URL too (.ci/run does)")
        pytest.skip("one database role: set DATABASE_OWNER_URL (CI does) to run as the application's role")


def as_the_application(cursor):
    """The test cannot pass vacuously: this connection is the application's role, which owns nothing."""
    two_roles()
    cursor.execute(
        "SELECT current_user, r.rolsuper, (SELECT count(*) FROM pg_class WHERE relowner = r.oid)"
        " FROM pg_roles r WHERE r.rolname = current_user"
    )
    assert cursor.fetchone() == (settings.DATABASE_ROLES["app"]["USER"], False, 0)
    assert settings.DATABASE_ROLES["app"]["USER"] != settings.DATABASE_ROLES["owner"]["USER"]


@pytest.mark.postgres
def test_the_application_cannot_alter_delete_or_truncate_events_nor_lift_their_guard(world, new_case):
    new_case()
    new_case("Đèn đường hỏng")
    before = history()
    assert len(before) == 2
    with connection.cursor() as cursor:
        as_the_application(cursor)
        for attempt, statement in EVENT_TAMPERING.items():
            with pytest.raises(DatabaseError) as refused, transaction.atomic():
                cursor.execute(statement)
            # Refused for want of the right, before any trigger had to (SQLSTATE 42501, not the trigger's text).
            assert refused.value.__cause__.sqlstate == "42501", attempt
            assert "append-only" not in str(refused.value), attempt
    # Through the ORM too.
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.update(note="sửa lén")
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.all().delete()
    assert history() == before
    assert audit_verify().ok


@pytest.mark.postgres
def test_the_application_still_logs_and_moves_cases(world, new_case):
    """Its ordinary rights are intact: a new year's first case number (a sequence created on the spot, by the
    owner's function) and a move that appends an event."""
    from cases.services import case_verify

    with connection.cursor() as cursor:
        as_the_application(cursor)
        cursor.execute("SELECT cases_next_case_number(2093), cases_next_case_number(2093)")
        first, second = cursor.fetchone()
    assert second == first + 1
    case = new_case()
    case_verify(case=case, by=world.clerk)
    assert [e.action for e in CaseEvent.objects.filter(case=case).order_by("seq")] == ["intake", "verify"]


@pytest.mark.postgres
def test_even_the_owner_cannot_truncate_events_by_accident(world, new_case, database_owner):
    new_case()
    before = history()
    with database_owner(), connection.cursor() as cursor:
        for statement in ("TRUNCATE cases_caseevent CASCADE", "TRUNCATE cases_case CASCADE"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(statement)
    assert history() == before


@pytest.mark.postgres
def test_the_grants_can_be_applied_again_and_give_the_same_rights(transactional_db):
    two_roles()
    app = settings.DATABASE_ROLES["app"]["USER"]

    def rights():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, p.privilege FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,"
                " unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES']) p(privilege)"
                " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
                " AND has_table_privilege(%s, c.oid, p.privilege)",
                [app],
            )
            return sorted(cursor.fetchall())

    before = rights()
    call_command("db_roles_grant", verbosity=0)
    assert rights() == before
    granted = {(table, right) for table, right in before}
    assert {right for table, right in granted if table == "cases_caseevent"} == {"SELECT", "INSERT"}
    assert {right for table, right in granted if table == "cases_case"} == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert not {right for _table, right in granted} & {"TRUNCATE", "TRIGGER", "REFERENCES"}


def test_with_one_role_there_is_nothing_to_grant(settings, capsys):
    settings.DATABASE_ROLES = None
    call_command("db_roles_grant")
    assert "nothing to grant" in capsys.readouterr().out
