"""The state of opinion a situation report states (báo cáo tình hình dư luận xã hội): the period's opinion
notes of a unit's subtree by subject, attitude counts by locality, the notes' summaries and recommendations
condensed, and the survey results (none yet: see `SURVEY_RESULT_PROVIDERS`).

Figures only (JSON-safe, names frozen as they are today); who may read them is the report's question.
The document's text is Vietnamese whatever the reader's language (reports.official).
"""

from collections.abc import Callable
from datetime import date

from django.utils import translation

from cases.models import Unit
from collaborators.models import Attitude, Intensity, NoteAction, OpinionNote, Spread

from .periods import bounds

# How many summaries and recommendations a subject keeps in the report (the notes behind stay on their pages).
SUMMARIES_KEPT = 5
RECOMMENDATIONS_KEPT = 5
SUMMARY_CHARS = 300
# Weight of a note when choosing which summaries a subject keeps: the widest and most intense first.
_SPREAD_RANK = {Spread.WIDE: 2, Spread.SOME: 1}
_INTENSITY_RANK = {Intensity.HIGH: 2, Intensity.MEDIUM: 1}

# The extension point for survey results (issue 19 item 6): each provider is called as
# provider(unit=, start=, end=) and returns a list of {"title": str, "rows": [(label, value), ...],
# "paragraphs": [str, ...]} sections, Vietnamese, JSON-safe. The surveys app appends its provider when
# it exists; until then a situation report has no survey section at all.
SURVEY_RESULT_PROVIDERS: list[Callable[..., list[dict]]] = []


