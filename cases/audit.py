"""The hash-chained case history: writing one link, and checking every chain.

Each event's hash is SHA-256 over a canonical JSON of its content and the
previous event's hash. The case row keeps the head of its chain (count and
last hash), so removing the newest event is caught as well as any other.
Every event also states the deadline the case has after it, and the history
names each owner, assignee and escalation: the check replays them and
compares the case row with the result. (What the chain alone cannot catch, a
rewrite with every hash recomputed, the signed checkpoints of `ledger` do.)
"""

import json
import multiprocessing
from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone
from hashlib import sha256

from django.db import connection, connections
from django.utils import timezone

from .actions import CaseAction
from .models import Case, CaseEvent
from .signals import case_event_appending, case_event_recorded


def utc_iso(moment: datetime) -> str:
    """The one written form of a time in the history: UTC, microseconds."""
    return moment.astimezone(dt_timezone.utc).isoformat(timespec="microseconds")


def event_hash(*, case_code, seq, action, from_status, to_status, actor_id, note, data, created_at, prev_hash) -> str:
    return _hash_of(case_code, seq, action, from_status, to_status, actor_id, note, data, utc_iso(created_at),
                    prev_hash)


def event_content(case_code, seq, action, from_status, to_status, actor_id, note, data, at_iso, prev_hash) -> dict:
    """What an event's hash covers (and, with the hash, what the ledger's leaf is made of)."""
    return {
        "case": case_code,
        "seq": seq,
        "action": action,
        "from": from_status,
        "to": to_status,
        "actor": actor_id,
        "note": note,
        "data": data,
        "at": at_iso,
        "prev": prev_hash,
    }


def _hash_of(case_code, seq, action, from_status, to_status, actor_id, note, data, at_iso, prev_hash) -> str:
    content = canonical_json(
        event_content(case_code, seq, action, from_status, to_status, actor_id, note, data, at_iso, prev_hash))
    return sha256(content.encode("utf-8")).hexdigest()


# The canonical form every hash is taken over: keys sorted, no spaces, UTF-8 as is.
canonical_json = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def case_event_append(*, case: Case, action: str, actor=None, from_status="", to_status="", note="", data=None) -> CaseEvent:
    """Append one event to a locked case's chain and move the case's head.

    The caller holds the case row lock inside a transaction, has applied the
    move to the case, saves the case afterwards (the head fields are set here,
    not saved), then calls `case_event_announce`. The receivers of
    `case_event_appending` (the clocks) set the case's deadline first; the
    event records it as `data["deadline"]`.
    """
    if action not in CaseAction.values:
        raise ValueError(f"{action!r} is not a CaseAction: add it to cases/actions.py, with its label")
    event = CaseEvent(
        case=case, seq=case.event_count + 1, action=action, from_status=from_status, to_status=to_status,
        actor=actor, note=note, created_at=timezone.now(), prev_hash=case.head_hash,
    )
    case_event_appending.send(sender=CaseEvent, case=case, event=event)
    event.data = {**(data or {}), "deadline": utc_iso(case.deadline) if case.deadline else None}
    event.hash = event_hash(
        case_code=case.code, seq=event.seq, action=action, from_status=from_status, to_status=to_status,
        actor_id=actor.pk if actor else None, note=note, data=event.data, created_at=event.created_at,
        prev_hash=event.prev_hash,
    )
    event.save(force_insert=True)
    case.event_count = event.seq
    case.head_hash = event.hash
    return event


def case_event_announce(*, case: Case, event: CaseEvent) -> None:
    """Tell listeners (the outbox) about an event, once the case row is saved.

    Still inside the transaction: what they write commits or rolls back with it.
    """
    case_event_recorded.send(sender=CaseEvent, case=case, event=event)


@dataclass
class BrokenLink:
    case_code: str
    seq: int | None
    reason: str
    field: str | None = None  # the case row's field that disagrees with the history, if that is the break

    def __str__(self):
        where = f"event #{self.seq}" if self.seq is not None else "chain head"
        return f"{self.case_code} {where}: {self.reason}"


@dataclass
class AuditResult:
    cases_checked: int = 0
    events_checked: int = 0
    first_broken: BrokenLink | None = None

    @property
    def ok(self) -> bool:
        return self.first_broken is None


# The events that hand the case to another unit, each naming it as `to_unit` (a step moved alone names its step).
_OWNER_CHANGES = frozenset({CaseAction.ASSIGN, CaseAction.REASSIGN, CaseAction.PULL_UP, CaseAction.UNIT_MERGED,
                            CaseAction.WORK_MOVED_UP})
