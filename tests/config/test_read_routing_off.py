"""Without DATABASE_REPLICA_URL (the embedded default too) nothing reads elsewhere; the pages still say when
their figures were true."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connections


@pytest.mark.django_db
def test_without_a_replica_nothing_changes(client, world):
    assert "replica" not in connections.settings
    assert "replica_lag_seconds" not in client.get("/health/").json()
    client.force_login(world.supervisor)
    assert "Số liệu tính đến" in client.get("/dashboard/").content.decode()


def _settings_with(**environment) -> dict:
    """The database settings a process started with these variables gets (settings are read once, at start)."""
    script = ("import json; from django.conf import settings as s; "
              "print(json.dumps({'databases': s.DATABASES, 'routers': s.DATABASE_ROUTERS}, default=str))")
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "DATABASE_OWNER_URL", "DATABASE_REPLICA_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **environment)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60,
                          cwd=settings.BASE_DIR, check=True)
    return json.loads(done.stdout)


def test_database_replica_url_adds_the_replica_alias_and_the_router():
    primary = "postgres://dlxh_app@db1.internal:5432/dlxh"
    with_replica = _settings_with(DATABASE_URL=primary, DATABASE_OWNER_URL="postgres://dlxh_owner@db1.internal/dlxh",
                                  DATABASE_REPLICA_URL="postgres://dlxh_app@db2.internal:5432/dlxh")
    replica = with_replica["databases"]["replica"]
    assert (replica["HOST"], replica["USER"], replica["NAME"]) == ("db2.internal", "dlxh_app", "dlxh")
    assert replica["TEST"] == {"MIRROR": "default"}  # the test run reads the test database through it
    assert replica["CONN_HEALTH_CHECKS"] is True
    assert with_replica["routers"] == ["config.db_routing.ReplicaRouter"]
    without = _settings_with(DATABASE_URL=primary)
    assert list(without["databases"]) == ["default"] and without["routers"] == []