def _condensed(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rstrip() + "…"


def opinion_figures(*, unit: Unit, start: date, end: date, subject_id: int | None = None) -> dict:
    """The period's notes filed in the unit's subtree (one subject's when `subject_id`), by subject."""
    since, until = bounds(start, end)
    notes = (
        OpinionNote.objects.filter(unit__path__startswith=unit.path, filed_at__gte=since, filed_at__lt=until)
        .select_related("subject", "locality").order_by("filed_at", "pk")
    )
    if subject_id is not None:
        notes = notes.filter(subject_id=subject_id)
    subjects: dict[int, dict] = {}
    collaborators = set()
    for note in notes:
        collaborators.add(note.collaborator_id)
        entry = subjects.setdefault(note.subject_id, {
            "id": note.subject_id, "title": note.subject.title, "kind": note.subject.kind, "notes": 0,
            "attitudes": {}, "localities": {}, "_notes": [],
        })
        entry["notes"] += 1
        entry["attitudes"][note.attitude] = entry["attitudes"].get(note.attitude, 0) + 1
        place = entry["localities"].setdefault(note.locality.code, {
            "code": note.locality.code, "name": note.locality.name, "n": 0, "attitudes": {}})
        place["n"] += 1
        place["attitudes"][note.attitude] = place["attitudes"].get(note.attitude, 0) + 1
        entry["_notes"].append(note)
    return {
        "notes": sum(entry["notes"] for entry in subjects.values()),
        "collaborators": len(collaborators),
        "attitudes": _attitude_names(),
        "subjects": sorted((_subject_row(entry) for entry in subjects.values()),
                           key=lambda row: (-row["notes"], row["title"])),
    }


def _attitude_names() -> list[dict]:
    # Frozen with the figures in Vietnamese, the official document's language; screens show the code's label.
    with translation.override("vi"):
        return [{"code": code, "name": str(label)} for code, label in Attitude.choices]


def _subject_row(entry: dict) -> dict:
    notes = entry.pop("_notes")
    weighty = sorted(notes, key=lambda n: (-_SPREAD_RANK.get(n.spread, 0) - _INTENSITY_RANK.get(n.intensity, 0),
                                           -n.filed_at.timestamp()))
    recommendations, seen = [], set()
    for note in weighty:
        text = _condensed(note.recommendation)
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            recommendations.append({"code": note.code, "text": text})
    return {
        **entry,
        "localities": sorted(entry["localities"].values(), key=lambda row: row["name"]),
        "summaries": [{"code": n.code, "text": _condensed(n.summary)} for n in weighty[:SUMMARIES_KEPT]],
        "recommendations": recommendations[:RECOMMENDATIONS_KEPT],
        "codes": [n.code for n in notes],
    }


def attitude_totals(opinion: dict) -> dict[str, int]:
    """A situation report's notes over all its subjects: {"notes": n, <attitude code>: n, ...}."""
    totals = {"notes": opinion.get("notes", 0)}
    for subject in opinion.get("subjects", []):
        for code, n in subject["attitudes"].items():
            totals[code] = totals.get(code, 0) + n
    return totals


def with_redactions(opinion: dict) -> dict:
    """Frozen figures as they may be shown now: a note redacted since the report was sent (the secretariat
    removed what identified someone) shows its redacted text here too; the frozen version keeps the note's code."""
    codes = {row["code"] for subject in opinion.get("subjects", [])
             for row in subject["summaries"] + subject["recommendations"]}
    redacted = {note.code: note for note in OpinionNote.objects.filter(
        code__in=codes, events__action=NoteAction.REDACTED).distinct()}
    if not redacted:
        return opinion
    subjects = []
    for subject in opinion["subjects"]:
        def current(row, field):
            note = redacted.get(row["code"])
            return {**row, "text": _condensed(getattr(note, field))} if note else row
        subjects.append({**subject, "summaries": [current(row, "summary") for row in subject["summaries"]],
                         "recommendations": [current(row, "recommendation") for row in subject["recommendations"]]})
    return {**opinion, "subjects": subjects}


def survey_results(*, unit: Unit, start: date, end: date) -> list[dict]:
    return [section for provider in SURVEY_RESULT_PROVIDERS for section in provider(unit=unit, start=start, end=end)]


def _attitude_phrase(attitudes: dict, labels: list[dict]) -> str:
    return "; ".join(f"{row['name'].lower()}: {attitudes[row['code']]}" for row in labels if attitudes.get(row["code"]))


def narrative_draft(opinion: dict) -> str:
    """A first narrative for a new situation report, one paragraph a subject, for the secretariat to edit."""
    lines = []
    for number, subject in enumerate(opinion.get("subjects", []), start=1):
        lines.append(f"{number}. {subject['title']}: {subject['notes']} phiếu thông tin "
                     f"({_attitude_phrase(subject['attitudes'], opinion['attitudes'])}).")
        lines.extend(f"- {row['text']}" for row in subject["summaries"][:2])
        if subject["recommendations"]:
            lines.append("Kiến nghị: " + "; ".join(row["text"] for row in subject["recommendations"][:3]))
    return "\n".join(lines)


def document_sections(opinion: dict, surveys: list[dict]) -> list[dict]:
    """The opinion part of the official document: one table and its summaries per subject, then surveys."""
    labels = opinion.get("attitudes", [])
    sections = [{"heading": "I. TÌNH HÌNH DƯ LUẬN XÃ HỘI",
                 "paragraphs": [f"Trong kỳ, {opinion.get('collaborators', 0)} cộng tác viên gửi "
                                f"{opinion.get('notes', 0)} phiếu thông tin dư luận."]}]
    for number, subject in enumerate(opinion.get("subjects", []), start=1):
        header = ("Địa bàn", *[row["name"] for row in labels], "Cộng")
        rows = [(place["name"], *[place["attitudes"].get(row["code"], 0) for row in labels], place["n"])
                for place in subject["localities"]]
        rows.append(("Cộng", *[subject["attitudes"].get(row["code"], 0) for row in labels], subject["notes"]))
        paragraphs = [row["text"] for row in subject["summaries"]]
        if subject["recommendations"]:
            paragraphs.append("Kiến nghị, đề xuất: " + "; ".join(row["text"] for row in subject["recommendations"]) + ".")
        sections.append({"heading": f"{number}. {subject['title']}", "header": header, "rows": rows,
                         "paragraphs": paragraphs})
    for survey in surveys:
        sections.append({"heading": survey["title"], "rows": survey.get("rows", []),
                         "paragraphs": survey.get("paragraphs", [])})
    return sections
