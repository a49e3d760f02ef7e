"""The cluster drill's smaller version (bench/cluster.py; docs/deployment.md): two web nodes behind nginx and
two Celery workers, each in a network namespace of its own, with their own PostgreSQL and Redis; a paced load
of intakes, moves and reads for 60 s while one web node and one worker node are killed. Nothing acknowledged
or queued is lost; duplicates are counted and reported.

PostgreSQL pass only (it stands for the PostgreSQL deployment; it starts its own cluster, not the test
database). Needs root, Debian's nginx, iproute2 and redis-server: skipped without them, failed under CI=true.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cluster import missing_tools

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.postgres


def test_two_web_nodes_and_two_workers_lose_nothing_when_one_of_each_is_killed(tmp_path):
    missing = missing_tools()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs the cluster drill; missing: " + ", ".join(missing))
        pytest.skip("the cluster drill needs " + ", ".join(missing))
    out = tmp_path / "result.json"
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}
    # The drill stops itself after 280 s; should it not, SIGTERM makes it remove its namespaces and processes.
    drill = subprocess.Popen([sys.executable, "bench/cluster.py", "--seconds", "60", "--json", str(out)], cwd=ROOT,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = drill.communicate(timeout=295)
    except subprocess.TimeoutExpired:
        drill.terminate()
        stdout, stderr = drill.communicate(timeout=60)
    run = subprocess.CompletedProcess(drill.args, drill.returncode, stdout, stderr)
    print(run.stdout)  # the drill's table, for the CI log
    assert out.exists(), run.stdout[-3000:] + run.stderr[-5000:]
    result = json.loads(out.read_text())
    assert [(fault["kind"], fault["node"]) for fault in result["faults"]] == [("web", "web1"), ("worker", "wk1")]
    assert all(fault["processes"] > 0 for fault in result["faults"])  # each node was running when killed
    assert result["intakes"]["acknowledged"] > 0
    assert result["intakes"]["lost"] == 0 and result["intakes"]["duplicated"] == 0
    assert result["audit_ok"]
    assert result["outbox"]["not_sent"] == 0
    for channel in ("email", "webhook"):
        received = result["outbox"][channel]
        assert received["messages"] > 0
        assert received["missing"] == received["without_id"] == received["unknown"] == 0
    assert result["lost"] == 0
    assert run.returncode == 0, run.stderr[-3000:]
    print(f"duplicates (delivered twice when a worker died mid-send): {result['duplicated']}")
