"""Checks against signed checkpoints: the database's first N events are those a checkpoint signed, and a
newer checkpoint extends an older one (RFC 6962 section 2.1.2, checked as RFC 9162 section 2.1.4.2 says)."""

from dataclasses import dataclass

from . import merkle
from .models import LedgerLeaf
from .signing import CheckpointInvalid, SignedCheckpoint, checkpoint_from_document
from .tree import EVENT_FIELDS, TreeIncomplete, consistency, event_document, leaf_of, tree_size


@dataclass
class LedgerCheck:
    ok: bool
    message: str


def checkpoint_verify(document) -> LedgerCheck:
    """Check a checkpoint file (its parsed JSON): signed by a trusted key, and matched by the events now."""
    try:
        signed = checkpoint_from_document(document)
    except CheckpointInvalid as exc:
        return LedgerCheck(False, f"checkpoint refused: {exc}")
    return events_match(signed)


def events_match(signed: SignedCheckpoint) -> LedgerCheck:
    """Rebuild the root of the first `tree_size` leaves from the events as they are now, in the tree's order."""
    size = signed.tree_size
    fields = [f"event__{name}" for name in EVENT_FIELDS]
    rows = (LedgerLeaf.objects.filter(index__lt=size).order_by("index").values_list("index", "hash", *fields)
            .iterator(chunk_size=5000))
    appender = merkle.Appender(0, [])
    first_changed = None
    for index, stored, *event in rows:
        if index != appender.size:
            return LedgerCheck(False, f"leaf #{appender.size} of the {size} the checkpoint signed is gone "
                                      f"(anchored events were deleted)")
        document = event_document(*event)
        digest = leaf_of(document)
        if first_changed is None and digest != bytes(stored):
            first_changed = f"{document['case']} event #{document['seq']}"
        appender.add(digest)
    if appender.size < size:
        return LedgerCheck(False, f"the database holds {appender.size} of the {size} anchored events "
                                  f"(anchored events were deleted)")
    if appender.root().hex() != signed.root_hash:
        changed = f"; first changed since it was anchored: {first_changed}" if first_changed else ""
        return LedgerCheck(False, f"the first {size} events do not hash to the root the checkpoint signed "
                                  f"(history rewritten){changed}")
    return LedgerCheck(True, f"the first {size} events are exactly those checkpoint {signed.key_id}/"
                             f"{signed.signed_at} signed")


def consistency_verify(old_document, new_document) -> LedgerCheck:
    """The newer checkpoint's tree extends the older one's: nothing anchored before the older changed since."""
    try:
        old, new = checkpoint_from_document(old_document), checkpoint_from_document(new_document)
    except CheckpointInvalid as exc:
        return LedgerCheck(False, f"checkpoint refused: {exc}")
    if old.tree_size > new.tree_size:
        return LedgerCheck(False, f"the older checkpoint ({old.tree_size} events) is larger than the newer "
                                  f"({new.tree_size}): give them oldest first")
    if tree_size() < new.tree_size:
        return LedgerCheck(False, f"the database's tree holds {tree_size()} leaves, fewer than the {new.tree_size} "
                                  f"the newer checkpoint signed")
    try:
        proof = consistency(old.tree_size, new.tree_size)
    except TreeIncomplete as exc:
        return LedgerCheck(False, str(exc))
    if not merkle.verify_consistency(old.tree_size, new.tree_size, bytes.fromhex(old.root_hash),
                                     bytes.fromhex(new.root_hash), proof):
        return LedgerCheck(False, f"the checkpoints are NOT consistent: the tree of {new.tree_size} does not extend "
                                  f"the tree of {old.tree_size} (history before the older one was rewritten)")
    return LedgerCheck(True, f"consistent: the first {old.tree_size} events are unchanged in the tree of "
                             f"{new.tree_size} (proof of {len(proof)} hashes)")
