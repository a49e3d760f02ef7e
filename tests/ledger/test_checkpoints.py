"""Issue 15, item 1: history anchored in signed checkpoints. A rewrite that recomputes every hash and the
chain head (1a), or removes the newest event and moves the head back (1b), passes the chain check but not
the checkpoint; two checkpoints prove, or disprove, that nothing before the older one changed."""

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cases.audit import event_hash, utc_iso
from cases.models import Case, CaseEvent
from cases.services import case_assign, case_orient, case_verify
from ledger.models import Checkpoint, LedgerLeaf, LedgerNode
from ledger.services import (
    LedgerForked,
    checkpoint_file_name,
    checkpoint_file_text,
    checkpoint_file_write,
    ledger_checkpoint,
)
from ledger.signing import checkpoint_sign
from ledger.tree import root_at, tree_size

from .conftest import behind_the_triggers, key_text, public_text

# Tampering goes through the owner's own session, which sees only committed rows: the tests that tamper are
# transactional; the others stay in one rolled-back transaction (far cheaper than emptying every table).
pytestmark = pytest.mark.django_db
tampers = pytest.mark.django_db(transaction=True)


def checkpoint_file(row) -> Path:
    """The file the job wrote for this checkpoint (as written to AUDIT_CHECKPOINT_DIR)."""
    return Path(settings.AUDIT_CHECKPOINT_DIR) / checkpoint_file_name(row)


@pytest.fixture
def history(world, new_case):
    """Two cases with a few moves each: seven events."""
    first, second = new_case("Rác ở chợ"), new_case("Đèn đường hỏng")
    for case in (first, second):
        case_verify(case=case, by=world.clerk)
        case_assign(case=case, by=world.leader, unit=world.hamlet_a)
    case_orient(case=first, by=world.hamlet_handler, response="Đã trả lời tại họp thôn.")
    return first, second


def rewrite(case: Case, seq: int, note: str) -> None:
    """1a: change an event's note, then recompute its hash, every later link and the case's head."""
    with behind_the_triggers() as cursor:
        prev = CaseEvent.objects.get(case=case, seq=seq).prev_hash
        for event in CaseEvent.objects.filter(case=case, seq__gte=seq).order_by("seq"):
            event.note = note if event.seq == seq else event.note
            digest = event_hash(case_code=case.code, seq=event.seq, action=event.action, from_status=event.from_status,
                                to_status=event.to_status, actor_id=event.actor_id, note=event.note, data=event.data,
                                created_at=event.created_at, prev_hash=prev)
            cursor.execute("UPDATE cases_caseevent SET note = %s, prev_hash = %s, hash = %s WHERE id = %s",
                           [event.note, prev, digest, event.pk])
            prev = digest
        cursor.execute("UPDATE cases_case SET head_hash = %s WHERE id = %s", [prev, case.pk])


def drop_newest(case: Case) -> None:
    """1b: delete the newest event (and the leaf that names it) and move the case's head back by one, its row
    back to what the event before says (status, deadline), so that the row agrees with the shortened history."""
    newest, before = CaseEvent.objects.filter(case=case).order_by("-seq")[:2]
    with behind_the_triggers() as cursor:
        cursor.execute("DELETE FROM ledger_ledgerleaf WHERE event_id = %s", [newest.pk])
        CaseEvent.objects.filter(pk=newest.pk).delete()  # with the notifications that hang on it
    Case.objects.filter(pk=case.pk).update(event_count=before.seq, head_hash=before.hash, status=before.to_status,
                                           deadline=before.data["deadline"])


def test_a_checkpoint_signs_every_event_and_is_stored_written_and_mailed(signing, settings, history, capsys):
    settings.AUDIT_CHECKPOINT_EMAIL = ["kiemtra@example.vn"]
    row = ledger_checkpoint(batch=3)  # taken in three transactions: 3, 3 and 1
    assert row.tree_size == CaseEvent.objects.count() == LedgerLeaf.objects.count() == 7
    assert set(LedgerLeaf.objects.values_list("event_id", flat=True)) == set(CaseEvent.objects.values_list("pk", flat=True))
    document = json.loads(checkpoint_file(row).read_text())
    assert (document["tree_size"], document["root_hash"], document["key_id"]) == (7, row.root_hash, row.key_id)
    [message] = mail.outbox
    assert message.to == ["kiemtra@example.vn"] and str(row.tree_size) in message.subject
    assert json.loads(message.attachments[0][1]) == document
    assert ledger_checkpoint() is None  # nothing new: nothing signed

    call_command("verify_audit", "--jobs", "1", "--checkpoint", str(checkpoint_file(row)))
    assert "the first 7 events are exactly those" in capsys.readouterr().out