# Events that may set the assignee; each names it as `assignee` (a username, or None). Older ones of these that
# do not (a task taken or given before they did) leave the assignee unknown until the next that does.
_ASSIGNEE_CHANGES = frozenset({CaseAction.ASSIGN, CaseAction.REASSIGN, CaseAction.PULL_UP, CaseAction.TAKE_TASK,
                               CaseAction.GIVE_TASK})
_PERSON_STEPS = frozenset({"orient_step", "resolve_step"})  # the steps whose task-holder is the case's assignee
UNKNOWN = object()  # a field the history does not state (yet)


def _owner_after(owner: str | None, action: str, data: dict) -> str | None:
    if action == CaseAction.INTAKE:
        return data.get("owner", owner)
    if action in _OWNER_CHANGES and "to_unit" in data and "step" not in data:
        return data["to_unit"]
    return owner


def _assignee_after(assignee, action: str, data: dict):
    if action == CaseAction.INTAKE:
        return None  # a case is logged with nobody assigned
    if "assignee" in data:
        return data["assignee"]
    if action in _ASSIGNEE_CHANGES and (data.get("step") in _PERSON_STEPS or "step" not in data):
        return UNKNOWN
    return assignee


def _row_disagrees(case_code, field, row_value, replayed) -> BrokenLink:
    return BrokenLink(case_code, None, f"the case row's {field} is {row_value!r}, its history says {replayed!r}",
                      field=field)


def _check_chain(case_code, head_count, head_hash, events, status=None, owner=None, row=None) -> tuple[int, BrokenLink | None]:
    """Walk one case's events (ordered by seq, times as UTC ISO strings); return how many and the first break.

    With the case row's `status` and `owner` (its unit's code), and `row` (its assignee's username, escalation
    level and deadline as a UTC ISO string): the history must end in them (a field changed without an event is
    a break naming the field). A field the history does not state is not compared.
    """
    expected_prev = ""
    expected_seq = 1
    last_at = ""
    checked = 0
    replayed_owner = None
    replayed_assignee = UNKNOWN
    replayed_level = 0
    for seq, action, from_status, to_status, actor_id, note, data, at_iso, prev_hash, digest in events:
        checked += 1
        data = data or {}
        replayed_owner = _owner_after(replayed_owner, action, data)
        replayed_assignee = _assignee_after(replayed_assignee, action, data)
        if action == CaseAction.ESCALATE and data.get("level", 0) > replayed_level:
            replayed_level = data["level"]
        if seq != expected_seq:
            return checked, BrokenLink(case_code, expected_seq, f"missing or reordered (found #{seq})")
        if prev_hash != expected_prev:
            return checked, BrokenLink(case_code, seq, "previous-hash link does not match")
        if _hash_of(case_code, seq, action, from_status, to_status, actor_id, note, data, at_iso, prev_hash) != digest:
            return checked, BrokenLink(case_code, seq, "content does not match its hash (edited)")
        if at_iso < last_at:  # same-format UTC ISO strings sort like the times they name
            return checked, BrokenLink(case_code, seq, "time runs backwards")
        last_at = at_iso
        expected_prev = digest
        expected_seq += 1
    if checked != head_count or expected_prev != head_hash:
        return checked, BrokenLink(case_code, None, f"case records {head_count} events, chain has {checked}")
    if status is not None and events and events[-1][3] != status:
        return checked, _row_disagrees(case_code, "status", status, events[-1][3])
    if owner is not None and replayed_owner is not None and replayed_owner != owner:
        return checked, _row_disagrees(case_code, "owner", owner, replayed_owner)
    if row is not None and events:
        assignee, level, deadline = row
        if replayed_assignee is not UNKNOWN and replayed_assignee != assignee:
            return checked, _row_disagrees(case_code, "assignee", assignee, replayed_assignee)
        if level != replayed_level:
            return checked, _row_disagrees(case_code, "escalation_level", level, replayed_level)
        last_data = events[-1][6] or {}
        if "deadline" in last_data and last_data["deadline"] != deadline:
            return checked, _row_disagrees(case_code, "deadline", deadline, last_data["deadline"])
    return checked, None


