"""The tree's tables; on PostgreSQL, like the events they anchor, append-only (a trigger refuses UPDATE and
DELETE; the restricted application role gets only SELECT and INSERT on them)."""

import django.db.models.deletion
from django.db import migrations, models


TABLES = ("ledger_ledgerleaf", "ledger_ledgernode", "ledger_checkpoint")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit ledger is append-only (% refused on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                              f"FOR EACH ROW EXECUTE FUNCTION ledger_append_only()", params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS ledger_append_only()", params=None)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0010_case_event_actions'),
    ]

    operations = [
        migrations.CreateModel(
            name='Checkpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tree_size', models.BigIntegerField(verbose_name='số sự kiện')),
                ('root_hash', models.CharField(max_length=64)),
                ('signed_at', models.CharField(max_length=40)),
                ('key_id', models.CharField(max_length=16, verbose_name='mã khóa ký')),
                ('public_key', models.CharField(max_length=64)),
                ('signature', models.CharField(max_length=100)),
                ('taken_at', models.DateTimeField(db_index=True)),
                ('max_event_id', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'điểm neo lịch sử',
                'verbose_name_plural': 'điểm neo lịch sử',
                'ordering': ['-pk'],
            },
        ),
        migrations.CreateModel(
            name='LedgerLeaf',
            fields=[
                ('index', models.BigIntegerField(primary_key=True, serialize=False)),
                ('hash', models.BinaryField(max_length=32)),
                ('event', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='ledger_leaf', to='cases.caseevent')),
            ],
            options={
                'verbose_name': 'lá của cây lịch sử',
            },
        ),
        migrations.CreateModel(
            name='LedgerNode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.PositiveSmallIntegerField()),
                ('index', models.BigIntegerField()),
                ('hash', models.BinaryField(max_length=32)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('level', 'index'), name='ledgernode_position')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
