"""Reads of the anchored history: the checkpoints, and one case's inclusion proofs.

The caller has already checked that the person may see the case (the case's audit page does).
"""

from cases.models import Case, CaseEvent

from .models import Checkpoint, LedgerLeaf
from .tree import EVENT_FIELDS, event_document, inclusion_paths

PROOF_FORMAT = "dlxh-case-proof/1"


def checkpoint_list(*, limit: int = 10) -> list[Checkpoint]:
    return list(Checkpoint.objects.order_by("-pk")[:limit])


def checkpoint_get(*, pk: int) -> Checkpoint | None:
    return Checkpoint.objects.filter(pk=pk).first()


def case_anchoring(*, case: Case) -> tuple[Checkpoint | None, int]:
    """The newest checkpoint, and how many of the case's events it covers."""
    latest = Checkpoint.objects.order_by("-pk").first()
    if latest is None:
        return None, 0
    return latest, LedgerLeaf.objects.filter(event__case=case, index__lt=latest.tree_size).count()


def case_inclusion_proof(*, case: Case) -> dict | None:
    """The case's events, each with its leaf index and audit path (RFC 6962 section 2.1.1) against the newest
    checkpoint; None before the first checkpoint. Events written since are listed apart, unproven."""
    latest = Checkpoint.objects.order_by("-pk").first()
    if latest is None:
        return None
    leaves = dict(LedgerLeaf.objects.filter(event__case=case, index__lt=latest.tree_size)
                  .values_list("event_id", "index"))
    paths = inclusion_paths(sorted(leaves.values()), latest.tree_size)
    anchored, later = [], []
    for event_id, *fields in CaseEvent.objects.filter(case=case).order_by("seq").values_list("pk", *EVENT_FIELDS):
        document = event_document(*fields)
        if event_id in leaves:
            index = leaves[event_id]
            anchored.append({"leaf_index": index, "event": document,
                             "audit_path": [node.hex() for node in paths[index]]})
        else:
            later.append(document)
    return {"format": PROOF_FORMAT, "case": case.code, "checkpoint": latest.signed().document(),
            "events": anchored, "not_yet_anchored": later}
