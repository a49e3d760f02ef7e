"""Opinion notes (phiếu thông tin dư luận): filing (idempotent by the device's key), redaction, and turning a
note that describes a concrete problem into a case.

A note never holds a resident's identity: every text is checked (collaborators.pii) before anything is
written, and the history (collaborators.audit) holds digests of the text, never the text.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import PermissionDenied
from cases.models import Channel, Topic, Unit
from cases.permissions import nearest_intake_unit_id
from cases.services.intake import case_intake

from ..audit import TEXT_FIELDS, note_event_append, text_digest
from ..exceptions import NoteNotFound
from ..models import (
    Attitude,
    Collaborator,
    CollaboratorStatus,
    HeardChannel,
    Intensity,
    NoteAction,
    OpinionNote,
    RequestRecipient,
    SocialGroup,
    Spread,
    Subject,
    SubjectStatus,
)
from ..permissions import may_redact
from ..pii import pii_refuse

CODE_PREFIX = "PT"
MAX_SUMMARY = 4000


@dataclass(frozen=True)
class Filed:
    note: OpinionNote
    created: bool  # False: this key had already filed the note, which is returned as it was


def collaborator_of(user) -> Collaborator:
    """The person's own active collaborator record, or a refusal (before anything they sent is read)."""
    collaborator = Collaborator.objects.select_related("unit").filter(user=user).first() if user.is_authenticated else None
    if collaborator is None or collaborator.status != CollaboratorStatus.ACTIVE:
        raise PermissionDenied(_("Chỉ cộng tác viên đang hoạt động mới gửi phiếu thông tin dư luận."))
    return collaborator


def _choice_errors(*, attitude, spread, intensity, channel, groups) -> dict:
    errors = {}
    if attitude not in Attitude.values:
        errors["attitude"] = _("Cần chọn thái độ chủ yếu.")
    for name, value, choices in (("spread", spread, Spread), ("intensity", intensity, Intensity),
                                 ("channel", channel, HeardChannel)):
        if value and value not in choices.values:
            errors[name] = _("Giá trị không hợp lệ.")
    if not isinstance(groups, list) or any(g not in SocialGroup.values for g in groups):
        errors["groups"] = _("Đối tượng không hợp lệ.")
    return errors


def _subject_for(*, collaborator, by, subject: Subject | None, new_subject: str, errors: dict) -> Subject | None:
    new_subject = (new_subject or "").strip()
    if subject is not None:
        # Subjects of the collaborator's unit or of a unit above it, still followed (or proposed there).
        if not collaborator.unit.path.startswith(subject.unit.path) or subject.status == SubjectStatus.CLOSED:
            errors["subject"] = _("Chủ đề này không còn theo dõi hoặc không thuộc đơn vị của bạn.")
        return subject
    if not new_subject:
        errors["subject"] = _("Cần chọn chủ đề, hoặc ghi một chủ đề mới.")
    elif len(new_subject) > 300:
        errors["subject"] = _("Tên chủ đề quá dài (tối đa 300 ký tự).")
    return None


def note_file(*, by, subject: Subject | None = None, new_subject: str = "", locality: Unit | None, attitude: str,
              summary: str, groups=(), spread: str = "", intensity: str = "", recommendation: str = "",
              channel: str = "", observed_on: date | None = None, idempotency_key=None) -> Filed:
    """File a note as the collaborator `by`. The same `idempotency_key` (chosen on the device when the note was
    written) files it once: a repeat returns the note filed the first time and writes nothing."""
    collaborator = collaborator_of(by)
    key = _key(idempotency_key)
    existing = _already_filed(key, by)
    if existing is not None:
        return Filed(existing, False)
    groups = list(groups or [])
    summary = (summary or "").strip()
    errors = _choice_errors(attitude=attitude, spread=spread, intensity=intensity, channel=channel, groups=groups)
    subject = _subject_for(collaborator=collaborator, by=by, subject=subject, new_subject=new_subject, errors=errors)
    if locality is None:
        errors["locality"] = _("Cần chọn địa bàn.")
    elif not locality.path.startswith(collaborator.unit.path):
        errors["locality"] = _("Địa bàn phải thuộc đơn vị của bạn.")
    if not summary:
        errors["summary"] = _("Cần tóm tắt tình hình dư luận.")
    elif len(summary) > MAX_SUMMARY or len(recommendation or "") > MAX_SUMMARY:
        errors["summary"] = _("Nội dung quá dài (tối đa 4000 ký tự).")
    today = timezone.localdate()
    if observed_on is not None and observed_on > today:
        errors["observed_on"] = _("Ngày nắm được không được sau hôm nay.")
    if errors:
        raise ValidationError(errors)
    pii_refuse(summary=summary, recommendation=recommendation, subject=new_subject)
    try:
        with transaction.atomic():
            return Filed(_create(collaborator=collaborator, by=by, subject=subject, new_subject=new_subject,
                                 locality=locality, attitude=attitude, summary=summary, groups=groups,
                                 spread=spread, intensity=intensity, recommendation=(recommendation or "").strip(),
                                 channel=channel, observed_on=observed_on or today, key=key), True)
    except IntegrityError:
        # The same key filed by a request that committed while this one ran: that note, once.
        existing = _already_filed(key, by)
        if existing is None:
            raise
        return Filed(existing, False)


