"""Reads for the inspection committee: a unit's performance over a period with drill-down,
time per step, red flags, a reproducible sample of closed cases, and a case "as it stood"
on any date, all from the append-only history.

Cases are read through cases.selectors.case_list_for_user, so an inspector
sees exactly the cases their role reaches; nothing here writes to a case.
"""

import random
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from cases.actions import CaseAction
from cases.models import Case, CaseEvent, CaseStatus, Channel, Priority, Topic, Unit
from cases.selectors import case_list_for_user
from workflow.models import CaseClock, ClockKind, Escalation

from .exceptions import InspectionNotFound
from .figures import Moves, case_ids, overdue_cases
from .models import Inspection, InspectionAccessLog, InspectorNote
from .periods import bounds
from .permissions import inspector_units_paths, may_inspect

SAMPLE_SIZE = 10
CLOSED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.REPORTED, CaseStatus.REJECTED)


# --- inspections ---------------------------------------------------------------------


def inspection_list_for_user(*, user) -> QuerySet[Inspection]:
    paths = inspector_units_paths(user)
    if not paths:
        return Inspection.objects.none()
    scope = Q(pk__in=[])
    for path in paths:
        scope |= Q(unit__path__startswith=path)
    return Inspection.objects.filter(scope).select_related("unit", "created_by").order_by("-created_at", "-pk")


def inspection_get_for_user(*, user, pk) -> Inspection:
    try:
        inspection = Inspection.objects.select_related("unit", "created_by").get(pk=int(pk))
    except (Inspection.DoesNotExist, TypeError, ValueError, OverflowError):
        raise InspectionNotFound() from None
    if not may_inspect(user, inspection.unit):
        raise InspectionNotFound()
    return inspection


def access_log_for_user(*, user) -> QuerySet[InspectionAccessLog]:
    """Page views of the inspections this person may open, reads of the work of units their inspection role
    reaches, and their own."""
    inspections = inspection_list_for_user(user=user)
    seen = Q(inspection__in=inspections) | Q(user=user)
    for path in inspector_units_paths(user):
        seen |= Q(unit__path__startswith=path)
    return (
        InspectionAccessLog.objects.filter(seen)
        .select_related("user", "inspection").order_by("-when", "-pk")
    )


def inspection_notes(*, inspection: Inspection, case: Case | None = None) -> QuerySet[InspectorNote]:
    notes = inspection.notes.select_related("author", "case")
    return notes.filter(case=case) if case is not None else notes


# --- scope -------------------------------------------------------------------------------


def _window(inspection: Inspection) -> tuple[datetime, datetime]:
    return bounds(inspection.period_start, inspection.period_end)


def unit_scope(*, user, inspection: Inspection) -> QuerySet[Case]:
    """Every case of the unit's subtree the inspector may see."""
    return case_list_for_user(user=user).filter(owner__path__startswith=inspection.unit.path)


def inspection_cases(*, user, inspection: Inspection, scope_ids=None) -> QuerySet[Case]:
    """Cases received in the period, or with anything recorded in it."""
    since, until = _window(inspection)
    scope = unit_scope(user=user, inspection=inspection)
    scope_ids = case_ids(scope) if scope_ids is None else scope_ids
    active = CaseEvent.objects.filter(case_id__in=scope_ids, created_at__gte=since, created_at__lt=until)
    return scope.filter(Q(received_at__gte=since, received_at__lt=until) | Q(pk__in=active.values("case_id")))


# --- performance ---------------------------------------------------------------------------

METRICS = {
    "received": _("Tiếp nhận trong kỳ"),
    "resolved": _("Giải quyết xong trong kỳ"),
    "on_time": _("Đúng hạn"),
    "late": _("Trễ hạn"),
    "then_reopened": _("Giải quyết rồi bị mở lại"),
    "overdue": _("Đang quá hạn"),
    "escalated": _("Bị chuyển cấp trên"),
    "reopened": _("Bị mở lại"),
    "flagged": _("Có dấu hiệu bất thường"),
    "all": _("Mọi vụ việc của cuộc kiểm tra"),
}


