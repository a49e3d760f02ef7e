"""Every write of briefings (giao ban) and training sessions: holding one, its agenda, attendance and minutes,
its decisions, and a decision becoming a case.

A decision becomes a case, not a task of its own: the case engine already gives it an owner's queue,
step clocks, escalation, the hash-chained history and a place in the monthly figures; a separate task
list would be a second, weaker follow-up system. The case is logged by the unit's leader (an intake role)
through cases.services.intake.case_intake on the collaborators' channel; it then goes through verification
and assignment to the decision's owner unit like any other.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from cases.exceptions import Conflict, PermissionDenied
from cases.models import Case, Channel, Role, Topic, Unit
from cases.permissions import has_role
from cases.services.intake import case_intake
from cases.validation import required_text

from ..models import Briefing, BriefingDecision, BriefingKind, Collaborator, Subject, TrainingSession
from ..selectors_briefings import (
    BriefingNotFound,
    briefing_collaborator_choices,
    briefing_subject_choices,
    may_read_briefings,
    may_write_briefings,
    owner_unit_choices,
)

# The channel a decision's case is logged on (cases.demo's reference data), and the one tried next.
DECISION_CHANNELS = ("collaborator", "meeting")
MINUTES_MAX = 50_000


def _check_writer(by, unit: Unit) -> None:
    """403 for someone who reads the unit's briefings but may not hold them; "not found" for the others."""
    if may_write_briefings(by, unit):
        return
    if may_read_briefings(by, unit):
        raise PermissionDenied(_("Chỉ lãnh đạo hoặc văn phòng tổng hợp của đơn vị mới tổ chức, ghi biên bản giao ban."))
    raise BriefingNotFound()


def _ids(values, field: str) -> set[int]:
    try:
        return {int(value) for value in values or ()}
    except (TypeError, ValueError):
        raise ValidationError({field: _("Lựa chọn không hợp lệ.")}) from None