def _key(value) -> uuid.UUID:
    if value in (None, ""):
        return uuid.uuid4()
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise ValidationError({"idempotency_key": _("Khóa gửi phiếu không hợp lệ.")}) from None


def _already_filed(key: uuid.UUID, by) -> OpinionNote | None:
    note = OpinionNote.objects.filter(idempotency_key=key).select_related("collaborator").first()
    if note is not None and note.collaborator.user_id != by.pk:
        raise ValidationError({"idempotency_key": _("Khóa gửi phiếu này đã được dùng.")})
    return note


def _create(*, collaborator, by, subject, new_subject, locality, attitude, summary, groups, spread, intensity,
            recommendation, channel, observed_on, key) -> OpinionNote:
    now = timezone.now()
    if subject is None:
        subject = Subject.objects.create(unit=collaborator.unit, title=new_subject, status=SubjectStatus.PROPOSED,
                                         opened_by=by, opened_at=now)
    recipient = (RequestRecipient.objects.select_for_update()
                 .filter(collaborator=collaborator, request__subject=subject, request__sent_at__lte=now)
                 .order_by("-request__sent_at").first())
    note = OpinionNote.objects.create(
        code=f"{CODE_PREFIX}-tmp-{key.hex[:12]}", idempotency_key=key, collaborator=collaborator,
        unit=collaborator.unit, subject=subject, request=recipient.request if recipient else None,
        locality=locality, groups=groups, attitude=attitude, spread=spread, intensity=intensity, summary=summary,
        recommendation=recommendation, channel=channel, observed_on=observed_on, filed_at=now,
    )
    note.code = f"{CODE_PREFIX}-{timezone.localdate(now).year}-{note.pk:06d}"
    note.save(update_fields=["code"])
    if recipient is not None and recipient.answered_at is None:
        recipient.answered_at = now  # the first note on that request (evaluation counts answers on time)
        recipient.save(update_fields=["answered_at"])
    note_event_append(note=note, action=NoteAction.FILED, actor=by, data={"digest": text_digest(note)})
    return note


def _locked(note: OpinionNote) -> OpinionNote:
    return OpinionNote.objects.select_for_update().select_related("unit", "locality", "subject").get(pk=note.pk)


@transaction.atomic
def note_redact(*, by, note: OpinionNote, summary: str, recommendation: str | None = None,
                reason: str) -> OpinionNote:
    """The secretariat rewrites a note's text (what should not have been written); the history records the old
    and new digests, the reason and who did it, never the text."""
    if not may_redact(by, note.unit):
        raise PermissionDenied(_("Chỉ văn phòng tổng hợp của đơn vị mới biên tập phiếu."))
    note = _locked(note)
    summary = (summary or "").strip()
    recommendation = note.recommendation if recommendation is None else recommendation.strip()
    errors = {}
    if not summary:
        errors["summary"] = _("Cần tóm tắt tình hình dư luận.")
    if not (reason or "").strip():
        errors["reason"] = _("Cần nêu lý do biên tập.")
    if errors:
        raise ValidationError(errors)
    pii_refuse(summary=summary, recommendation=recommendation, reason=reason)
    old = text_digest(note)
    changed = [name for name, value in (("summary", summary), ("recommendation", recommendation))
               if getattr(note, name) != value]
    if not changed:
        raise ValidationError({"summary": _("Nội dung không thay đổi.")})
    note.summary, note.recommendation = summary, recommendation
    note.save(update_fields=list(TEXT_FIELDS))
    note_event_append(note=note, action=NoteAction.REDACTED, actor=by, data={
        "old_digest": old, "new_digest": text_digest(note), "reason": reason.strip(), "fields": changed,
    })
    return note


@transaction.atomic
def note_turn_into_case(*, by, note: OpinionNote, topic: Topic | None = None, title: str = ""):
    """One click: a case about the note's locality, on the collaborator channel, anonymous (the note has no
    resident to name), linked to the note. The case then follows its own rules. Twice: the same case."""
    if nearest_intake_unit_id(by, note.locality) is None:
        raise PermissionDenied(_("Bạn không tiếp nhận vụ việc ở địa bàn của phiếu này."))
    note = _locked(note)
    if note.case_id:
        return note.case
    topic = topic or note.subject.topic
    if topic is None:
        raise ValidationError({"topic": _("Cần chọn lĩnh vực cho vụ việc.")})
    channel = Channel.objects.filter(code="collaborator").first()
    if channel is None:
        raise NoteNotFound(_("Chưa có kênh tiếp nhận “cộng tác viên”; quản trị cần thêm kênh này."))
    description = note.summary + (f"\n\n{_('Kiến nghị')}: {note.recommendation}" if note.recommendation else "")
    case = case_intake(by=by, title=(title or note.subject.title)[:300], channel=channel, topic=topic,
                       locality=note.locality, description=description,
                       external_ref=f"{note.code}")
    note.case = case
    note.save(update_fields=["case"])
    note_event_append(note=note, action=NoteAction.TURNED_INTO_CASE, actor=by, data={"case": case.code})
    return case
