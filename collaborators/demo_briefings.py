"""Demo briefing and situation report, on top of `seed_demo` and the collaborators' demo (collaborators.demo):
a monthly briefing of commune A last month with its minutes, a decision and a training session, and a drafted
situation report for last month drafted from whatever notes exist (none is fine).

Run after the collaborators' own demo so the briefing lists their subjects and collaborators. Idempotent:
the briefing is found by its unit, kind and day, the report by unit, kind and period.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases.demo import COMMUNE_A
from cases.models import Topic, Unit
from reports.models import Report, ReportKind
from reports.periods import last_ended_period
from reports.services import report_draft_create

from .models import Briefing, BriefingKind, Collaborator, Subject, SubjectStatus, TrainingSession
from .services.briefings import briefing_create, briefing_decision_add, training_session_create

PLACE = "Hội trường Đảng ủy xã An Bình"
MINUTES = (
    "Đồng chí Phó Bí thư Thường trực chủ trì. Các cộng tác viên báo cáo tình hình dư luận ở thôn Đông, thôn Đoài "
    "trong tháng: Nhân dân cơ bản đồng tình với chủ trương sáp nhập thôn; còn băn khoăn về chất lượng nước sạch "
    "và việc chi trả bồi thường giải phóng mặt bằng.\n"
    "Ý kiến của Văn phòng: đề nghị cộng tác viên tiếp tục nắm bắt, phản ánh kịp thời, không đưa họ tên, số điện "
    "thoại của người dân vào phiếu.\n"
    "Kết luận: giao Ban Xây dựng Đảng xã phối hợp kiểm tra, trả lời ý kiến về nước sạch tại thôn Đông."
)
DECISION = "Kiểm tra chất lượng nước sạch tại thôn Đông và thông tin lại cho Nhân dân tại cuộc họp thôn."
TRAINING = "Tập huấn kỹ năng nắm bắt, phản ánh dư luận xã hội cho cộng tác viên (dữ liệu mẫu)"


def _local(day, hour=8) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def briefings_demo_seed() -> dict:
    """Create or complete the briefing demo; returns what was created."""
    User = get_user_model()
    secretariat = User.objects.get(username="secretariat")
    unit = Unit.objects.get(code=COMMUNE_A[0])
    today = timezone.localdate()
    start, end = last_ended_period(ReportKind.SITUATION, today)
    held_on = start + timedelta(days=24)  # the 25th of last month
    created = {"briefings": 0, "trainings": 0, "reports": 0}
    collaborators = list(Collaborator.objects.filter(unit__path__startswith=unit.path).values_list("pk", flat=True))
    with transaction.atomic():
        if not Briefing.objects.filter(unit=unit, kind=BriefingKind.MONTHLY, held_at__date=held_on).exists():
            subjects = Subject.objects.filter(unit__path__startswith=unit.path, status=SubjectStatus.FOLLOWED)
            briefing = briefing_create(
                by=secretariat, unit=unit, kind=BriefingKind.MONTHLY, held_at=_local(held_on), place=PLACE,
                subject_ids=list(subjects.values_list("pk", flat=True)), attendee_ids=collaborators, minutes=MINUTES)
            owner = Unit.objects.filter(code="DM-ANBINH-BXD").first() or unit
            briefing_decision_add(briefing=briefing, by=secretariat, text=DECISION, owner=owner,
                                  deadline=_local(held_on + timedelta(days=20), 17),
                                  topic=Topic.objects.filter(code="MT-NUOC").first())
            created["briefings"] += 1
        if not TrainingSession.objects.filter(unit=unit, title=TRAINING).exists():
            training_session_create(by=secretariat, unit=unit, title=TRAINING, held_on=start + timedelta(days=9),
                                    attendee_ids=collaborators)
            created["trainings"] += 1
        if not Report.objects.filter(unit=unit, kind=ReportKind.SITUATION, period_start=start).exists():
            report_draft_create(by=secretariat, unit=unit, kind=ReportKind.SITUATION, period_start=start)
            created["reports"] += 1
    return created
