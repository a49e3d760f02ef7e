"""The hash-chained case history: writing one link, and checking every chain.

Each event's hash is SHA-256 over a canonical JSON of its content and the
previous event's hash. The case row keeps the head of its chain (count and
last hash), so removing the newest event is caught as well as any other.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone as dt_timezone

from django.utils import timezone

from .models import Case, CaseEvent
from .signals import case_event_recorded


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(dt_timezone.utc).isoformat(timespec="microseconds")


def event_hash(*, case_code, seq, action, from_status, to_status, actor_id, note, data, created_at, prev_hash) -> str:
    content = json.dumps(
        {
            "case": case_code,
            "seq": seq,
            "action": action,
            "from": from_status,
            "to": to_status,
            "actor": actor_id,
            "note": note,
            "data": data,
            "at": _utc_iso(created_at),
            "prev": prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def case_event_append(*, case: Case, action: str, actor=None, from_status="", to_status="", note="", data=None) -> CaseEvent:
    """Append one event to a locked case's chain and move the case's head.

    The caller holds the case row lock inside a transaction, saves the case
    afterwards (the head fields are set here, not saved), then calls
    `case_event_announce`.
    """
    data = data or {}
    seq = case.event_count + 1
    created_at = timezone.now()
    prev_hash = case.head_hash
    digest = event_hash(
        case_code=case.code, seq=seq, action=action, from_status=from_status, to_status=to_status,
        actor_id=actor.pk if actor else None, note=note, data=data, created_at=created_at, prev_hash=prev_hash,
    )
    event = CaseEvent.objects.create(
        case=case, seq=seq, action=action, from_status=from_status, to_status=to_status, actor=actor,
        note=note, data=data, created_at=created_at, prev_hash=prev_hash, hash=digest,
    )
    case.event_count = seq
    case.head_hash = digest
    return event


def case_event_announce(*, case: Case, event: CaseEvent) -> None:
    """Tell listeners (flow, clocks, outbox) about an event, once the case row is saved.

    Still inside the transaction: what they write commits or rolls back with it.
    """
    case_event_recorded.send(sender=CaseEvent, case=case, event=event)


@dataclass
class BrokenLink:
    case_code: str
    seq: int | None
    reason: str

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


def _check_chain(case_code, head_count, head_hash, events) -> tuple[int, BrokenLink | None]:
    """Walk one case's events (ordered by seq); return how many and the first break."""
    expected_prev = ""
    expected_seq = 1
    last_at = None
    checked = 0
    for seq, action, from_status, to_status, actor_id, note, data, created_at, prev_hash, digest in events:
        checked += 1
        if seq != expected_seq:
            return checked, BrokenLink(case_code, expected_seq, f"missing or reordered (found #{seq})")
        if prev_hash != expected_prev:
            return checked, BrokenLink(case_code, seq, "previous-hash link does not match")
        recomputed = event_hash(
            case_code=case_code, seq=seq, action=action, from_status=from_status, to_status=to_status,
            actor_id=actor_id, note=note, data=data, created_at=created_at, prev_hash=prev_hash,
        )
        if recomputed != digest:
            return checked, BrokenLink(case_code, seq, "content does not match its hash (edited)")
        if last_at is not None and created_at < last_at:
            return checked, BrokenLink(case_code, seq, "time runs backwards")
        last_at = created_at
        expected_prev = digest
        expected_seq += 1
    if checked != head_count or expected_prev != head_hash:
        return checked, BrokenLink(case_code, None, f"case records {head_count} events, chain has {checked}")
    return checked, None


def audit_verify(*, case_ids=None, chunk_size=5000) -> AuditResult:
    """Check every case's chain; stop at the first broken link."""
    result = AuditResult()
    cases = Case.objects.order_by("pk")
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    events = CaseEvent.objects.order_by("case_id", "seq")
    if case_ids is not None:
        events = events.filter(case_id__in=case_ids)
    event_rows = events.values_list(
        "case_id", "seq", "action", "from_status", "to_status", "actor_id", "note", "data", "created_at",
        "prev_hash", "hash",
    ).iterator(chunk_size=chunk_size)

    pending = next(event_rows, None)
    for case_id, code, head_count, head_hash in cases.values_list("pk", "code", "event_count", "head_hash").iterator(
        chunk_size=chunk_size
    ):
        own = []
        while pending is not None and pending[0] < case_id:
            # Events whose case is gone cannot exist (PROTECT); treat as tampering.
            result.first_broken = BrokenLink(f"case id {pending[0]}", pending[1], "event of an unknown case")
            return result
        while pending is not None and pending[0] == case_id:
            own.append(pending[1:])
            pending = next(event_rows, None)
        checked, broken = _check_chain(code, head_count, head_hash, own)
        result.cases_checked += 1
        result.events_checked += checked
        if broken:
            result.first_broken = broken
            return result
    if pending is not None and case_ids is None:
        result.first_broken = BrokenLink(f"case id {pending[0]}", pending[1], "event of an unknown case")
    return result
