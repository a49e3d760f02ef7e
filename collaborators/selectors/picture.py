"""The picture of a subject: attitudes by locality and group over time, the spread across localities, and
subjects rising fast (the emerging-issue signal's own test, reports.emerging.series_test, on subject ×
locality). Only the notes the reader may see are counted."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from reports.emerging import BASELINE_WEEKS, WINDOW, series_test

from ..models import Attitude, SocialGroup, Subject
from .notes import note_list_for_user

WEEKS_SHOWN = 8
# Attitudes that count as opposition in the spread across localities.
NEGATIVE = (Attitude.DISAGREE, Attitude.INDIGNANT)


def _window_of(moment: datetime, until: datetime, weeks: int) -> int | None:
    """0 for the oldest of `weeks` 7-day windows ending at `until`, weeks - 1 for the last; None outside."""
    back = (until - moment) // WINDOW
    index = weeks - 1 - back
    return index if 0 <= index < weeks and moment < until else None


@dataclass
class Panel:
    """One small multiple: a locality (or a group), its counts per week and attitude."""

    key: str
    label: str
    weeks: list = field(default_factory=list)  # [{attitude: count}] oldest first
    total: int = 0
    by_attitude: dict = field(default_factory=dict)

    @property
    def negative_share(self) -> int:
        negative = sum(self.by_attitude.get(a, 0) for a in NEGATIVE)
        return round(100 * negative / self.total) if self.total else 0

    @property
    def peak(self) -> int:
        return max((sum(w.values()) for w in self.weeks), default=0)


@dataclass
class Picture:
    subject: Subject
    week_starts: list
    localities: list
    groups: list
    total: int
    attitudes: list

    @property
    def locality_peak(self) -> int:
        """The largest week of any locality: the localities' panels share one scale."""
        return max((panel.peak for panel in self.localities), default=1) or 1


def subject_picture(*, user, subject: Subject, until: datetime | None = None, weeks: int = WEEKS_SHOWN) -> Picture:
    until = until or timezone.now()
    since = until - weeks * WINDOW
    notes = note_list_for_user(user=user, filters={"subject": subject.pk, "since": since, "until": until})
    rows = notes.values_list("filed_at", "locality_id", "locality__name", "attitude", "groups")
    localities: dict = {}
    groups: dict = {}
    group_labels = dict(SocialGroup.choices)
    total = 0
    for filed_at, locality_id, locality_name, attitude, note_groups in rows:
        index = _window_of(filed_at, until, weeks)
        if index is None:
            continue
        total += 1
        panels = [localities.setdefault(locality_id, Panel(str(locality_id), locality_name,
                                                           [{} for _ in range(weeks)]))]
        for group in note_groups or []:
            panels.append(groups.setdefault(group, Panel(group, str(group_labels.get(group, group)),
                                                         [{} for _ in range(weeks)])))
        for panel in panels:
            panel.weeks[index][attitude] = panel.weeks[index].get(attitude, 0) + 1
            panel.by_attitude[attitude] = panel.by_attitude.get(attitude, 0) + 1
            panel.total += 1
    week_starts = [timezone.localtime(until - (weeks - i) * WINDOW).date() for i in range(weeks)]
    return Picture(subject=subject, week_starts=week_starts,
                   localities=sorted(localities.values(), key=lambda p: (-p.total, p.label)),
                   groups=sorted(groups.values(), key=lambda p: (-p.total, p.label)), total=total,
                   attitudes=list(Attitude.choices))


@dataclass(frozen=True)
class RisingSubject:
    subject_id: int
    subject_title: str
    locality_id: int
    locality_name: str
    count: int
    baseline: float
    p_value: float
    weeks: tuple


def rising_subjects(*, user, until: datetime | None = None) -> list[RisingSubject]:
    """Subject × locality pairs whose notes this week are unusually many for them (the emerging-issue test)."""
    until = until or timezone.now()
    weeks = BASELINE_WEEKS + 1
    rows = (note_list_for_user(user=user, filters={"since": until - weeks * WINDOW, "until": until})
            .values_list("subject_id", "subject__title", "locality_id", "locality__name", "filed_at"))
    series: dict = {}
    names: dict = {}
    for subject_id, title, locality_id, locality_name, filed_at in rows:
        index = _window_of(filed_at, until, weeks)
        if index is None:
            continue
        series.setdefault((subject_id, locality_id), [0] * weeks)[index] += 1
        names[(subject_id, locality_id)] = (title, locality_name)
    flagged = []
    for key, counts in series.items():
        tested = series_test(counts)
        if tested is not None:
            flagged.append(RisingSubject(key[0], names[key][0], key[1], names[key][1], counts[-1], tested[0],
                                         tested[1], tuple(counts)))
    return sorted(flagged, key=lambda r: (r.p_value, -r.count, r.subject_title))