def metric_case_ids(*, user, inspection: Inspection) -> dict[str, set[int]]:
    """For each performance metric, the ids of the cases behind it (for the counts and the drill-down)."""
    since, until = _window(inspection)
    now = timezone.now()
    scope = unit_scope(user=user, inspection=inspection)
    scope_ids = case_ids(scope)
    ids = {
        "received": set(scope.filter(received_at__gte=since, received_at__lt=until).values_list("pk", flat=True)),
    }
    moves = Moves(scope_ids, since)
    reopen_times = moves.reopen_times(since)
    on_time, late, then_reopened = set(), set(), set()
    for case_id, stopped_at, due in CaseClock.objects.filter(
        case_id__in=scope_ids, clock="resolve", stop_event=CaseAction.RESOLVE, stopped_at__gte=since, stopped_at__lt=until
    ).values_list("case_id", "stopped_at", "due_at"):
        if any(at > stopped_at for at in reopen_times.get(case_id, ())):
            then_reopened.add(case_id)
        elif stopped_at <= due:
            on_time.add(case_id)
        else:
            late.add(case_id)
    ids["resolved"] = moves.cases(CaseAction.RESOLVE, since, until)
    ids.update(on_time=on_time, late=late, then_reopened=then_reopened)
    ids["overdue"] = set(overdue_cases(scope, min(now, until)).values_list("pk", flat=True))
    ids["escalated"] = set(
        Escalation.objects.filter(case_id__in=scope_ids, created_at__gte=since, created_at__lt=until)
        .values_list("case_id", flat=True)
    )
    ids["reopened"] = moves.cases(CaseAction.REOPEN, since, until)
    ids["all"] = set(
        inspection_cases(user=user, inspection=inspection, scope_ids=scope_ids).values_list("pk", flat=True))
    ids["flagged"] = set(red_flags(case_ids=ids["all"]))
    return ids


@dataclass(frozen=True)
class StepTime:
    status: str
    label: str
    count: int
    average_seconds: float

    @property
    def average_text(self) -> str:
        hours = self.average_seconds / 3600
        # number_format writes the reader's decimal mark: "0,7 giờ" in Vietnamese, "0.7 hours" in English.
        if hours >= 24:
            return _("%(n)s ngày") % {"n": number_format(hours / 24, 1)}
        return _("%(n)s giờ") % {"n": number_format(hours, 1)}


def step_times(*, case_ids, since: datetime, until: datetime) -> list[StepTime]:
    """Average time spent in each status, for the steps that ended in the period (from event timestamps)."""
    totals: dict[str, list[float]] = {}
    current: dict[int, tuple[str, datetime]] = {}
    rows = (
        CaseEvent.objects.filter(case_id__in=list(case_ids), created_at__lt=until)
        .order_by("case_id", "seq").values_list("case_id", "from_status", "to_status", "created_at")
        .iterator(chunk_size=5000)
    )
    for case_id, from_status, to_status, at in rows:
        entered = current.get(case_id)
        if entered is not None and to_status and to_status != entered[0]:
            if at >= since:
                totals.setdefault(entered[0], []).append((at - entered[1]).total_seconds())
            current[case_id] = (to_status, at)
        elif entered is None and to_status:
            current[case_id] = (to_status, at)
    labels = dict(CaseStatus.choices)
    return [
        StepTime(status=status, label=str(labels[status]), count=len(totals[status]),
                 average_seconds=sum(totals[status]) / len(totals[status]))
        for status, _label in CaseStatus.choices if status in totals
    ]


def case_sample(*, user, inspection: Inspection, size: int = SAMPLE_SIZE) -> list[Case]:
    """A random sample of the closed cases, fixed by the inspection's seed (the same every time it is opened)."""
    closed = inspection_cases(user=user, inspection=inspection).filter(status__in=CLOSED_STATUSES)
    ids = sorted(closed.values_list("pk", flat=True))
    chosen = random.Random(inspection.seed).sample(ids, min(size, len(ids)))
    by_id = {case.pk: case for case in closed.filter(pk__in=chosen)}
    return [by_id[pk] for pk in chosen]


# --- red flags ----------------------------------------------------------------------------

