"""A report as an official Vietnamese document: what goes in each block, for the DOCX and the PDF alike.

Two layouts, chosen per unit (`UnitDocumentSettings.layout`): the Party's (Hướng dẫn 36-HD/VPTW) and the
State's (Nghị định 30/2020/NĐ-CP, Phụ lục I). The document's own text stays Vietnamese whatever the
reader's language: it is the unit's official document, not a screen.

A unit without settings gets defaults from its name and its parent's (`document_settings_for`).
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from cases.models import Unit, UnitKind

from .models import DocumentLayout, ReportKind, UnitDocumentSettings

PARTY_HEADING = "ĐẢNG CỘNG SẢN VIỆT NAM"
STATE_HEADING = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
STATE_MOTTO = "Độc lập - Tự do - Hạnh phúc"
DOCUMENT_KIND = "BÁO CÁO"
SUBJECT = "Tình hình tiếp nhận, giải quyết ý kiến, kiến nghị, phản ánh"
SITUATION_SUBJECT = "Tình hình dư luận xã hội"
# Printed where a draft has no number or date yet: the office fills them in by hand.
BLANK = "    "

# "Tỉnh ủy X" → "Đảng bộ tỉnh X": the superior Party body of a committee below it (36-HD/VPTW, 2.1).
_PARTY_COMMITTEE = re.compile(r"^(tỉnh|thành|huyện|quận|thị) ủy\s+(.+)$", re.IGNORECASE)
_COMMITTEE_TIER = {"tỉnh": "tỉnh", "thành": "thành phố", "huyện": "huyện", "quận": "quận", "thị": "thị xã"}
_PLACE = re.compile(r"(?:xã|phường|thị trấn|thị xã|thành phố|tỉnh|huyện|quận)\s+(.+)$", re.IGNORECASE)
_PARTY_NAME = re.compile(r"đảng|\b(?:tỉnh|thành|huyện|quận|thị) ủy\b|^chi bộ", re.IGNORECASE)


def _normal(name: str) -> str:
    return name.replace("uỷ", "ủy").replace("Uỷ", "Ủy").replace("UỶ", "ỦY").strip()


def _party_superior(parent_name: str) -> str:
    match = _PARTY_COMMITTEE.match(parent_name)
    if not match:
        return parent_name.upper()
    tier, rest = _COMMITTEE_TIER[match.group(1).lower()], match.group(2)
    if not rest.lower().startswith(tuple(_COMMITTEE_TIER.values())):
        rest = f"{tier} {rest}"
    return f"ĐẢNG BỘ {rest}".upper()


def default_layout(unit) -> str:
    """Party for a Party committee, cell or board (its name says so), State for anything else."""
    name = _normal(unit.name)
    if unit.kind == UnitKind.PARTY_CELL or (_PARTY_NAME.search(name) and "nhân dân" not in name.lower()):
        return DocumentLayout.PARTY
    return DocumentLayout.STATE


def document_settings_defaults(unit) -> dict:
    """The settings a unit gets until someone sets them on the administration site."""
    layout = default_layout(unit)
    name, parent = _normal(unit.name), Unit.objects.get_parent(unit)
    parent_name = _normal(parent.name) if parent else ""
    place = _PLACE.search(name)
    party = layout == DocumentLayout.PARTY
    return {
        "layout": layout,
        "superior_body": (_party_superior(parent_name) if parent_name else "") if party else "",
        "issuing_body": name.upper(),
        "number_pattern": "{number}-BC/ĐU" if party else "{number:02d}/BC-UBND",
        "next_number": 1,
        "place": place.group(1) if place else name,
        "recipients": "\n".join(
            ([f"{parent_name} (để báo cáo)"] if parent_name else [])
            + (["Lưu Văn phòng"] if party else ["Lưu: VT"])),
        "signer_authority": "T/M BAN THƯỜNG VỤ" if party else "TM. ỦY BAN NHÂN DÂN",
        "signer_title": "BÍ THƯ" if party else "CHỦ TỊCH",
        "signer_name": "",
    }


def document_settings_for(unit) -> UnitDocumentSettings:
    """The unit's settings row, or an unsaved one holding the defaults."""
    found = UnitDocumentSettings.objects.filter(unit=unit).first()
    return found or UnitDocumentSettings(unit=unit, **document_settings_defaults(unit))


