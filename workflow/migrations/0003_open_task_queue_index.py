"""An index for the unit queues: a unit's open tasks (viewflow has none on the permission object).

Partial, over open tasks only, so it stays as small as the queues are, however
many finished tasks history keeps. Created on viewflow's table from here because
the queue reads are ours.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS workflow_open_task_queue ON viewflow_task (owner_permission_obj_pk, created) "
    "WHERE status IN ('NEW', 'ASSIGNED', 'STARTED')"
)
DROP = "DROP INDEX IF EXISTS workflow_open_task_queue"


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0002_seed_clock_policies"),
        ("viewflow", "__first__"),
    ]

    operations = [
        migrations.RunSQL(CREATE, DROP),
    ]
