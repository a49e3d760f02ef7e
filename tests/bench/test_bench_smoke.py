"""The benchmark suite works: the generator writes a valid national tree and valid hash chains,
and every benchmark runs (at a tiny scale; no timing is asserted)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from bench.generate import _step
from cases.db_roles import database_login
from cases.models import Unit

ROOT = Path(__file__).resolve().parents[2]
SMOKE_DB = "dlxh_bench_smoke"


def test_paths_are_treebeards():
    for n in (1, 9, 10, 35, 36, 97, 1295):
        assert _step(n) == Unit._get_path(None, 1, n)


def _env():
    # The bench drops and creates its own database and runs on one role: the owner's (cases.db_roles).
    db = {**settings.DATABASES["default"], **database_login("owner")}
    server = urlsplit(os.environ.get("DATABASE_OWNER_URL") or os.environ.get("DATABASE_URL", ""))
    env = {**os.environ, "BENCH_PG": f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:"
                                     f"{db.get('PORT') or 5432}", "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_OWNER_URL", None)
    if server.password:
        env["BENCH_PG"] = f"postgres://{db['USER']}:{server.password}@{db['HOST']}:{db.get('PORT') or 5432}"
    return env


def _python(*args, timeout=900):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=_env(), capture_output=True, text=True,
                          timeout=timeout)


CHECK = f"""
import json
from bench import setup_django
setup_django({SMOKE_DB!r})
from cases.audit import audit_verify
from cases.models import Case, Tier, Topic, Unit
from workflow.models import CaseClock
from django.contrib.auth import get_user_model
from cases.permissions import user_grants
audit = audit_verify()
leader = get_user_model().objects.get(username="t01-x001_leader")
print(json.dumps({{
    "problems": [len(p) for p in Unit.find_problems()] + [len(p) for p in Topic.find_problems()],
    "provinces": Unit.objects.filter(tier=Tier.PROVINCE).count(),
    "communes": Unit.objects.filter(tier=Tier.COMMUNE).count(),
    "topics": Topic.objects.count(),
    "cases": Case.objects.count(),
    "audit_ok": audit.ok, "events": audit.events_checked,
    "running_clocks": CaseClock.objects.filter(stopped_at__isnull=True, next_fire_at__isnull=False).count(),
    "finished_clocks": CaseClock.objects.filter(stopped_at__isnull=False).count(),
    "leader_roles": [(g.role, g.path) for g in user_grants(leader)],
    "commune_path": Unit.objects.get(code="T01-X001").path,
}}))
"""


@pytest.mark.postgres
def test_generator_and_every_benchmark_run():
    generated = _python("-m", "bench.generate", "--scale", "2000", "--db", SMOKE_DB)
    assert generated.returncode == 0, generated.stderr[-3000:]

    checked = _python("-c", CHECK)
    assert checked.returncode == 0, checked.stderr[-3000:]
    facts = json.loads(checked.stdout.strip().splitlines()[-1])
    assert facts["problems"] == [0] * 10  # treebeard finds no bad depth, numchild or path
    assert (facts["provinces"], facts["communes"], facts["topics"], facts["cases"]) == (34, 3300, 60, 2000)
    assert facts["audit_ok"] and facts["events"] > 2000 * 4
    assert facts["running_clocks"] > 0 and facts["finished_clocks"] > 0
    assert facts["leader_roles"] == [["leader", facts["commune_path"]]]

    ran = _python("-m", "bench.run", "--scale", "2000", "--db", SMOKE_DB, "--reuse", "--quick", "--repeat", "1",
                  "--no-doc", "--http-seconds", "1")
    assert ran.returncode == 0, ran.stderr[-3000:]
    for section in "abcdefg":
        assert f"[{section}] " in ran.stdout, f"benchmark section {section} missing:\n{ran.stdout[-3000:]}"
    assert "ratio" in ran.stdout  # raw-SQL twins ran beside them
    assert "Traceback" not in ran.stderr