_EVENT_COLUMNS = "case_id, seq, action, from_status, to_status, actor_id, note, data, {at}, prev_hash, hash"
# PostgreSQL writes the time exactly as `_utc_iso` does, so no datetime is built per event.
_PG_AT = """to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""


def _event_rows(case_ids, id_range, chunk_size):
    """Every event to check, ordered by case and seq, with its time as a UTC ISO string.

    A plain cursor rather than the ORM: this reads every event ever written, and
    building model values for each was half the cost of checking it.
    """
    if connection.vendor != "postgresql":
        events = CaseEvent.objects.order_by("case_id", "seq")
        if case_ids is not None:
            events = events.filter(case_id__in=case_ids)
        if id_range is not None:
            events = events.filter(case_id__gte=id_range[0], case_id__lt=id_range[1])
        for row in events.values_list(
            "case_id", "seq", "action", "from_status", "to_status", "actor_id", "note", "data", "created_at",
            "prev_hash", "hash",
        ).iterator(chunk_size=chunk_size):
            yield row[:8] + (utc_iso(row[8]),) + row[9:]
        return
    where, params = [], []
    if case_ids is not None:
        where.append("case_id = ANY(%s)")
        params.append(list(case_ids))
    if id_range is not None:
        where.append("case_id >= %s AND case_id < %s")
        params.extend(id_range)
    sql = (f"SELECT {_EVENT_COLUMNS.format(at=_PG_AT)} FROM {CaseEvent._meta.db_table}"
           f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY case_id, seq")
    with connection.chunked_cursor() as cursor:
        cursor.cursor.itersize = chunk_size
        cursor.execute(sql, params)
        loads = json.loads  # Django's connection hands jsonb over as text
        for row in cursor:
            yield row[:7] + (loads(row[7]),) + row[8:]


def audit_verify(*, case_ids=None, chunk_size=5000, jobs=1, id_range=None) -> AuditResult:
    """Check every case's chain (or those in `case_ids`); stop at the first broken link.

    `jobs` > 1 checks ranges of case ids in that many processes at once (the
    chains are independent); the first break reported is the one in the lowest case.
    """
    # Other processes cannot see rows this transaction has not committed: inside one, check here.
    if jobs > 1 and case_ids is None and not connection.in_atomic_block:
        return _audit_verify_parallel(jobs=jobs, chunk_size=chunk_size, id_range=id_range)
    result = AuditResult()
    cases = Case.objects.order_by("pk")
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    if id_range is not None:
        cases = cases.filter(pk__gte=id_range[0], pk__lt=id_range[1])
    event_rows = _event_rows(case_ids, id_range, chunk_size)
    every_event = case_ids is None  # all of the table, or all of a range: a leftover event has no case

    pending = next(event_rows, None)
    rows = cases.values_list("pk", "code", "event_count", "head_hash", "status", "owner__code", "assignee__username",
                             "escalation_level", "deadline").iterator(chunk_size=chunk_size)
    for case_id, code, head_count, head_hash, status, owner, assignee, level, deadline in rows:
        own = []
        while pending is not None and pending[0] < case_id:
            # Events whose case is gone cannot exist (PROTECT); treat as tampering.
            result.first_broken = BrokenLink(f"case id {pending[0]}", pending[1], "event of an unknown case")
            return result
        while pending is not None and pending[0] == case_id:
            own.append(pending[1:])
            pending = next(event_rows, None)
        row = (assignee, level, utc_iso(deadline) if deadline else None)
        checked, broken = _check_chain(code, head_count, head_hash, own, status=status, owner=owner, row=row)
        result.cases_checked += 1
        result.events_checked += checked
        if broken:
            result.first_broken = broken
            return result
    if pending is not None and every_event:
        result.first_broken = BrokenLink(f"case id {pending[0]}", pending[1], "event of an unknown case")
    return result


def _verify_range(args) -> tuple[int, AuditResult]:
    index, id_range, chunk_size = args
    connections.close_all()  # a forked child must not share the parent's connection
    return index, audit_verify(id_range=id_range, chunk_size=chunk_size)


def _audit_verify_parallel(*, jobs: int, chunk_size: int, id_range=None) -> AuditResult:
    from django.db.models import Max, Min

    if id_range is not None:
        low, high = id_range
    else:
        bounds = Case.objects.aggregate(low=Min("pk"), high=Max("pk"))
        event_bounds = CaseEvent.objects.aggregate(low=Min("case_id"), high=Max("case_id"))
        ids = [v for v in (*bounds.values(), *event_bounds.values()) if v is not None]
        if not ids:
            return AuditResult()
        low, high = min(ids), max(ids) + 1  # events of unknown cases outside the cases' range are caught too
    edges = [low + (high - low) * k // jobs for k in range(jobs + 1)]
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        parts = dict(pool.map(_verify_range, [(k, (edges[k], edges[k + 1]), chunk_size) for k in range(jobs)]))
    total = AuditResult()
    for k in range(jobs):
        part = parts[k]
        total.cases_checked += part.cases_checked
        total.events_checked += part.events_checked
        if part.first_broken is not None and total.first_broken is None:
            total.first_broken = part.first_broken
    return total
