"""On PostgreSQL, refuse TRUNCATE of the case event table too, even to its owner.

0002's row triggers do not fire on TRUNCATE. The application's role has no TRUNCATE right at all
(cases.db_roles); this statement-level trigger also refuses the owner's accidental one (a TRUNCATE
of another table with CASCADE included). Emptying the table on purpose means lifting it first
(docs/deployment.md). SQLite, the embedded default, has no TRUNCATE.
"""

from django.db import migrations

CREATE = """
CREATE TRIGGER caseevent_no_truncate
    BEFORE TRUNCATE ON cases_caseevent
    FOR EACH STATEMENT EXECUTE FUNCTION cases_caseevent_append_only();
"""

DROP = "DROP TRIGGER IF EXISTS caseevent_no_truncate ON cases_caseevent"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_case_event_actions")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