def _subjects(unit: Unit, ids) -> list[Subject]:
    ids = _ids(ids, "subjects")
    found = list(briefing_subject_choices(unit=unit).filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({"subjects": _("Có chủ đề không thuộc phạm vi của đơn vị.")})
    return found


def _attendees(unit: Unit, ids) -> list[Collaborator]:
    ids = _ids(ids, "attendees")
    found = list(briefing_collaborator_choices(unit=unit).filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({"attendees": _("Có người dự không phải cộng tác viên của đơn vị.")})
    return found


def briefing_create(*, by, unit: Unit, kind: str, held_at: datetime, place: str = "", subject_ids=(),
                    attendee_ids=(), minutes: str = "") -> Briefing:
    """Hold a briefing of the unit's collaborators: its kind, time and place, agenda and attendance."""
    _check_writer(by, unit)
    if kind not in BriefingKind.values:
        raise ValidationError({"kind": _("Loại giao ban không hợp lệ.")})
    if len(minutes or "") > MINUTES_MAX:
        raise ValidationError({"minutes": _("Biên bản quá dài.")})
    subjects, attendees = _subjects(unit, subject_ids), _attendees(unit, attendee_ids)
    with transaction.atomic():
        briefing = Briefing.objects.create(unit=unit, kind=kind, held_at=held_at, place=(place or "").strip()[:200],
                                           minutes=minutes or "", created_by=by)
        briefing.subjects.set(subjects)
        briefing.attendees.set(attendees)
    return briefing


def briefing_update(*, briefing: Briefing, by, minutes: str, place: str | None = None, subject_ids=None,
                    attendee_ids=None) -> Briefing:
    """Write the minutes (and correct the agenda or attendance) of a briefing."""
    _check_writer(by, briefing.unit)
    if len(minutes or "") > MINUTES_MAX:
        raise ValidationError({"minutes": _("Biên bản quá dài.")})
    subjects = _subjects(briefing.unit, subject_ids) if subject_ids is not None else None
    attendees = _attendees(briefing.unit, attendee_ids) if attendee_ids is not None else None
    with transaction.atomic():
        locked = Briefing.objects.select_for_update().get(pk=briefing.pk)
        locked.minutes = minutes or ""
        if place is not None:
            locked.place = place.strip()[:200]
        locked.save(update_fields=["minutes", "place"])
        if subjects is not None:
            locked.subjects.set(subjects)
        if attendees is not None:
            locked.attendees.set(attendees)
    return locked


def briefing_decision_add(*, briefing: Briefing, by, text: str, owner: Unit, deadline: datetime,
                          topic: Topic | None = None) -> BriefingDecision:
    """A decision of the briefing, given to a unit of its subtree with a deadline."""
    _check_writer(by, briefing.unit)
    text = required_text(text, "text", _("Cần nhập nội dung kết luận."))
    errors = {}
    if not owner_unit_choices(unit=briefing.unit).filter(pk=owner.pk).exists():
        errors["owner"] = _("Đơn vị thực hiện phải là đơn vị tổ chức giao ban hoặc đơn vị cấp dưới.")
    if deadline <= briefing.held_at:
        errors["deadline"] = _("Hạn thực hiện phải sau buổi giao ban.")
    if topic is not None and not topic.is_active:
        errors["topic"] = _("Lĩnh vực này không còn sử dụng.")
    if errors:
        raise ValidationError(errors)
    return BriefingDecision.objects.create(briefing=briefing, text=text, owner=owner, deadline=deadline,
                                           topic=topic, created_by=by, created_at=timezone.now())


def _decision_channel() -> Channel:
    for code in DECISION_CHANNELS:
        channel = Channel.objects.filter(code=code, is_active=True).first()
        if channel is not None:
            return channel
    raise ValidationError({"channel": _("Chưa có kênh tiếp nhận “Cộng tác viên dư luận xã hội”; hãy nhờ quản trị thêm.")})


def _case_description(decision: BriefingDecision) -> str:
    """Stored in the case, so Vietnamese whatever the reader's language (like the case's other text)."""
    briefing = decision.briefing
    held = timezone.localtime(briefing.held_at)
    deadline = timezone.localtime(decision.deadline)
    with translation.override("vi"):
        kind = str(BriefingKind(briefing.kind).label)
    return "\n".join([
        f"{kind} {held:%d/%m/%Y} — {briefing.unit.name}.",
        decision.text,
        f"Đơn vị thực hiện: {decision.owner.name}. Hạn: {deadline:%d/%m/%Y}.",
    ])


def briefing_decision_to_case(*, decision: BriefingDecision, by) -> Case:
    """Log the decision as a case of the briefing's unit; it then follows the ordinary workflow."""
    unit = decision.briefing.unit
    _check_writer(by, unit)
    if not has_role(by, unit, Role.LEADER, Role.INTAKE_CLERK):
        raise PermissionDenied(_("Chỉ lãnh đạo đơn vị mới chuyển kết luận giao ban thành vụ việc."))
    if decision.topic is None:
        raise ValidationError({"topic": _("Hãy chọn lĩnh vực của kết luận trước khi chuyển thành vụ việc.")})
    channel = _decision_channel()
    with transaction.atomic():
        locked = BriefingDecision.objects.select_for_update(of=("self",)) \
            .select_related("briefing__unit", "owner", "topic").get(pk=decision.pk)
        if locked.case_id is not None:
            raise Conflict(_("Kết luận này đã được chuyển thành vụ việc."))
        case = case_intake(
            by=by, title=f"Kết luận giao ban: {' '.join(locked.text.split())[:250]}",
            channel=channel, topic=locked.topic, locality=unit, description=_case_description(locked),
            external_ref=f"giao-ban-{locked.briefing_id}-{locked.pk}", receiving_unit=unit,
        )
        locked.case = case
        locked.save(update_fields=["case"])
    decision.refresh_from_db()
    return case


def training_session_create(*, by, unit: Unit, title: str, held_on: date, attendee_ids=()) -> TrainingSession:
    """A training session (tập huấn) for the unit's collaborators, with who attended."""
    _check_writer(by, unit)
    title = required_text(title, "title", _("Cần nhập nội dung tập huấn."))
    attendees = _attendees(unit, attendee_ids)
    with transaction.atomic():
        session = TrainingSession.objects.create(unit=unit, title=title[:300], held_on=held_on)
        session.attendees.set(attendees)
    return session
