"""The Prometheus alert rules (deploy/prometheus/alerts.yml): valid for promtool, their unit tests pass, and every
metric they use is one /metrics serves. promtool comes with Debian's `prometheus` package; without it these tests
are skipped, except under CI, where .ci/run installs it and its absence fails them."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

RULES_DIR = Path(settings.BASE_DIR) / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool")

needs_promtool = pytest.mark.skipif(
    PROMTOOL is None and os.environ.get("CI") != "true",
    reason="needs promtool (apt-get install prometheus); CI runs it",
)


def _promtool(*args):
    assert PROMTOOL, "promtool is missing: .ci/run installs Debian's prometheus package"
    return subprocess.run([PROMTOOL, *args], cwd=RULES_DIR, capture_output=True, text=True, timeout=60)


@needs_promtool
def test_promtool_checks_the_alert_rules():
    result = _promtool("check", "rules", "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 5 rules found" in result.stdout


@needs_promtool
def test_the_alert_rules_unit_tests_pass():
    result = _promtool("test", "rules", "alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_every_metric_the_rules_use_is_served(client):
    used = set(re.findall(r"\b(dlxh_[a-z_]+)\b", (RULES_DIR / "alerts.yml").read_text()))
    served = client.get("/metrics").content.decode()
    families = set(re.findall(r"^# TYPE (dlxh_[a-z_]+) ", served, re.MULTILINE))
    served_names = families | {f"{name}_total" for name in families}
    # Read only when there is something to read: the replica's lag (with a replica), queue lengths (with Redis).
    optional = {"dlxh_replica_lag_seconds", "dlxh_celery_queue_length"}
    assert used - served_names <= optional, used - served_names
