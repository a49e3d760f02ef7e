"""Case numbers from a per-year PostgreSQL sequence, through one function (PostgreSQL only).

`nextval` never waits, so concurrent intakes do not queue behind each other
as they did on the counter row. The function creates the year's sequence the
first time it is asked for a number of that year, starting above whatever the
counter row had already issued; two first intakes at once both get a number.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION cases_next_case_number(for_year integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    sequence_name text := 'cases_case_code_' || for_year;
    first_number bigint;
BEGIN
    BEGIN
        RETURN nextval(sequence_name::regclass);
    EXCEPTION WHEN undefined_table THEN
        NULL;  -- the year's first intake: create its sequence below
    END;
    SELECT coalesce(max(last_number), 0) + 1 INTO first_number
        FROM cases_casecodecounter WHERE year = for_year;
    BEGIN
        EXECUTE format('CREATE SEQUENCE %I START WITH %s', sequence_name, first_number);
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
        NULL;  -- another intake created it at the same moment
    END;
    RETURN nextval(sequence_name::regclass);
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS cases_next_case_number(integer)"


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no placeholders: the body has its own % signs


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_scale_indexes"),
    ]

    operations = [
        migrations.RunPython(create_function, drop_function),
    ]
