"""Demo data: a province with two communes, users for every role, cases in every state.

Idempotent: units, topics and channels are upserted by code, users and role
grants are created once, and each demo case is created only if its
`external_ref` is not there yet.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Case, CaseKind, CaseStatus, Channel, Priority, Role, Tier, Topic, Unit, UnitKind
from .services import (
    ReporterInput,
    case_assign,
    case_intake,
    case_mark_reported,
    case_merge,
    case_orient,
    case_public_feedback,
    case_reject,
    case_reopen,
    case_reporter_notified,
    case_resolve,
    case_transfer,
    case_verify,
    topic_upsert,
    unit_role_grant,
    unit_upsert,
)

DEFAULT_DEMO_PASSWORD = "dlxh-demo-2026"

PROVINCE = ("DM", "Tỉnh ủy tỉnh Mẫu (demo)")
COMMUNE_A = ("DM-ANBINH", "Đảng ủy xã An Bình")
COMMUNE_B = ("DM-BINHMINH", "Đảng ủy phường Bình Minh")

UNITS = [
    # code, name, tier, kind, parent code, remote
    (*PROVINCE, Tier.PROVINCE, UnitKind.COMMITTEE, None, False),
    ("DM-BTGDV", "Ban Tuyên giáo và Dân vận Tỉnh ủy", Tier.PROVINCE, UnitKind.BOARD, "DM", False),
    ("DM-UBKT", "Ủy ban Kiểm tra Tỉnh ủy", Tier.PROVINCE, UnitKind.BOARD, "DM", False),
    (*COMMUNE_A, Tier.COMMUNE, UnitKind.COMMITTEE, "DM", True),
    ("DM-ANBINH-BXD", "Ban Xây dựng Đảng xã An Bình", Tier.COMMUNE, UnitKind.BOARD, "DM-ANBINH", False),
    ("DM-ANBINH-MT", "Ủy ban Mặt trận Tổ quốc xã An Bình", Tier.COMMUNE, UnitKind.FRONT, "DM-ANBINH", False),
    ("DM-ANBINH-T01", "Thôn Đông", Tier.GRASSROOTS, UnitKind.HAMLET, "DM-ANBINH", True),
    ("DM-ANBINH-T02", "Thôn Đoài", Tier.GRASSROOTS, UnitKind.HAMLET, "DM-ANBINH", True),
    (*COMMUNE_B, Tier.COMMUNE, UnitKind.COMMITTEE, "DM", False),
    ("DM-BINHMINH-VP", "Văn phòng Đảng ủy phường Bình Minh", Tier.COMMUNE, UnitKind.OFFICE, "DM-BINHMINH", False),
    ("DM-BINHMINH-K01", "Khu phố 1", Tier.GRASSROOTS, UnitKind.HAMLET, "DM-BINHMINH", False),
    ("DM-BINHMINH-K02", "Khu phố 2", Tier.GRASSROOTS, UnitKind.HAMLET, "DM-BINHMINH", False),
]

TOPICS = [
    # code, name, parent code, needs a public response
    ("DAT", "Đất đai, nhà ở", None, True),
    ("DAT-GPMB", "Bồi thường, giải phóng mặt bằng", "DAT", True),
    ("MT", "Môi trường", None, True),
    ("MT-RAC", "Rác thải, vệ sinh môi trường", "MT", True),
    ("MT-NUOC", "Nước sạch", "MT", True),
    ("HT", "Giao thông, hạ tầng", None, True),
    ("YT", "Y tế, bảo hiểm", None, True),
    ("GD", "Giáo dục", None, True),
    ("ANTT", "An ninh, trật tự", None, True),
    ("CS", "Chính sách xã hội, an sinh", None, True),
    ("CB", "Cán bộ, đảng viên", None, True),
    ("GY", "Góp ý, đề xuất xây dựng", None, False),
]

CHANNELS = [
    ("hotline", "Đường dây nóng"),
    ("email", "Thư điện tử"),
    ("zalo", "Zalo"),
    ("post", "Thư bưu chính"),
    ("suggestion_box", "Hòm thư góp ý"),
    ("meeting", "Hội nghị, tiếp xúc cử tri"),
    ("collaborator", "Cộng tác viên dư luận xã hội"),
    ("press", "Báo chí"),
    ("social_media", "Mạng xã hội"),
    ("portal", "Cổng thông tin điện tử"),
    ("walk_in", "Trực tiếp tại trụ sở"),
]

# username, role, unit code
USERS = [
    ("clerk", Role.INTAKE_CLERK, COMMUNE_A[0]),
    ("leader", Role.LEADER, COMMUNE_A[0]),
    ("handler", Role.HANDLER, COMMUNE_A[0]),
    ("secretariat", Role.SECRETARIAT, COMMUNE_A[0]),
    ("clerk2", Role.INTAKE_CLERK, COMMUNE_B[0]),
    ("leader2", Role.LEADER, COMMUNE_B[0]),
    ("handler2", Role.HANDLER, COMMUNE_B[0]),
    ("supervisor", Role.SUPERVISOR, PROVINCE[0]),
    # The tier above an escalation: they direct, and can take a case up to the province.
    ("leader_province", Role.LEADER, PROVINCE[0]),
    ("handler_province", Role.HANDLER, PROVINCE[0]),
    ("inspector", Role.INSPECTOR, PROVINCE[0]),
    ("admin", Role.ADMINISTRATOR, PROVINCE[0]),
    ("dtv", Role.INTERVIEWER, COMMUNE_A[0]),  # điều tra viên: only the surveys they are assigned to
]

DISPLAY_NAMES = {
    "clerk": ("Nguyễn Thị", "Lan"), "leader": ("Trần Văn", "Minh"), "handler": ("Lê Văn", "Hùng"),
    "secretariat": ("Phạm Thị", "Hoa"), "clerk2": ("Hoàng Thị", "Mai"), "leader2": ("Vũ Văn", "Nam"),
    "handler2": ("Đỗ Văn", "Tuấn"), "supervisor": ("Bùi Thị", "Thu"),
    "leader_province": ("Ngô Văn", "Thắng"), "handler_province": ("Lý Thị", "Hạnh"), "inspector": ("Đặng Văn", "Khoa"),
    "admin": ("Quản trị", "Hệ thống"), "dtv": ("Trương Thị", "Ngọc"),
}


@dataclass
class DemoCase:
    ref: str
    title: str
    topic: str
    channel: str
    commune: str
    target: str  # the state the case is driven to
    priority: str = Priority.NORMAL
    anonymous: bool = False
    kind: str = CaseKind.REFLECTION


DEMO_CASES = [
    DemoCase("seed-demo-01", "Rác thải tồn đọng tại chợ An Bình nhiều ngày", "MT-RAC", "hotline", "A", CaseStatus.RECEIVED),
    DemoCase("seed-demo-02", "Nước sinh hoạt thôn Đông có mùi lạ", "MT-NUOC", "zalo", "A", CaseStatus.VERIFIED, Priority.URGENT),
    DemoCase("seed-demo-03", "Đường liên thôn xuống cấp, nhiều ổ gà", "HT", "meeting", "A", CaseStatus.ASSIGNED),
    DemoCase("seed-demo-04", "Chậm chi trả trợ cấp cho người cao tuổi", "CS", "post", "A", CaseStatus.ORIENTED),
    DemoCase("seed-demo-05", "Đèn chiếu sáng khu phố 1 hỏng", "HT", "portal", "B", CaseStatus.RESOLVED),
    DemoCase("seed-demo-06", "Tiếng ồn từ xưởng gỗ ban đêm", "MT", "walk_in", "A", CaseStatus.REPORTED),
    DemoCase("seed-demo-07", "Tin nhắn quảng cáo không liên quan", "GY", "social_media", "B", CaseStatus.REJECTED, anonymous=True),
    DemoCase("seed-demo-08", "Rác thải ở chợ An Bình chưa được thu gom", "MT-RAC", "suggestion_box", "A", CaseStatus.MERGED, anonymous=True),
    DemoCase("seed-demo-09", "Bồi thường giải phóng mặt bằng dự án đường tỉnh chưa thỏa đáng", "DAT-GPMB", "walk_in", "B", "reopened"),
    DemoCase("seed-demo-10", "Đề xuất lắp camera an ninh tại ngã ba", "GY", "collaborator", "B", CaseStatus.RESOLVED),
    DemoCase("seed-demo-11", "Sạt lở bờ kè sau mưa lớn, nguy hiểm cho người dân", "ANTT", "hotline", "A", CaseStatus.RECEIVED, Priority.FLASH),
    # Each kind's path: a complaint waiting to be transferred, a denunciation transferred and waiting for the
    # reporter to be told, an opinion and a proposal on the main line, and a resident's "not fixed".
    DemoCase("seed-demo-12", "Khiếu nại quyết định thu hồi đất làm đường thôn Đông", "DAT", "walk_in", "A",
             CaseStatus.RECEIVED, kind=CaseKind.COMPLAINT),
    DemoCase("seed-demo-13", "Tố cáo cán bộ thu tiền trái quy định khi cấp giấy xác nhận", "CB", "post", "B",
             CaseStatus.TRANSFERRED, kind=CaseKind.DENUNCIATION),
    DemoCase("seed-demo-14", "Ý kiến về giờ mở cửa nhà văn hóa thôn", "GY", "meeting", "A", CaseStatus.VERIFIED,
             kind=CaseKind.OPINION),
    DemoCase("seed-demo-16", "Khiếu nại việc xét hộ nghèo năm 2026 không công khai", "CS", "post", "A",
             CaseStatus.TRANSFER_CLOSED, kind=CaseKind.COMPLAINT),
    DemoCase("seed-demo-15", "Kiến nghị sửa cống thoát nước khu phố 1 hay ngập", "HT", "zalo", "B", "not_fixed",
             kind=CaseKind.PROPOSAL),
]


def _ensure_user(username: str, password: str | None):
    User = get_user_model()
    first, last = DISPLAY_NAMES[username]
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.invalid",
                  "is_staff": username == "admin", "is_superuser": username == "admin"},
    )
    if created or password is not None:
        user.set_password(password or DEFAULT_DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def demo_seed(*, password: str | None = None) -> dict:
    """Create or complete the demo data; returns what was created."""
    units = {}
    for code, name, tier, kind, parent_code, remote in UNITS:
        units[code], _ = unit_upsert(
            code=code, name=name, tier=tier, kind=kind, parent=units.get(parent_code), is_remote=remote
        )
    topics = {}
    for code, name, parent_code, needs_response in TOPICS:
        topics[code] = topic_upsert(
            code=code, name=name, parent=topics.get(parent_code), needs_public_response=needs_response
        )
    channels = {}
    for code, name in CHANNELS:
        channels[code], _ = Channel.objects.update_or_create(code=code, defaults={"name": name})

    users = {}
    for username, role, unit_code in USERS:
        user = _ensure_user(username, password)
        unit = Unit.objects.get(code=unit_code)
        unit_role_grant(user=user, unit=unit, role=role, reason="seed_demo")
        users[username] = user

    created_cases = [
        spec.ref for spec in DEMO_CASES
        if not Case.objects.filter(external_ref=spec.ref).exists()
        and _create_demo_case(spec, users=users, topics=topics, channels=channels)
    ]
    return {"cases_created": created_cases}


def _create_demo_case(spec: DemoCase, *, users, topics, channels) -> Case:
    in_a = spec.commune == "A"
    clerk, leader, handler = (
        (users["clerk"], users["leader"], users["handler"]) if in_a
        else (users["clerk2"], users["leader2"], users["handler2"])
    )
    commune = Unit.objects.get(code=COMMUNE_A[0] if in_a else COMMUNE_B[0])
    locality = Unit.objects.get(code=f"{commune.code}-T01" if in_a else f"{commune.code}-K01")
    reporter = None if spec.anonymous else ReporterInput(
        full_name="Người dân (dữ liệu mẫu)", phone="0900000000", email="nguoidan@demo.invalid"
    )
    case = case_intake(
        by=clerk, title=spec.title, description=f"{spec.title}. Nội dung phản ánh mẫu để dùng thử hệ thống.",
        channel=channels[spec.channel], topic=topics[spec.topic], locality=locality,
        priority=spec.priority, reporter=reporter, external_ref=spec.ref, kind=spec.kind,
    )
    target = spec.target
    if target == CaseStatus.RECEIVED:
        return case
    if target in (CaseStatus.TRANSFERRED, CaseStatus.TRANSFER_CLOSED):
        case_transfer(case=case, by=clerk, agency="Ủy ban Kiểm tra Tỉnh ủy",
                      legal_basis="Luật Tố cáo 2018, Điều 24: tố cáo không thuộc thẩm quyền được chuyển trong 05 ngày làm việc.")
        if target == CaseStatus.TRANSFERRED:
            return case
        return case_reporter_notified(case=case, by=clerk, how="Gọi điện thoại cho người phản ánh")
    if target == CaseStatus.REJECTED:
        return case_reject(case=case, by=clerk, reason="Nội dung không phải là ý kiến, kiến nghị, phản ánh.")
    if target == CaseStatus.MERGED:
        survivor = Case.objects.get(external_ref="seed-demo-01")
        return case_merge(case=case, into=survivor, by=clerk, note="Trùng nội dung với vụ việc đã tiếp nhận.")
    case_verify(case=case, by=clerk)
    if target == CaseStatus.VERIFIED:
        return case
    case_assign(case=case, by=leader, unit=commune, assignee=handler, note="Giao cán bộ xử lý.")
    if target == CaseStatus.ASSIGNED:
        return case
    if case.topic.needs_public_response:
        case_orient(case=case, by=handler, response="Đã thông tin cho người dân về hướng giải quyết tại buổi họp thôn.")
    if target == CaseStatus.ORIENTED:
        return case
    case_resolve(case=case, by=handler, outcome="Đã phối hợp các đơn vị liên quan xử lý xong.")
    if target == "reopened":
        return case_reopen(case=case, by=leader, reason="Người dân phản ánh chưa được giải quyết dứt điểm.")
    if target == "not_fixed":
        return case_public_feedback(case=case, secret=case.public_secret, fixed=False,
                                    comment="Mưa vừa rồi khu phố vẫn ngập.")
    if target == CaseStatus.REPORTED:
        return case_mark_reported(case=case, by=users["secretariat"], report_ref="demo-monthly")
    return case
