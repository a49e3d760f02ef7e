"""On PostgreSQL, refuse UPDATE, DELETE and TRUNCATE on the opinion notes' history, as for case events.

The chain (collaborators.audit) detects tampering; these triggers prevent the ordinary kind; the application's
role has SELECT and INSERT only (cases.db_roles.APPEND_ONLY_TABLES). A redaction is a new event, never an edit.
SQLite, the embedded default, has only the chain.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION collaborators_noteevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'opinion note events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER collaborators_noteevent_append_only
    BEFORE UPDATE OR DELETE ON collaborators_noteevent
    FOR EACH ROW EXECUTE FUNCTION collaborators_noteevent_append_only();

CREATE TRIGGER collaborators_noteevent_no_truncate
    BEFORE TRUNCATE ON collaborators_noteevent
    FOR EACH STATEMENT EXECUTE FUNCTION collaborators_noteevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS collaborators_noteevent_no_truncate ON collaborators_noteevent;
DROP TRIGGER IF EXISTS collaborators_noteevent_append_only ON collaborators_noteevent;
DROP FUNCTION IF EXISTS collaborators_noteevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("collaborators", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
