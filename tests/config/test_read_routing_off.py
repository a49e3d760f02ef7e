"""Without DATABASE_REPLICA_URL (the embedded default too) nothing reads elsewhere; the pages still say when
their figures were true."""

import pytest
from django.db import connections


@pytest.mark.django_db
def test_without_a_replica_nothing_changes(client, world):
    assert "replica" not in connections.settings
    assert "replica_lag_seconds" not in client.get("/health/").json()
    client.force_login(world.supervisor)
    assert "Số liệu tính đến" in client.get("/dashboard/").content.decode()
