"""The secretariat's rating of a collaborator's work for the board, for six months or a year.

It rates work done for the board (the counts of collaborators.selectors_briefings.evaluation_for_unit beside
it), nothing else: a grade from the plans' four and a comment.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.exceptions import PermissionDenied
from cases.models import Role
from cases.permissions import has_role
from reports.models import ReportKind
from reports.periods import parse_period

from ..models import Collaborator, Evaluation, Grade
from ..selectors_briefings import BriefingNotFound, may_read_briefings

# The plans review collaborators every six months and every year (Thái Nguyên plan).
RATED_PERIODS = (ReportKind.SIX_MONTH, ReportKind.ANNUAL)
COMMENT_MAX = 5000


def evaluation_period_check(period: str) -> str:
    """`2026-H1`, `2026-H2` or `2026`, or a ValidationError naming the forms accepted."""
    try:
        kind, _start, _end = parse_period(period or "")
    except ValueError:
        kind = None
    if kind not in RATED_PERIODS:
        raise ValidationError({"period": _("Kỳ đánh giá là 6 tháng (2026-H1, 2026-H2) hoặc một năm (2026).")})
    return period.strip()


def evaluation_rate(*, by, collaborator: Collaborator, period: str, grade: str, comment: str = "") -> Evaluation:
    """Rate (or re-rate) a collaborator for a period: the secretariat of their unit only."""
    if not has_role(by, collaborator.unit, Role.SECRETARIAT):
        if may_read_briefings(by, collaborator.unit):
            raise PermissionDenied(_("Chỉ văn phòng tổng hợp của đơn vị mới đánh giá cộng tác viên."))
        raise BriefingNotFound()
    errors = {}
    try:
        period = evaluation_period_check(period)
    except ValidationError as error:
        errors.update(error.message_dict)
    if grade not in Grade.values:
        errors["grade"] = _("Xếp loại không hợp lệ.")
    if len(comment or "") > COMMENT_MAX:
        errors["comment"] = _("Nhận xét quá dài.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        evaluation, _created = Evaluation.objects.update_or_create(
            collaborator=collaborator, period=period,
            defaults={"grade": grade, "comment": (comment or "").strip(), "rated_by": by, "rated_at": timezone.now()},
        )
    return evaluation
