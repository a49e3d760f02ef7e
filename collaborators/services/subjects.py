"""Subjects the board follows (chủ đề dư luận) and requests to collaborators (đợt nắm bắt), with reminders."""

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import PermissionDenied
from cases.models import Topic, Unit
from notifications.services_direct import notification_send
from notifications.texts import OPINION_REQUEST, OPINION_REQUEST_REMIND
from workflow.calendar import add_working_days

from ..models import (
    Collaborator,
    CollaboratorStatus,
    OpinionRequest,
    RequestRecipient,
    Subject,
    SubjectKind,
    SubjectStatus,
)
from ..permissions import may_manage_network
from ..pii import pii_refuse

# A request's deadline: at least one working day, at most a quarter of a year.
MAX_WORKING_DAYS = 60
# Collaborators who have not answered are reminded this long before the deadline.
REMIND_BEFORE = timedelta(hours=24)


def subject_check_manager(user, unit: Unit) -> None:
    if not may_manage_network(user, unit):
        raise PermissionDenied(_("Chỉ lãnh đạo hoặc văn phòng tổng hợp của đơn vị mới mở chủ đề, gửi đợt nắm bắt."))


@transaction.atomic
def subject_open(*, by, unit: Unit, title: str, kind: str = SubjectKind.POLICY, description: str = "",
                 topic: Topic | None = None) -> Subject:
    """A subject the unit's board follows from now on."""
    subject_check_manager(by, unit)
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Cần nhập tên chủ đề.")
    elif len(title) > 300:
        errors["title"] = _("Tên chủ đề quá dài (tối đa 300 ký tự).")
    if kind not in SubjectKind.values:
        errors["kind"] = _("Loại chủ đề không hợp lệ.")
    if errors:
        raise ValidationError(errors)
    pii_refuse(title=title, description=description)
    return Subject.objects.create(unit=unit, title=title, kind=kind, description=(description or "").strip(),
                                  topic=topic, status=SubjectStatus.FOLLOWED, opened_by=by, opened_at=timezone.now())


@transaction.atomic
def subject_set_status(*, by, subject: Subject, status: str) -> Subject:
    """Accept a collaborator's proposed subject (followed), or stop following one (closed)."""
    subject_check_manager(by, subject.unit)
    if status not in SubjectStatus.values:
        raise ValidationError({"status": _("Trạng thái không hợp lệ.")})
    Subject.objects.filter(pk=subject.pk).update(status=status)
    subject.status = status
    return subject


def request_recipients(*, subject: Subject, localities, sectors):
    """Active collaborators of the subject's unit subtree who cover one of the localities or sectors chosen
    (every active collaborator there when none is chosen)."""
    collaborators = Collaborator.objects.filter(status=CollaboratorStatus.ACTIVE,
                                                unit__path__startswith=subject.unit.path).select_related("user")
    if localities or sectors:
        collaborators = collaborators.filter(Q(localities__in=localities) | Q(sectors__in=sectors))
    return collaborators.distinct()


@transaction.atomic
def opinion_request_send(*, by, subject: Subject, questions: str, working_days: int, localities=(),
                         sectors=()) -> OpinionRequest:
    """Send a request on a subject to the collaborators covering the chosen localities or sectors; its
    deadline is `working_days` working days from now (the working calendar)."""
    subject_check_manager(by, subject.unit)
    localities, sectors = list(localities), list(sectors)
    errors = {}
    if not (questions or "").strip():
        errors["questions"] = _("Cần nêu nội dung cần nắm.")
    if not isinstance(working_days, int) or not 1 <= working_days <= MAX_WORKING_DAYS:
        errors["working_days"] = _("Thời hạn phải từ 1 đến %(n)s ngày làm việc.") % {"n": MAX_WORKING_DAYS}
    outside = [u.name for u in localities if not u.path.startswith(subject.unit.path)]
    if outside:
        errors["localities"] = _("Địa bàn phải thuộc đơn vị: %(names)s.") % {"names": ", ".join(outside)}
    if subject.status != SubjectStatus.FOLLOWED:
        errors["subject"] = _("Chỉ gửi đợt nắm bắt cho chủ đề đang theo dõi.")
    if errors:
        raise ValidationError(errors)
    pii_refuse(questions=questions)
    recipients = list(request_recipients(subject=subject, localities=localities, sectors=sectors))
    if not recipients:
        raise ValidationError({"localities": _("Không có cộng tác viên đang hoạt động nào phụ trách địa bàn, "
                                               "lĩnh vực đã chọn.")})
    now = timezone.now()
    request = OpinionRequest.objects.create(subject=subject, questions=questions.strip(),
                                            deadline=add_working_days(now, working_days), sent_by=by, sent_at=now)
    request.localities.set(localities)
    request.sectors.set(sectors)
    RequestRecipient.objects.bulk_create([RequestRecipient(request=request, collaborator=c) for c in recipients])
    # The bell (and e-mail, as each prefers) of every recipient with a login: once each, with the request.
    _notify(request, kind=OPINION_REQUEST, users=[c.user for c in recipients if c.user_id])
    return request


def _notify(request: OpinionRequest, *, kind: str, users) -> None:
    """Tell collaborators about a request (or its reminder): the row opens their note screen on its subject."""
    subject = request.subject
    notification_send(
        recipients=users, kind=kind, about=f"{kind}:{request.pk}",
        link=reverse("collaborators:my_notes") + "?" + urlencode({"subject": subject.pk}),
        params={"title": subject.title, "unit": subject.unit.name,
                "due": timezone.localtime(request.deadline).strftime("%H:%M %d/%m/%Y")},
    )


def opinion_requests_remind(*, now: datetime | None = None) -> int:
    """Remind each collaborator who has not answered a request due within REMIND_BEFORE; once each
    (reminded_at), so running it again does nothing more. Returns how many were reminded."""
    now = now or timezone.now()
    due = RequestRecipient.objects.filter(
        answered_at__isnull=True, reminded_at__isnull=True, request__deadline__gt=now,
        request__deadline__lte=now + REMIND_BEFORE, collaborator__status=CollaboratorStatus.ACTIVE,
    ).select_related("request__subject__unit", "collaborator__user")
    reminded = 0
    for recipient in due:
        with transaction.atomic():
            # The row is claimed by the update itself: two sweeps at once remind once.
            if not RequestRecipient.objects.filter(pk=recipient.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            reminded += 1
            # In the bell and by e-mail (as the collaborator prefers), in this transaction: once, with the claim.
            _notify(recipient.request, kind=OPINION_REQUEST_REMIND, users=[recipient.collaborator.user])
    return reminded
