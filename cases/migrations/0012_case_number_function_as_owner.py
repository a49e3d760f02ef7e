"""On PostgreSQL, the case-number function runs with its owner's rights.

The year's first intake creates that year's sequence (0008). The application's role may create
nothing in the schema (cases.db_roles), so the function runs as the role that owns it (the owner,
who ran this migration), with a fixed search path so no object of the caller's can stand in for
one of ours; only the application's role may call it (the grants give it EXECUTE).
"""

from django.db import migrations

AS_OWNER = """
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION cases_next_case_number(integer) SECURITY DEFINER SET search_path = %I, pg_temp',
                   current_schema());
END
$$;
REVOKE ALL ON FUNCTION cases_next_case_number(integer) FROM PUBLIC;
"""

AS_CALLER = """
ALTER FUNCTION cases_next_case_number(integer) SECURITY INVOKER RESET search_path;
GRANT EXECUTE ON FUNCTION cases_next_case_number(integer) TO PUBLIC;
"""


def run_as_owner(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AS_OWNER, params=None)


def run_as_caller(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AS_CALLER, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_caseevent_no_truncate")]

    operations = [migrations.RunPython(run_as_owner, run_as_caller)]
