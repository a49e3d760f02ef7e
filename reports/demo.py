"""Demo data for reports and inspection, on top of `seed_demo`: last month's history,
a submitted monthly report from each demo commune (one corrected), a flare-up
the emerging-issue signal flags, and an inspection of the province.

The history is written through the real services with the clock moved back
(time-machine), so every event, clock and escalation carries its planted
date and the hash chains stay valid. Idempotent: planted cases are found by
their `external_ref`, reports by unit and period, the inspection by title.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from cases.demo import COMMUNE_A, COMMUNE_B, PROVINCE
from cases.models import Case, Channel, Topic, Unit
from cases.services import (
    ReporterInput,
    case_assign,
    case_intake,
    case_orient,
    case_resolve,
    case_verify,
)

from .models import Inspection, Report, ReportKind
from .periods import last_ended_period
from .services import inspection_open, report_correct, report_draft_create, report_submit

INSPECTION_TITLE = "Kiểm tra việc tiếp nhận, xử lý ý kiến tháng trước (dữ liệu mẫu)"

# ref, commune, locality code, topic, channel, day of last month, how it ends
HISTORY = [  # every step falls inside last month (late ones resolve three weeks on)
    ("A-01", "A", "DM-ANBINH-T01", "MT-RAC", "hotline", 6, "resolved"),
    ("A-02", "A", "DM-ANBINH-T02", "HT", "meeting", 9, "resolved"),
    ("A-03", "A", "DM-ANBINH-T01", "CS", "post", 13, "resolved"),
    ("A-04", "A", "DM-ANBINH-T02", "DAT-GPMB", "walk_in", 3, "late"),
    ("A-05", "A", "DM-ANBINH-T01", "YT", "zalo", 1, "extended_late"),
    ("A-06", "A", "DM-ANBINH-T02", "GD", "email", 20, "open"),
    ("B-01", "B", "DM-BINHMINH-K01", "ANTT", "hotline", 3, "resolved"),
    ("B-02", "B", "DM-BINHMINH-K02", "HT", "portal", 8, "resolved"),
    ("B-03", "B", "DM-BINHMINH-K01", "MT-RAC", "social_media", 14, "resolved"),
    ("B-04", "B", "DM-BINHMINH-K02", "CS", "collaborator", 4, "late"),
]

# The flare-up: clean water in Thôn Đông, 0–1 reports a week for two months, then six in a week.
SPIKE_TOPIC, SPIKE_LOCALITY = "MT-NUOC", "DM-ANBINH-T01"
SPIKE_BASELINE_DAYS_AGO = [55, 41, 24]
SPIKE_DAYS_AGO = [6, 5, 4, 3, 2, 1]
SPIKE_TITLES = [
    "Nước máy thôn Đông đục, có cặn",
    "Nước sinh hoạt có mùi clo nồng",
    "Mất nước nhiều giờ ở thôn Đông",
    "Nước giếng khoan đổi màu sau mưa",
    "Trẻ em đau bụng, nghi do nguồn nước",
    "Đề nghị kiểm tra chất lượng nước sạch thôn Đông",
]

TITLES = {
    "MT-RAC": "Điểm tập kết rác gây ô nhiễm", "HT": "Mặt đường hư hỏng sau mùa mưa",
    "CS": "Chậm chi trả chế độ chính sách", "DAT-GPMB": "Khiếu nại mức bồi thường giải phóng mặt bằng",
    "YT": "Trạm y tế thiếu thuốc thiết yếu", "GD": "Trường học thiếu phòng học",
    "ANTT": "Tụ tập gây mất trật tự ban đêm", "MT-NUOC": "Nước sinh hoạt có vấn đề",
}


def _local(day, hour=9, minute=0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _people(commune: str):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    names = ("clerk", "leader", "handler") if commune == "A" else ("clerk2", "leader2", "handler2")
    return [User.objects.get(username=name) for name in names]


def _plant(ref, commune, locality_code, topic_code, channel_code, start: datetime, ending: str, travel) -> None:
    clerk, leader, handler = _people(commune)
    commune_unit = Unit.objects.get(code=COMMUNE_A[0] if commune == "A" else COMMUNE_B[0])
    topic = Topic.objects.get(code=topic_code)
    with travel(start):
        case = case_intake(
            by=clerk, title=TITLES.get(topic_code, "Ý kiến của người dân"),
            description="Nội dung phản ánh mẫu để dùng thử báo cáo định kỳ.",
            channel=Channel.objects.get(code=channel_code), topic=topic,
            locality=Unit.objects.get(code=locality_code), received_at=start, external_ref=f"seed-reports-{ref}",
            reporter=ReporterInput(full_name="Người dân (dữ liệu mẫu)", phone="0900000000"),
        )
    with travel(start + timedelta(hours=2)):
        case_verify(case=case, by=clerk)
    with travel(start + timedelta(hours=3)):
        case_assign(case=case, by=leader, unit=commune_unit, assignee=handler, note="Giao cán bộ xử lý.")
    if ending == "open":
        return
    with travel(start + timedelta(days=1)):
        case_orient(case=case, by=handler, response="Đã thông tin cho người dân về hướng giải quyết.")
    if ending == "extended_late":
        from workflow.services import clock_extend

        # Extended two days after the deadline had passed: an inspector's red flag.
        with travel(start + timedelta(days=18)):
            clock_extend(case=case, clock="resolve", by=leader, reason="Cần thêm thời gian xác minh.",
                         decision_ref="QĐ 12/QĐ-UBND", new_due=start + timedelta(days=22))
    resolve_after = {"resolved": 4, "late": 21, "extended_late": 20}[ending]
    with travel(start + timedelta(days=resolve_after)):
        case_resolve(case=case, by=handler, outcome="Đã phối hợp các đơn vị liên quan xử lý xong.")


def _spike(travel) -> int:
    """Cases for the emerging-issue signal; only their reception time matters to it."""
    clerk, _leader, _handler = _people("A")
    topic = Topic.objects.get(code=SPIKE_TOPIC)
    locality = Unit.objects.get(code=SPIKE_LOCALITY)
    channel = Channel.objects.get(code="hotline")
    now = timezone.now()
    made = 0
    planted = [(f"W{days:02d}", days, TITLES[SPIKE_TOPIC]) for days in SPIKE_BASELINE_DAYS_AGO]
    planted += [(f"S{n}", days, SPIKE_TITLES[n]) for n, days in enumerate(SPIKE_DAYS_AGO)]
    for ref, days, title in planted:
        external_ref = f"seed-reports-nuoc-{ref}"
        if Case.objects.filter(external_ref=external_ref).exists():
            continue
        received = now - timedelta(days=days, hours=1)
        with travel(received):
            case = case_intake(by=clerk, title=title, description="Phản ánh mẫu về nước sạch.", channel=channel,
                               topic=topic, locality=locality, received_at=received, external_ref=external_ref)
            case_verify(case=case, by=clerk)
        made += 1
    return made


def reports_demo_seed() -> dict:
    """Create or complete the reports demo; returns what was created."""
    import time_machine

    def travel(moment):
        return time_machine.travel(moment, tick=False)

    created = {"cases": 0, "reports": 0, "inspections": 0}
    today = timezone.localdate()
    start, end = last_ended_period(ReportKind.MONTHLY, today)
    with transaction.atomic():
        for ref, commune, locality, topic, channel, day, ending in HISTORY:
            if Case.objects.filter(external_ref=f"seed-reports-{ref}").exists():
                continue
            _plant(ref, commune, locality, topic, channel, _local(start + timedelta(days=day - 1)), ending, travel)
            created["cases"] += 1
        created["cases"] += _spike(travel)

        from django.contrib.auth import get_user_model

        User = get_user_model()
        writers = {COMMUNE_A[0]: User.objects.get(username="secretariat"), COMMUNE_B[0]: User.objects.get(username="leader2")}
        # Sent on the 10th (before the due date), or a little before now if the 10th has not come yet.
        sent_at = min(timezone.now() - timedelta(hours=2), _local(end + timedelta(days=10), 16))
        for code, writer in writers.items():
            unit = Unit.objects.get(code=code)
            if Report.objects.filter(unit=unit, kind=ReportKind.MONTHLY, period_start=start).exists():
                continue
            with travel(sent_at - timedelta(hours=3)):
                report = report_draft_create(by=writer, unit=unit, kind=ReportKind.MONTHLY, period_start=start)
            with travel(sent_at):
                report_submit(report=report, by=writer, narrative=(
                    f"Trong tháng, {unit.name} tiếp nhận và xử lý các ý kiến, kiến nghị của Nhân dân theo đúng quy "
                    "trình. Một số vụ việc về đất đai, chính sách còn chậm; đề nghị cấp trên hướng dẫn thêm.\n"
                    "Đề xuất: tăng cường đối thoại với người dân ở thôn, khu phố."
                ))
            created["reports"] += 1
            if code == COMMUNE_A[0]:
                with travel(sent_at + timedelta(hours=1)):
                    report_correct(report=report, by=writer, reason="Bổ sung đề xuất về nước sạch.", narrative=(
                        report.narrative + "\nBổ sung: đề nghị kiểm tra chất lượng nước sạch tại thôn Đông."
                    ))

        inspector = User.objects.get(username="inspector")
        if not Inspection.objects.filter(title=INSPECTION_TITLE).exists():
            inspection_open(by=inspector, unit=Unit.objects.get(code=PROVINCE[0]), period_start=start,
                            period_end=today, title=INSPECTION_TITLE)
            created["inspections"] += 1
    return created
