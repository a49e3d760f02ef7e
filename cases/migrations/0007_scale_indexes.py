"""Indexes for reads at national scale (docs/benchmarks.md).

- `case_assigner_recent`: the scope's "assigned by my unit" branch, newest first.
- PostgreSQL only, kept out of the model state because SQLite has neither:
  `case_received_cover` lets the monthly counts read the index alone, and
  `case_search_trgm` (pg_trgm) serves the diacritics-insensitive search for
  words a `LIKE '%word%'` would otherwise look for in every case.
"""

from django.db import migrations, models

POSTGRES_ONLY = [
    (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        None,
    ),
    (
        "CREATE INDEX IF NOT EXISTS case_received_cover ON cases_case (received_at) "
        "INCLUDE (topic_id, status, owner_id, assigned_by_unit_id)",
        "DROP INDEX IF EXISTS case_received_cover",
    ),
    (
        "CREATE INDEX IF NOT EXISTS case_search_trgm ON cases_case USING gin (search_text gin_trgm_ops)",
        "DROP INDEX IF EXISTS case_search_trgm",
    ),
]


def create_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for forward, _backward in POSTGRES_ONLY:
        schema_editor.execute(forward)


def drop_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _forward, backward in reversed(POSTGRES_ONLY):
        if backward:
            schema_editor.execute(backward)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_case_owner_recent_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["assigned_by_unit", "-received_at"], name="case_assigner_recent"),
        ),
        migrations.RunPython(create_postgres_indexes, drop_postgres_indexes),
    ]
