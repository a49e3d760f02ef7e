"""The tree in the database: each event's leaf, the stored nodes, the root of any size, and the proofs.

Events join the tree in the order the checkpoint job takes them in, not in id order: an id is drawn when
the event is inserted, and a transaction that drew a lower id may commit after one that drew a higher.
So the job takes every committed event that is not in the tree yet, looking above a watermark that only
moves once no transaction that could still insert below it can be running (`SETTLE`).
"""

from datetime import timedelta

from django.db import connection
from django.db.models import Exists, Max, OuterRef

from cases.audit import canonical_json, event_content, utc_iso
from cases.models import CaseEvent

from . import merkle
from .models import Checkpoint, LedgerLeaf, LedgerNode

# No transaction of the application stays open this long after inserting an event (they last seconds,
# a unit merge minutes): an event with an id below what the tree held this long ago is in it already.
SETTLE = timedelta(hours=24)
ADVISORY_LOCK = 0x6C656467  # "ledg": one checkpoint job at a time on PostgreSQL
# An event's fields as `event_document` takes them (`actor` reads the person's id).
EVENT_FIELDS = ("case__code", "seq", "action", "from_status", "to_status", "actor", "note", "data", "created_at",
                "prev_hash", "hash")


class TreeIncomplete(Exception):
    """The database's tree lacks a leaf or a node a proof needs."""


def event_document(case_code, seq, action, from_status, to_status, actor_id, note, data, created_at, prev_hash,
                   digest) -> dict:
    """An event as its leaf covers it: the content its chain hash covers, and that hash."""
    document = event_content(case_code, seq, action, from_status, to_status, actor_id, note, data,
                             utc_iso(created_at), prev_hash)
    document["hash"] = digest
    return document


def leaf_of(document: dict) -> bytes:
    return merkle.leaf_hash(canonical_json(document).encode("utf-8"))


def tree_size() -> int:
    last = LedgerLeaf.objects.aggregate(last=Max("index"))["last"]
    return 0 if last is None else last + 1


def lock_tree() -> None:
    """Inside a transaction: wait for any other checkpoint job (SQLite writes one transaction at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])


def _stored(positions) -> dict:
    by_level: dict[int, list[int]] = {}
    for level, index in positions:
        by_level.setdefault(level, []).append(index)
    found = {}
    for level, indexes in by_level.items():
        rows = (LedgerLeaf.objects.filter(index__in=indexes) if level == 0
                else LedgerNode.objects.filter(level=level, index__in=indexes)).values_list("index", "hash")
        found.update({(level, index): bytes(digest) for index, digest in rows})
    return found


def with_stored_nodes(compute):
    """Run `compute(node)` over the stored tree, reading the nodes it needs in one query per level.

    A first run with placeholders learns which nodes those are (what a proof reads does not depend on the
    hashes it reads).
    """
    wanted = set()
    compute(lambda level, index: wanted.add((level, index)) or bytes(32))
    found = _stored(wanted)
    missing = wanted - found.keys()
    if missing:
        level, index = min(missing)
        raise TreeIncomplete(f"the stored tree lacks node {level}/{index}")
    return compute(lambda level, index: found[(level, index)])


def root_at(size: int) -> bytes:
    return with_stored_nodes(lambda node: merkle.subtree_root(0, size, node))


def _frontier(size: int) -> list[tuple[int, int, bytes]]:
    parts = merkle.perfect_subtrees(0, size)
    found = _stored(parts)
    return [(level, index, found[(level, index)]) for level, index in parts]


def _scan_from() -> int:
    """Every event with an id up to this is in the tree already (see SETTLE)."""
    previous = Checkpoint.objects.order_by("-pk").values_list("taken_at", flat=True).first()
    if previous is None:
        return 0
    settled = (Checkpoint.objects.filter(taken_at__lte=previous - SETTLE).order_by("-pk")
               .values_list("max_event_id", flat=True).first())
    return settled or 0


def tree_append(*, limit: int, after: int | None = None) -> tuple[int, int | None]:
    """Take in up to `limit` committed events not in the tree yet, in id order; the caller holds the lock.

    `after`: the last id the same job took in (its next batch need not look below it again).
    Returns how many were taken in and the last one's id.
    """
    size = tree_size()
    appender = merkle.Appender(size, _frontier(size))
    new = (CaseEvent.objects.filter(pk__gt=_scan_from() if after is None else after)
           .filter(~Exists(LedgerLeaf.objects.filter(event_id=OuterRef("pk"))))
           .order_by("pk").values_list("pk", *EVENT_FIELDS)[:limit])
    leaves, nodes = [], []
    for event_id, *fields in new:
        digest = leaf_of(event_document(*fields))
        leaves.append((appender.size, event_id, digest))
        nodes.extend(appender.add(digest))
    _insert(LedgerLeaf, ("index", "event_id", "hash"), leaves)
    _insert(LedgerNode, ("level", "index", "hash"), nodes)
    return len(leaves), (leaves[-1][1] if leaves else after)


def _insert(model, columns, rows) -> None:
    """Plain rows in one go: COPY on PostgreSQL (the ORM's bulk_create spent most of a first checkpoint)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


def max_event_id() -> int:
    return LedgerLeaf.objects.aggregate(top=Max("event_id"))["top"] or 0


def inclusion_paths(leaf_indexes, size: int) -> dict[int, list[bytes]]:
    return with_stored_nodes(lambda node: {i: merkle.inclusion_path(i, size, node) for i in leaf_indexes})


def consistency(old_size: int, new_size: int) -> list[bytes]:
    return with_stored_nodes(lambda node: merkle.consistency_proof(old_size, new_size, node))