FLAG_LABELS = {
    "deadline_moved_after_missed": _("Gia hạn sau khi đã quá hạn"),
    "extension_without_decision": _("Gia hạn không có số văn bản quyết định"),
    "resolved_without_response": _("Giải quyết xong mà không trả lời công khai dù lĩnh vực yêu cầu"),
    "response_edited": _("Nội dung trả lời bị sửa sau khi đã công bố"),
    "reveal_without_reason": _("Xem danh tính người phản ánh không nêu lý do"),
}


@dataclass(frozen=True)
class Flag:
    code: str
    seq: int | None  # the event that shows it (None: the case row itself)
    detail: str = ""

    @property
    def label(self) -> str:
        return str(FLAG_LABELS[self.code])


def red_flags(*, case_ids) -> dict[int, list[Flag]]:
    """Automatic red flags per case id (cases without any are left out)."""
    case_ids = list(case_ids)
    if not case_ids:
        return {}
    facts = {
        pk: (needs_response, public_response)
        for pk, needs_response, public_response in Case.objects.filter(pk__in=case_ids).values_list(
            "pk", "topic__needs_public_response", "public_response"
        )
    }
    flags: dict[int, list[Flag]] = {}
    orients: dict[int, list[tuple[int, str]]] = {}
    events = (
        CaseEvent.objects.filter(case_id__in=case_ids, action__in=(
            CaseAction.EXTEND, CaseAction.RESOLVE, CaseAction.ORIENT, CaseAction.REVEAL_REPORTER))
        .order_by("case_id", "seq").values_list("case_id", "seq", "action", "note", "data", "created_at")
    )
    for case_id, seq, action, note, data, at in events:
        data = data or {}
        found = flags.setdefault(case_id, [])
        if action == CaseAction.EXTEND:
            old_due = parse_datetime(data.get("old_due") or "")
            if old_due is not None and at > old_due:
                found.append(Flag("deadline_moved_after_missed", seq, data.get("old_due", "")))
            if not str(data.get("decision_ref") or "").strip():
                found.append(Flag("extension_without_decision", seq))
        elif action == CaseAction.RESOLVE:
            if data.get("orient_skipped") and facts.get(case_id, (False, ""))[0]:
                found.append(Flag("resolved_without_response", seq))
        elif action == CaseAction.ORIENT:
            orients.setdefault(case_id, []).append((seq, note))
            if len(orients[case_id]) == 2:
                found.append(Flag("response_edited", seq))
        elif action == CaseAction.REVEAL_REPORTER and not (note or "").strip():
            found.append(Flag("reveal_without_reason", seq))
    for case_id, published in orients.items():
        current = facts.get(case_id, (False, ""))[1]
        if len(published) == 1 and (current or "").strip() != (published[-1][1] or "").strip():
            flags.setdefault(case_id, []).append(Flag("response_edited", None))
    return {case_id: found for case_id, found in flags.items() if found}


# --- a case as it stood ---------------------------------------------------------------------

AS_OF_FIELDS = [
    ("status", _("Trạng thái")),
    ("owner", _("Đơn vị xử lý")),
    ("assignee", _("Người xử lý")),
    ("topic", _("Lĩnh vực")),
    ("locality", _("Địa bàn")),
    ("channel", _("Kênh tiếp nhận")),
    ("priority", _("Độ khẩn")),
    ("deadline", _("Hạn của bước đang chạy")),
    ("escalation_level", _("Mức chuyển cấp trên")),
    ("public_response", _("Nội dung trả lời công khai")),
    ("outcome", _("Kết quả giải quyết")),
    ("closing_reason", _("Lý do không thụ lý")),
    ("merged_into", _("Gộp vào vụ việc")),
    ("report", _("Đưa vào báo cáo")),
]


@dataclass
class CaseAsOf:
    moment: datetime
    values: dict  # field → raw value (codes, texts, datetimes)
    set_by: dict  # field → seq of the event that last set it
    events: list  # the events up to the moment
    later: int  # events recorded after it
    exists: bool  # False before the intake was recorded


