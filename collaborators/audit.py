"""The hash-chained history of an opinion note.

Like a case's chain (cases.audit), each event's hash is SHA-256 over a canonical JSON of its content and the
previous event's hash. Unlike it, the chain never holds the note's text, only a digest of it: an event
records `digest` (when filed) or `old_digest` and `new_digest` (when the secretariat redacts), so the text
can be changed by a recorded redaction and the history still proves what the text was and who changed it.

`note_chain_verify` walks the chain, checks every link, replays the digests and compares the last one with
the note's text now: it accepts the current text only under the last redaction (or the filing).
"""

from dataclasses import dataclass
from hashlib import sha256

from django.utils import timezone

from cases.audit import canonical_json, utc_iso

from .models import NoteAction, NoteEvent, OpinionNote

# The fields whose text the chain covers (a redaction may change any of them).
TEXT_FIELDS = ("summary", "recommendation")


def text_digest(note: OpinionNote) -> str:
    return sha256(canonical_json({name: getattr(note, name) or "" for name in TEXT_FIELDS}).encode()).hexdigest()


def _event_hash(*, code, seq, action, actor_id, at_iso, data, prev_hash) -> str:
    content = {"note": code, "seq": seq, "action": action, "actor": actor_id, "at": at_iso, "data": data,
               "prev": prev_hash}
    return sha256(canonical_json(content).encode()).hexdigest()


def note_event_append(*, note: OpinionNote, action: str, actor, data: dict) -> NoteEvent:
    """Append one link; the caller holds the note's row lock (or has just created it)."""
    if action not in NoteAction.values:
        raise ValueError(f"unknown note action {action!r}")
    last = note.events.order_by("-seq").first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, "")
    at = timezone.now()
    digest = _event_hash(code=note.code, seq=seq, action=action, actor_id=actor.pk, at_iso=utc_iso(at), data=data,
                         prev_hash=prev)
    return NoteEvent.objects.create(note=note, seq=seq, action=action, actor=actor, at=at, data=data,
                                    prev_hash=prev, hash=digest)


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    problem: str = ""
    events: int = 0


def note_chain_verify(note: OpinionNote) -> ChainCheck:
    """Whether the note's history is intact and its text now is the text the last filing/redaction recorded."""
    prev, expected = "", None
    events = list(note.events.order_by("seq"))
    for index, event in enumerate(events, start=1):
        if event.seq != index:
            return ChainCheck(False, f"event {index} missing", len(events))
        if event.prev_hash != prev:
            return ChainCheck(False, f"event {event.seq}: link to the previous event broken", len(events))
        recomputed = _event_hash(code=note.code, seq=event.seq, action=event.action, actor_id=event.actor_id,
                                 at_iso=utc_iso(event.at), data=event.data, prev_hash=event.prev_hash)
        if recomputed != event.hash:
            return ChainCheck(False, f"event {event.seq}: content changed", len(events))
        if event.action == NoteAction.FILED:
            expected = event.data.get("digest")
        elif event.action == NoteAction.REDACTED:
            if event.data.get("old_digest") != expected:
                return ChainCheck(False, f"event {event.seq}: redaction of a text the history does not hold",
                                  len(events))
            expected = event.data.get("new_digest")
        prev = event.hash
    if expected is None:
        return ChainCheck(False, "no filing event", len(events))
    if text_digest(note) != expected:
        return ChainCheck(False, "the text differs from the text the history holds", len(events))
    return ChainCheck(True, "", len(events))