@tampers
def test_a_rewritten_event_with_every_hash_recomputed_is_caught_by_the_checkpoint(signing, history, capsys):
    """1a: the chain alone still says "intact"; the checkpoint names the event."""
    first, _second = history
    anchor = checkpoint_file(ledger_checkpoint())
    rewrite(first, 2, "Đã sửa lén")

    call_command("verify_audit", "--jobs", "1")
    assert "intact" in capsys.readouterr().out
    with pytest.raises(CommandError, match=f"rewritten.*{first.code} event #2"):
        call_command("verify_audit", "--jobs", "1", "--checkpoint", str(anchor))


@tampers
def test_deleting_the_newest_event_and_moving_the_head_back_is_caught_by_the_checkpoint(signing, history, capsys):
    """1b."""
    first, _second = history
    anchor = checkpoint_file(ledger_checkpoint())
    drop_newest(first)

    call_command("verify_audit", "--jobs", "1")
    assert "intact" in capsys.readouterr().out
    with pytest.raises(CommandError, match="anchored events were deleted"):
        call_command("verify_audit", "--jobs", "1", "--checkpoint", str(anchor))


@tampers
def test_events_written_after_a_checkpoint_are_protected_by_the_chain_alone(signing, world, history):
    """The window docs/reliability.md states: until the next checkpoint, a full rewrite of a new event passes."""
    first, _second = history
    anchor = checkpoint_file(ledger_checkpoint())
    case_orient(case=history[1], by=world.hamlet_handler, response="Trả lời sau điểm neo.")
    rewrite(history[1], 4, "Sửa sau điểm neo")
    call_command("verify_audit", "--jobs", "1", "--checkpoint", str(anchor))  # not caught: outside the checkpoint
    later = checkpoint_file(ledger_checkpoint())  # the next checkpoint anchors it, as it is now
    call_command("verify_audit", "--jobs", "1", "--consistency", str(anchor), str(later))


@tampers
def test_an_event_committed_after_a_higher_id_is_taken_in_by_the_next_checkpoint(signing, world, history):
    """Ids are drawn at insert, not at commit: an event whose transaction committed late, with an id below
    events already in the tree, still joins it."""
    late = CaseEvent.objects.get(case=history[0], seq=4)
    values = CaseEvent.objects.filter(pk=late.pk).values().get()
    with behind_the_triggers():
        CaseEvent.objects.filter(pk=late.pk).delete()  # "not committed yet" (its notifications with it)
    ledger_checkpoint()
    assert not LedgerLeaf.objects.filter(event_id=late.pk).exists() and LedgerLeaf.objects.count() == 6
    CaseEvent.objects.create(**values)  # its transaction commits now, with its old, lower id
    second = ledger_checkpoint()
    assert LedgerLeaf.objects.get(event_id=late.pk).index == 6 and second.tree_size == 7
    call_command("verify_audit", "--jobs", "1", "--checkpoint", str(checkpoint_file(second)))


@tampers
def test_two_checkpoints_are_consistent_unless_history_before_the_older_was_rewritten(signing, settings, world,
                                                                                      history, capsys):
    first, second = history
    older = checkpoint_file(ledger_checkpoint())
    case_orient(case=second, by=world.hamlet_handler, response="Đã trả lời.")
    newer = checkpoint_file(ledger_checkpoint())
    call_command("verify_audit", "--jobs", "1", "--consistency", str(older), str(newer))
    assert "consistent: the first 7 events are unchanged in the tree of 8" in capsys.readouterr().out

    # The attacker rewrites an early event, every hash after it, and the stored tree, rebuilt from the events.
    rewrite(first, 1, "Nội dung khác")
    with behind_the_triggers() as cursor:
        cursor.execute("DELETE FROM ledger_ledgernode")
        cursor.execute("DELETE FROM ledger_ledgerleaf")
    settings.AUDIT_CHECKPOINT_EMAIL = ["kiemtra@example.vn"]
    with pytest.raises(LedgerForked):  # the job takes the events in again, but will not sign the rewrite
        ledger_checkpoint()
    assert LedgerLeaf.objects.count() == 8 and Checkpoint.objects.count() == 2
    assert "CẢNH BÁO" in mail.outbox[0].subject

    with pytest.raises(CommandError, match="NOT consistent"):
        call_command("verify_audit", "--jobs", "1", "--consistency", str(older), str(newer))
    with pytest.raises(CommandError, match="do not hash to the root the checkpoint signed"):
        call_command("verify_audit", "--jobs", "1", "--checkpoint", str(older))  # (the rebuilt leaves name no event)
    # Even a key holder signing the rewritten tree gets no newer checkpoint that extends the older one.
    forged = checkpoint_file(_resigned())
    checkpoint_file_write(Checkpoint.objects.order_by("-pk").first())
    with pytest.raises(CommandError, match="NOT consistent"):
        call_command("verify_audit", "--jobs", "1", "--consistency", str(older), str(forged))


