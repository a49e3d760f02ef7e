"""Intake (tiếp nhận): a new case with its code, its reporter (when given) and its first event."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.deadlines import step_deadline
from workflow.engine import flow_start

from ..actions import CaseAction
from ..audit import case_event_announce, case_event_append
from ..exceptions import PermissionDenied
from ..models import (
    CASE_CODE_PREFIX,
    Case,
    CaseCodeCounter,
    CaseKind,
    CaseReport,
    CaseStatus,
    Channel,
    Priority,
    Reporter,
    Role,
    Topic,
    Unit,
)
from ..permissions import has_role, may_log_cases, nearest_intake_unit_id
from ..public_secret import public_secret_hash, public_secret_new
from ..validation import description_too_long, locality_out_of_reach
from .attachments import attachment_add

# Older dates are typing mistakes (and break time-zone arithmetic on some databases).

EARLIEST_RECEIVED_YEAR = 2000


# --- case codes ---------------------------------------------------------------


def case_code_allocate(*, year: int) -> str:
    """The next `DL-YYYY-NNNNNN` code.

    On PostgreSQL each year has its own sequence: `nextval` never waits, so
    concurrent intakes do not queue behind each other. A rolled-back intake
    leaves a gap in the numbers (nothing requires them to be gapless; codes
    are never reused). Elsewhere (the embedded SQLite, one writer at a time)
    the counter row's lock is held until the caller's transaction commits.
    """
    if connection.vendor == "postgresql":
        number = _next_from_year_sequence(year)
    else:
        number = _next_from_counter_row(year)
    return f"{CASE_CODE_PREFIX}-{year}-{number:06d}"


def _next_from_year_sequence(year: int) -> int:
    # cases_next_case_number (migration 0008) creates the year's sequence on first use.
    with connection.cursor() as cursor:
        cursor.execute("SELECT cases_next_case_number(%s)", [year])
        return cursor.fetchone()[0]


def _next_from_counter_row(year: int) -> int:
    with transaction.atomic():
        bumped = CaseCodeCounter.objects.filter(year=year).update(last_number=F("last_number") + 1)
        if not bumped:
            try:
                with transaction.atomic():
                    CaseCodeCounter.objects.create(year=year, last_number=1)
            except IntegrityError:
                # Another intake created this year's row first; take the next number.
                CaseCodeCounter.objects.filter(year=year).update(last_number=F("last_number") + 1)
        return CaseCodeCounter.objects.get(year=year).last_number


# --- intake -------------------------------------------------------------------


@dataclass
class ReporterInput:
    full_name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""

    @property
    def is_empty(self) -> bool:
        return not any((self.full_name.strip(), self.phone.strip(), self.email.strip(), self.address.strip()))


@dataclass(frozen=True)
class CaseLocation:
    """Where the issue is, as a channel gives it (Open311's lat/long, address and media link)."""

    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address: str = ""
    media_url: str = ""

    def as_event_data(self) -> dict:
        """The given parts, as the intake event records them (decimals as text: JSON keeps them exact)."""
        parts = {"latitude": self.latitude, "longitude": self.longitude, "address": self.address,
                 "media_url": self.media_url}
        return {name: str(value) for name, value in parts.items() if value not in (None, "")}


def intake_refuse_unless_allowed(user) -> None:
    """Someone with no intake role anywhere is refused before a new case's fields are read (403 before 400)."""
    if not may_log_cases(user):
        raise PermissionDenied(_("Bạn không có vai trò tiếp nhận vụ việc ở đơn vị nào."))


def _intake_unit_for(*, user, locality: Unit) -> Unit:
    """The unit where this person logs a case about `locality`: the nearest one
    above or at the locality on which they are an intake clerk or leader.

    A locality outside every such subtree is refused: the case would land in a
    unit whose people cannot see it, and count in another unit's figures.
    """
    intake_refuse_unless_allowed(user)
    unit_id = nearest_intake_unit_id(user, locality)
    if unit_id is None:
        raise locality_out_of_reach()
    return locality if unit_id == locality.pk else Unit.objects.get(pk=unit_id)


def case_intake(
    *,
    by,
    title: str,
    channel: Channel,
    topic: Topic,
    locality: Unit,
    description: str = "",
    priority: str = Priority.NORMAL,
    kind: str = CaseKind.REFLECTION,
    received_at=None,
    reporter: ReporterInput | None = None,
    external_ref: str = "",
    receiving_unit: Unit | None = None,
    attachments=(),
    location: CaseLocation | None = None,
) -> Case:
    """Log a new case (tiếp nhận); anonymous when no reporter is given."""
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Cần nhập tiêu đề.")
    elif len(title) > Case._meta.get_field("title").max_length:
        errors["title"] = _("Tiêu đề quá dài (tối đa 300 ký tự).")
    for field, value in (("title", title), ("description", description), ("external_ref", external_ref)):
        if value and "\x00" in value:  # PostgreSQL cannot store it; say so instead of failing
            errors[field] = _("Nội dung có ký tự không hợp lệ.")
    if too_long := description_too_long(description):
        errors["description"] = too_long
    if priority not in Priority.values:
        errors["priority"] = _("Độ khẩn không hợp lệ.")
    kind = kind or CaseKind.REFLECTION
    if kind not in CaseKind.values:
        errors["kind"] = _("Loại vụ việc không hợp lệ.")
    if not channel.is_active:
        errors["channel"] = _("Kênh tiếp nhận này không còn sử dụng.")
    if not topic.is_active:
        errors["topic"] = _("Lĩnh vực này không còn sử dụng.")
    if not locality.is_active:
        errors["locality"] = _("Địa bàn này không còn hoạt động.")
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + timezone.timedelta(minutes=5):
        errors["received_at"] = _("Thời điểm tiếp nhận không được ở tương lai.")
    elif received_at.year < EARLIEST_RECEIVED_YEAR:
        errors["received_at"] = _("Thời điểm tiếp nhận không hợp lệ (trước năm %(year)s).") % {"year": EARLIEST_RECEIVED_YEAR}
    if errors:
        raise ValidationError(errors)

    if receiving_unit is None:
        receiving_unit = _intake_unit_for(user=by, locality=locality)
    elif not has_role(by, receiving_unit, Role.INTAKE_CLERK, Role.LEADER):
        raise PermissionDenied(_("Bạn không có vai trò tiếp nhận ở đơn vị này."))
    elif not locality.path.startswith(receiving_unit.path):
        raise locality_out_of_reach()

    # Shown once to the clerk to hand to the reporter; only its hash is kept (written with the row).
    secret = public_secret_new()
    with transaction.atomic():
        code = case_code_allocate(year=timezone.localtime(now).year)
        case = Case.objects.create(
            code=code,
            title=title,
            description=description or "",
            channel=channel,
            topic=topic,
            locality=locality,
            owner=receiving_unit,
            priority=priority,
            kind=kind,
            received_at=received_at,
            deadline=step_deadline(status=CaseStatus.RECEIVED, priority=priority, start=received_at),
            external_ref=external_ref or "",
            latitude=location.latitude if location else None,
            longitude=location.longitude if location else None,
            address=location.address if location else "",
            media_url=location.media_url if location else "",
            created_by=by,
            public_secret_hash=public_secret_hash(code=code, secret=secret),
        )
        case.public_secret = secret
        reporter_row = None
        if reporter is not None and not reporter.is_empty:
            reporter_row = Reporter.objects.create(
                full_name=reporter.full_name.strip(), phone=reporter.phone.strip(),
                email=reporter.email.strip(), address=reporter.address.strip(),
            )
        CaseReport.objects.create(
            case=case, reporter=reporter_row, channel=channel, received_at=received_at, is_representative=True
        )
        event = case_event_append(
            case=case, action=CaseAction.INTAKE, actor=by, to_status=CaseStatus.RECEIVED,
            data={
                "channel": channel.code, "topic": topic.code, "locality": locality.code,
                "owner": receiving_unit.code, "owner_name": receiving_unit.name,
                "priority": priority, "kind": kind, "anonymous": reporter_row is None,
                **({"location": location.as_event_data()} if location and location.as_event_data() else {}),
            },
        )
        # The chain's head only (the row was just written whole): no second pass through Case.save().
        Case.objects.filter(pk=case.pk).update(event_count=case.event_count, head_hash=case.head_hash)
        flow_start(case=case)
        case_event_announce(case=case, event=event)
        for uploaded in attachments:
            attachment_add(case=case, by=by, uploaded_file=uploaded, event=event)
    return case
