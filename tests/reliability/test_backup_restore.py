"""Backup and restore, as docs/reliability.md tells an operator to do it: pg_dump the database,
copy the attachments store, restore both on an empty database and folder, then `verify_audit`
passes there and every case (fields, history, reporters, files) is what it was."""

import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from cases.db_roles import database_login
from cases.services import (
    ReporterInput,
    case_assign,
    case_intake,
    case_merge,
    case_orient,
    case_reject,
    case_resolve,
    case_verify,
    reporter_reveal,
)
from tests.workers import ROOT, database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Everything that makes a case what it is, read through Django (so reporters are decrypted and
# attachments are read from the store), as one JSON document.
DIGEST = r"""
import hashlib, json
from cases.models import Case
out = {}
for case in Case.objects.order_by("code"):
    out[case.code] = {
        "fields": [case.status, case.title, case.description, case.owner.code, case.locality.code, case.priority,
                   case.received_at.isoformat(), case.public_response, case.outcome, case.closing_reason,
                   case.event_count, case.head_hash, case.version, case.public_secret_hash, case.report_count],
        "events": [[e.seq, e.action, e.from_status, e.to_status, e.actor_id, e.note, e.data, e.hash]
                   for e in case.events.order_by("seq")],
        "reporters": [[r.reporter.full_name, r.reporter.phone, r.reporter.email, r.reporter.address] if r.reporter else None
                      for r in case.reports.order_by("received_at", "pk")],
        "files": [[a.original_name, a.sha256, hashlib.sha256(a.file.open("rb").read()).hexdigest()]
                  for a in case.attachments.order_by("pk")],
    }
print("DIGEST" + json.dumps(out, ensure_ascii=False, sort_keys=True))
"""


def libpq_env() -> dict:
    """Backup and restore are the owner role's work (docs/deployment.md)."""
    db = {**connection.settings_dict, **database_login("owner")}
    return {**os.environ, "PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432),
            "PGUSER": db["USER"] or "postgres", **({"PGPASSWORD": db["PASSWORD"]} if db["PASSWORD"] else {})}


def manage(*args, database: str, media: Path):
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(DATABASE_URL=database_url(database), MEDIA_ROOT=str(media), VAR_DIR=str(media.parent / "var"),
               FIELD_ENCRYPTION_KEY=settings.FIELD_ENCRYPTION_KEY, SECRET_KEY=settings.SECRET_KEY)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def digest(database: str, media: Path) -> dict:
    done = manage("shell", "-c", DIGEST, database=database, media=media)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.split("DIGEST", 1)[1])


@pytest.fixture
def empty_database():
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(database_url("postgres", owner=True), autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def history(world, new_case):
    """Cases in many states, with reporters, attachments, a merge and a recorded reveal."""
    done = new_case("Đã giải quyết", attachments=[SimpleUploadedFile("hien-truong.png", PNG)])
    case_verify(case=done, by=world.clerk, note="Đúng địa bàn")
    case_assign(case=done, by=world.leader, unit=world.hamlet_a, assignee=world.hamlet_handler)
    case_orient(case=done, by=world.hamlet_handler, response="Đã giải thích tại họp thôn")
    case_resolve(case=done, by=world.hamlet_handler, outcome="Đã dọn xong")
    rejected = new_case("Không thuộc thẩm quyền", anonymous=True)
    case_reject(case=rejected, by=world.clerk, reason="Ngoài phạm vi")
    survivor = new_case("Đèn đường hỏng", attachments=[SimpleUploadedFile("bien-ban.pdf", PDF)])
    case_merge(case=new_case("Đèn đường hỏng (trùng)"), into=survivor, by=world.clerk)
    reporter_reveal(case=survivor, by=world.clerk, reason="Gọi lại")
    case_intake(by=world.clerk2, title="Phường B", channel=world.channel, topic=world.topic, locality=world.hamlet_b,
                reporter=ReporterInput(full_name="Phạm Thị D", email="d@example.vn"))
    return done


def test_a_dump_restored_into_an_empty_database_verifies_and_holds_every_case_intact(history, empty_database, tmp_path):
    source_db = connection.settings_dict["NAME"]
    media = Path(settings.MEDIA_ROOT)
    dump, archive = tmp_path / "dlxh.dump", tmp_path / "media.tar.gz"

    # Back up: the database (custom format) and the attachments store.
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), source_db],
                   env=libpq_env(), check=True, timeout=300)
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(media, arcname="media")

    # Restore on "another machine": an empty database and an empty folder.
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", empty_database, str(dump)],
                   env=libpq_env(), check=True, timeout=300)
    restored_root = tmp_path / "restored"
    with tarfile.open(archive) as tar:
        tar.extractall(restored_root, filter="data")
    restored_media = restored_root / "media"

    verified = manage("verify_audit", database=empty_database, media=restored_media)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    before, after = digest(source_db, media), digest(empty_database, restored_media)
    assert len(after) == 5 and after == before
    assert after[history.code]["reporters"] == [["Nguyễn Văn A", "0912345678", "", ""]]

    # The append-only guard came back too: the restored history cannot be edited, even by its owner.
    with psycopg.connect(database_url(empty_database, owner=True)) as restored:
        with pytest.raises(psycopg.Error):
            restored.execute("UPDATE cases_caseevent SET note = 'sửa' WHERE seq = 1")


def test_a_restore_that_lost_an_event_is_caught_by_verify_audit(history, empty_database, tmp_path):
    """The check after a restore is not a formality: a damaged restore fails it."""
    dump = tmp_path / "dlxh.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), connection.settings_dict["NAME"]],
                   env=libpq_env(), check=True, timeout=300)
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", empty_database, str(dump)],
                   env=libpq_env(), check=True, timeout=300)
    with psycopg.connect(database_url(empty_database, owner=True), autocommit=True) as restored:
        restored.execute("SET session_replication_role = replica")  # what a careless restore tool might do
        restored.execute("DELETE FROM cases_caseevent WHERE id = (SELECT max(id) FROM cases_caseevent WHERE action = 'resolve')")
    verified = manage("verify_audit", database=empty_database, media=Path(settings.MEDIA_ROOT))
    assert verified.returncode != 0
    assert history.code in verified.stdout + verified.stderr