@dataclass
class OfficialDocument:
    """The blocks of the document, in reading order (the DOCX and the PDF draw the same ones)."""

    party: bool
    superior_body: str
    issuing_body: str
    number_line: str
    place_date: str
    kind: str
    subject: str
    recipients: list[str] = field(default_factory=list)
    signer_authority: str = ""
    signer_title: str = ""
    signer_name: str = ""

    @property
    def heading(self) -> str:
        return PARTY_HEADING if self.party else STATE_HEADING


def period_phrase(report) -> str:
    """"tháng 10 năm 2026", "quý III năm 2026", ... as the subject line names the period."""
    start, end = report.period_start, report.period_end
    if report.kind in (ReportKind.MONTHLY, ReportKind.SITUATION):
        return f"tháng {start.month} năm {start.year}"
    if report.kind == ReportKind.QUARTERLY:
        return f"quý {'I II III IV'.split()[(start.month - 1) // 3]} năm {start.year}"
    if report.kind == ReportKind.SIX_MONTH:
        return f"6 tháng {'đầu' if start.month == 1 else 'cuối'} năm {start.year}"
    if report.kind == ReportKind.ANNUAL:
        return f"năm {start.year}"
    return f"từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"


def place_date(place: str, day: date | None, year: int) -> str:
    """"An Bình, ngày 05 tháng 02 năm 2026": day below 10 and months 1 and 2 with a leading zero (both rules)."""
    if day is None:
        return f"{place}, ngày{BLANK}tháng{BLANK}năm {year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def blank_number(pattern: str) -> str:
    """The pattern with room left for the number: "   -BC/ĐU"."""
    return re.sub(r"\{number[^}]*\}", BLANK, pattern)


def official_document(*, report, version=None) -> OfficialDocument:
    day = timezone.localtime(version.submitted_at).date() if version else None
    return unit_document(unit=report.unit, subject=_subject_line(report),
                         number=report.document_number if version else "", day=day)


def unit_document(*, unit, subject: str, number: str = "", day: date | None = None,
                  kind: str = DOCUMENT_KIND) -> OfficialDocument:
    """The blocks of an official document of `unit` on `subject`, in the unit's layout; a number and a date left
    blank until it is issued. Reports use it, and so do other documents of the unit (surveys' results)."""
    settings = document_settings_for(unit)
    party = settings.layout == DocumentLayout.PARTY
    number = number or blank_number(settings.number_pattern)
    # 36-HD/VPTW writes "Số 12-BC/ĐU"; Nghị định 30 writes "Số: 12/BC-UBND".
    number_line = f"Số {number}" if party else f"Số: {number}"
    recipients = [line.strip().lstrip("-").strip() for line in settings.recipients.splitlines() if line.strip()]
    return OfficialDocument(
        party=party,
        superior_body=settings.superior_body.upper(),
        issuing_body=settings.issuing_body.upper(),
        number_line=number_line,
        place_date=place_date(settings.place, day, (day or timezone.localdate()).year),
        kind=kind,
        subject=subject,
        recipients=_punctuated(recipients, party=party),
        signer_authority=settings.signer_authority.upper(),
        signer_title=settings.signer_title.upper(),
        signer_name=settings.signer_name,
    )


def _subject_line(report) -> str:
    if report.kind == ReportKind.SITUATION:
        return f"{SITUATION_SUBJECT} {period_phrase(report)}"
    if report.subject_id:  # a rapid report on one subject the board follows
        return f"{SITUATION_SUBJECT} về “{report.subject.title}” {period_phrase(report)}"
    return f"{SUBJECT} {period_phrase(report)}"


def _punctuated(lines: list[str], *, party: bool) -> list[str]:
    """"- Name," (Party, as the seeds write) or "- Name;" (State), the last one ending with a full stop."""
    between = "," if party else ";"
    shown = []
    for index, line in enumerate(lines):
        line = line.rstrip(".,;")
        shown.append(f"- {line}{'.' if index == len(lines) - 1 else between}")
    return shown

