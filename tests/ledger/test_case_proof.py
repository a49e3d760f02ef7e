"""Issue 15, item 1: one case's inspection proof, downloaded from its audit page, checked by the standalone
docs/verify_case_proof.py with nothing but the public key; a tampered file fails it."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cases.services import case_assign, case_orient, case_verify
from ledger.models import Checkpoint
from ledger.services import ledger_checkpoint

from .conftest import public_text

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_case_proof.py"


def run_script(proof_file: Path, key: str) -> subprocess.CompletedProcess:
    """The script as an inspector runs it: another Python process, outside the project."""
    return subprocess.run([sys.executable, "-I", str(SCRIPT), str(proof_file), "--public-key", key],
                          capture_output=True, text=True, timeout=60, cwd=proof_file.parent)


@pytest.fixture
def anchored_case(signing, world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.hamlet_a, assignee=world.hamlet_handler)
    other = new_case("Vụ việc khác")  # its events are leaves too: the paths are not trivial
    case_verify(case=other, by=world.clerk)
    ledger_checkpoint()
    case_orient(case=case, by=world.hamlet_handler, response="Đã trả lời sau điểm neo.")
    return case


def test_the_proof_downloads_from_the_audit_page_and_the_script_checks_it(anchored_case, signing, as_user, tmp_path):
    case = anchored_case
    page = as_user("inspector").get(f"/cases/{case.code}/audit/")
    assert page.status_code == 200
    assert "3/4" in page.content.decode()  # three of the case's four events are anchored
    response = as_user("inspector").get(f"/cases/{case.code}/audit/proof.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{case.code}-proof.json"'
    proof = response.json()
    assert [entry["event"]["seq"] for entry in proof["events"]] == [1, 2, 3]
    assert [event["seq"] for event in proof["not_yet_anchored"]] == [4]
    assert as_user("leader").get(f"/cases/{case.code}/audit/proof.json").status_code == 200
    assert as_user("clerk2").get(f"/cases/{case.code}/audit/proof.json").status_code == 404  # out of reach

    proof_file = tmp_path / "proof.json"
    proof_file.write_bytes(response.content)
    good = run_script(proof_file, public_text(signing))
    assert good.returncode == 0, good.stderr
    assert f"OK: {case.code}: 3 events proven in the checkpoint of 5 events" in good.stdout

    edited = json.loads(response.content)
    edited["events"][1]["event"]["note"] = "Đã xác minh (sửa)"
    proof_file.write_text(json.dumps(edited, ensure_ascii=False))
    bad = run_script(proof_file, public_text(signing))
    assert bad.returncode == 1 and f"{case.code} event #2: its content does not match its hash" in bad.stderr

    rehashed = json.loads(response.content)  # the note changed and the hash recomputed: the leaf moves
    event = rehashed["events"][2]["event"]
    event["note"] = "Giao lại cho người khác"
    event["hash"] = _chain_hash(event)
    proof_file.write_text(json.dumps(rehashed, ensure_ascii=False))
    bad = run_script(proof_file, public_text(signing))
    assert bad.returncode == 1 and "audit path does not lead to the signed root" in bad.stderr

    proof_file.write_bytes(response.content)
    stranger = run_script(proof_file, public_text(Ed25519PrivateKey.generate()))
    assert stranger.returncode == 1 and "the key given is" in stranger.stderr


def _chain_hash(event: dict) -> str:
    content = {name: value for name, value in event.items() if name != "hash"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


def test_before_the_first_checkpoint_there_is_no_proof_to_download(world, new_case, as_user):
    case = new_case()
    assert "Chưa có điểm neo lịch sử nào" in as_user("inspector").get(f"/cases/{case.code}/audit/").content.decode()
    assert as_user("inspector").get(f"/cases/{case.code}/audit/proof.json").status_code == 404


def test_inspectors_download_the_signed_checkpoints_from_the_history_inspection_page(anchored_case, as_user):
    row = Checkpoint.objects.get()
    page = as_user("inspector").get("/inspection/")
    assert page.status_code == 200 and f'href="/inspection/checkpoints/{row.pk}.json"' in page.content.decode()
    response = as_user("inspector").get(f"/inspection/checkpoints/{row.pk}.json")
    assert response.status_code == 200
    assert json.loads(response.content)["root_hash"] == row.root_hash
    assert as_user("clerk").get(f"/inspection/checkpoints/{row.pk}.json").status_code == 403
    assert as_user("inspector").get(f"/inspection/checkpoints/{row.pk + 1}.json").status_code == 404