def test_an_old_checkpoint_still_verifies_after_a_key_rotation(signing, settings, world, history, capsys):
    old_key_file = checkpoint_file(ledger_checkpoint())
    case_orient(case=history[1], by=world.hamlet_handler, response="Đã trả lời.")
    new_key = Ed25519PrivateKey.generate()
    settings.AUDIT_SIGNING_KEY = key_text(new_key)
    settings.AUDIT_PUBLIC_KEYS = [public_text(signing)]  # the retired key's public half, kept
    new_key_file = checkpoint_file(ledger_checkpoint())
    assert json.loads(old_key_file.read_text())["key_id"] != json.loads(new_key_file.read_text())["key_id"]
    call_command("verify_audit", "--jobs", "1", "--checkpoint", str(old_key_file))
    call_command("verify_audit", "--jobs", "1", "--consistency", str(old_key_file), str(new_key_file))

    settings.AUDIT_PUBLIC_KEYS = []  # forgotten: its checkpoints are no longer believed
    with pytest.raises(CommandError, match="not trusted"):
        call_command("verify_audit", "--jobs", "1", "--checkpoint", str(old_key_file))


def test_a_forged_checkpoint_is_refused(signing, history, tmp_path):
    genuine = json.loads(checkpoint_file(ledger_checkpoint()).read_text())
    # Signed with the attacker's own key (its public key inside the file, as in a genuine one).
    settings.AUDIT_SIGNING_KEY = key_text(Ed25519PrivateKey.generate())
    forged = tmp_path / "forged.json"
    forged.write_text(checkpoint_file_text(_resigned()))
    settings.AUDIT_SIGNING_KEY = key_text(signing)
    with pytest.raises(CommandError, match="not trusted"):
        call_command("verify_audit", "--jobs", "1", "--checkpoint", str(forged))
    # The genuine signature over another root.
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps({**genuine, "root_hash": "0" * 64}))
    with pytest.raises(CommandError, match="signature does not match"):
        call_command("verify_audit", "--jobs", "1", "--checkpoint", str(edited))


def _resigned():
    """A checkpoint of the same tree, signed with whatever key is configured now."""
    size = tree_size()
    signed = checkpoint_sign(tree_size=size, root=root_at(size), signed_at=utc_iso(timezone.now()))
    return Checkpoint.objects.create(tree_size=size, root_hash=signed.root_hash, signed_at=signed.signed_at,
                                     key_id=signed.key_id, public_key=signed.public_key, signature=signed.signature,
                                     taken_at=timezone.now())


def test_without_a_key_production_signs_nothing(settings, history, tmp_path):
    settings.DEBUG = False
    settings.AUDIT_SIGNING_KEY = ""
    settings.AUDIT_PUBLIC_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="AUDIT_SIGNING_KEY"):
        ledger_checkpoint()
    settings.AUDIT_SIGNING_KEY = str(tmp_path / "missing.pem")  # a path that is not there: never a throwaway key
    with pytest.raises(ImproperlyConfigured, match="does not exist"):
        ledger_checkpoint()
    assert not LedgerLeaf.objects.exists() and not LedgerNode.objects.exists() and not Checkpoint.objects.exists()
    assert not (tmp_path / "missing.pem").exists()

    settings.DEBUG = True  # the embedded default: a key is made under VAR_DIR on first use, and kept
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.AUDIT_CHECKPOINT_EMAIL = []
    row = ledger_checkpoint()
    assert (tmp_path / "missing.pem").read_text().startswith("-----BEGIN PRIVATE KEY-----")
    call_command("verify_audit", "--jobs", "1", "--checkpoint", str(checkpoint_file(row)))