def case_as_of(*, case: Case, moment: datetime) -> CaseAsOf:
    """Replay the case's history up to `moment`: its state, owner and the fields events had set by then."""
    events = list(case.events.select_related("actor").filter(created_at__lte=moment).order_by("seq"))
    later = case.events.filter(created_at__gt=moment).count()
    values: dict = {"escalation_level": 0}
    set_by: dict = {}

    def put(name, value, seq):
        values[name] = value
        set_by[name] = seq

    for event in events:
        data = event.data or {}
        if event.to_status:
            put("status", event.to_status, event.seq)
        action = event.action
        if action == CaseAction.INTAKE:
            for name in ("channel", "topic", "locality", "priority", "owner"):
                if data.get(name):
                    put(name, data[name], event.seq)
        elif action == CaseAction.VERIFY:
            for name, (_old, new) in (data.get("changes") or {}).items():
                put(name, new, event.seq)
        elif action in (CaseAction.ASSIGN, CaseAction.REASSIGN, CaseAction.UNIT_MERGED):
            if data.get("to_unit"):
                put("owner", data["to_unit"], event.seq)
            if action != CaseAction.UNIT_MERGED:
                put("assignee", data.get("assignee") or "", event.seq)
        elif action == CaseAction.ORIENT:
            put("public_response", event.note, event.seq)
        elif action == CaseAction.RESOLVE:
            put("outcome", event.note, event.seq)
        elif action == CaseAction.REJECT:
            put("closing_reason", event.note, event.seq)
        elif action == CaseAction.MERGE and data.get("into"):
            put("merged_into", data["into"], event.seq)
        elif action == CaseAction.REPORT:
            put("report", data.get("report", ""), event.seq)
        elif action == CaseAction.ESCALATE and int(data.get("level") or 0) > values["escalation_level"]:
            put("escalation_level", int(data["level"]), event.seq)
    deadline = _deadline_at(case=case, moment=moment)
    if deadline is not None:
        values["deadline"] = deadline
    return CaseAsOf(moment=moment, values=values, set_by=set_by, events=events, later=later, exists=bool(events))


def _deadline_at(*, case: Case, moment: datetime) -> datetime | None:
    """The due time of the step clock running at `moment`, undoing moves (extensions, resumes) made after it."""
    clock = (
        CaseClock.objects.filter(case=case, kind=ClockKind.STEP, started_at__lte=moment)
        .filter(Q(stopped_at__isnull=True) | Q(stopped_at__gt=moment)).order_by("-started_at", "-pk").first()
    )
    if clock is None:
        return None
    moved_later = (
        CaseEvent.objects.filter(case=case, action__in=(CaseAction.EXTEND, CaseAction.CLOCK_RESUME, CaseAction.DEADLINE_RECOMPUTED),
                                 created_at__gt=moment, data__clock=clock.clock)
        .order_by("seq").values_list("data", flat=True).first()
    )
    if moved_later and moved_later.get("old_due"):
        return parse_datetime(moved_later["old_due"])
    return clock.due_at


def as_of_rows(state: CaseAsOf) -> list[tuple[str, str, int | None]]:
    """(label, value shown, seq that set it) for the template, names for codes."""
    values = state.values
    units = {u.code: u.name for u in Unit.objects.filter(code__in=[values.get("owner"), values.get("locality")])}
    topic = Topic.objects.filter(code=values.get("topic")).values_list("name", flat=True).first()
    channel = Channel.objects.filter(code=values.get("channel")).values_list("name", flat=True).first()
    shown = {
        "status": str(dict(CaseStatus.choices).get(values.get("status"), values.get("status", ""))),
        "owner": units.get(values.get("owner"), values.get("owner", "")),
        "locality": units.get(values.get("locality"), values.get("locality", "")),
        "topic": topic or values.get("topic", ""),
        "channel": channel or values.get("channel", ""),
        "deadline": timezone.localtime(values["deadline"]).strftime("%d/%m/%Y %H:%M") if values.get("deadline") else "",
    }
    if values.get("priority"):
        shown["priority"] = str(dict(Priority.choices).get(values["priority"], values["priority"]))
    rows = []
    for name, label in AS_OF_FIELDS:
        value = shown.get(name, values.get(name, ""))
        if value in ("", None) and name not in ("status", "owner"):
            continue
        rows.append((str(label), str(value), state.set_by.get(name)))
    return rows
