"""Demo collaborators on top of `seed_demo` (called by its command): collaborators in both demo communes (Thôn
Đoài of commune A left uncovered, below its plan), two followed subjects with a request each and a month of
notes, and the logins `ctv`, `ctv2` (collaborators of commune A) and `ctv3` (commune B).

The notes go through the real service with the clock moved back (time-machine, when installed), so their
histories are valid chains. Idempotent: collaborators are found by name, subjects by title, notes by a fixed
idempotency key (the service files a key once).
"""

import uuid
from contextlib import nullcontext
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases.demo import COMMUNE_A, COMMUNE_B, DEFAULT_DEMO_PASSWORD, PROVINCE
from cases.models import Role, Topic, Unit
from cases.services.roles import unit_role_grant

from .models import Collaborator, NetworkTarget, SocialGroup, Subject
from .services.notes import note_file
from .services.subjects import opinion_request_send, subject_open

# username, display name (first, last), unit, localities, social group
LOGINS = [
    ("ctv", ("Trương Văn", "Bình"), COMMUNE_A[0], ["DM-ANBINH-T01"], SocialGroup.FARMERS),
    ("ctv2", ("Lâm Thị", "Hương"), COMMUNE_A[0], ["DM-ANBINH-T01"], SocialGroup.WOMEN),
    ("ctv3", ("Phan Văn", "Đức"), COMMUNE_B[0], ["DM-BINHMINH-K01", "DM-BINHMINH-K02"], SocialGroup.WORKERS),
]
# Collaborators without a login (they report on paper; the secretariat types their notes in elsewhere).
OTHERS = [("Hồ Văn Sáu", COMMUNE_B[0], ["DM-BINHMINH-K02"], SocialGroup.VETERANS, 40)]

SUBJECT_A = ("Chủ trương sáp nhập thôn Đông và thôn Đoài", COMMUNE_A[0], "leader", "policy", "HT")
SUBJECT_P = ("Tin đồn thu hồi đất làm khu công nghiệp", PROVINCE[0], "leader_province", "rumour", "DAT")

NOTES_A = [
    ("concerned", "Nhiều hộ lo tên thôn mới và việc đổi giấy tờ; muốn được họp dân giải thích.", ["farmers"]),
    ("agree", "Đa số đồng tình vì thôn nhỏ, ghép lại đỡ tốn kém; đề nghị giữ nhà văn hóa cũ.", ["elderly"]),
    ("concerned", "Chị em phụ nữ hỏi chi hội có bị giải thể không, quỹ tiết kiệm xử lý thế nào.", ["women"]),
    ("disagree", "Một số hộ thôn Đoài không muốn đi họp xa, đề nghị giữ điểm sinh hoạt riêng.", ["farmers"]),
    ("agree", "Cán bộ, đảng viên ủng hộ, đề nghị sớm có lộ trình công khai.", ["officials"]),
]
NOTES_P = [
    ("indignant", "Tin nhắn lan truyền trên mạng nói sắp thu hồi đất ruộng làm khu công nghiệp, nhiều người bức xúc.",
     ["farmers"], "social_media"),
    ("concerned", "Người dân hỏi có quy hoạch thật không, giá bồi thường bao nhiêu.", ["farmers"], "direct"),
    ("mixed", "Công nhân mong có việc làm gần nhà, nông dân lo mất đất: ý kiến trái chiều.", ["workers"], "meeting"),
    ("disagree", "Nhiều hộ không đồng tình nếu thu hồi mà chưa bố trí tái định cư.", ["farmers"], "direct"),
]
NAMESPACE = uuid.UUID("5d1c2b7e-9a4f-4c3e-8d6b-2f1a0e9c7b55")


def _user(username: str, names, password: str | None):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={
        "first_name": names[0], "last_name": names[1], "email": f"{username}@demo.invalid"})
    if created or password is not None:
        user.set_password(password or DEFAULT_DEMO_PASSWORD)
        user.save()
    return user


def _travel(moment):
    try:
        import time_machine
    except ImportError:  # without the dev extra the notes are filed now
        return nullcontext()
    return time_machine.travel(moment, tick=False)


@transaction.atomic
def collaborators_demo_seed(*, password: str | None = None) -> dict:
    units = {u.code: u for u in Unit.objects.filter(code__startswith=PROVINCE[0])}
    User = get_user_model()
    created = {"collaborators": 0, "notes": 0}
    today = timezone.localdate()
    term_start = date(today.year - 1, 1, 1)
    for username, names, unit_code, localities, group in LOGINS:
        user = _user(username, names, password)
        if not Collaborator.objects.filter(user=user).exists():
            collaborator = Collaborator.objects.create(
                user=user, full_name=f"{names[0]} {names[1]}", unit=units[unit_code], social_group=group,
                decision_number=f"{12 + len(username)}/QĐ-BTG", term_start=term_start,
                term_end=date(today.year + 1, 12, 31))
            collaborator.localities.set([units[code] for code in localities])
            created["collaborators"] += 1
        unit_role_grant(user=user, unit=units[unit_code], role=Role.COLLABORATOR, reason="seed_demo")
    for full_name, unit_code, localities, group, ends_in_days in OTHERS:
        if not Collaborator.objects.filter(full_name=full_name, unit=units[unit_code]).exists():
            collaborator = Collaborator.objects.create(
                full_name=full_name, unit=units[unit_code], social_group=group, term_start=term_start,
                term_end=today + timedelta(days=ends_in_days))  # a term ending soon
            collaborator.localities.set([units[code] for code in localities])
            created["collaborators"] += 1
    # Commune A's plan: a collaborator in each hamlet (Thôn Đoài has none), two among farmers.
    for locality, group, wanted in (("DM-ANBINH-T01", "", 1), ("DM-ANBINH-T02", "", 1), (None, "farmers", 2)):
        NetworkTarget.objects.get_or_create(unit=units[COMMUNE_A[0]], locality=units.get(locality),
                                            social_group=group, sector=None, defaults={"wanted": wanted})
    start = timezone.make_aware(datetime.combine(today - timedelta(days=30), time(8, 30)))
    subjects = {}
    for title, unit_code, opener, kind, topic in (SUBJECT_A, SUBJECT_P):
        subject = Subject.objects.filter(title=title, unit=units[unit_code]).first()
        if subject is None:
            with _travel(start):
                subject = subject_open(by=User.objects.get(username=opener), unit=units[unit_code], title=title,
                                       kind=kind, topic=Topic.objects.filter(code=topic).first())
            with _travel(start + timedelta(hours=1)):
                opinion_request_send(by=User.objects.get(username=opener), subject=subject, working_days=10,
                                     questions="Thái độ của nhân dân? Những băn khoăn chính? Kiến nghị?")
        subjects[title] = subject
    plan = []
    for day in range(0, 30, 3):
        attitude, summary, groups = NOTES_A[day // 3 % len(NOTES_A)]
        plan.append(("ctv" if day % 2 == 0 else "ctv2", SUBJECT_A[0], "DM-ANBINH-T01", attitude, summary, groups,
                     "direct", day))
    for index, day in enumerate(range(1, 30, 4)):
        attitude, summary, groups, channel = NOTES_P[index % len(NOTES_P)]
        who, where = (("ctv", "DM-ANBINH-T01") if index % 2 == 0 else ("ctv3", "DM-BINHMINH-K01"))
        plan.append((who, SUBJECT_P[0], where, attitude, summary, groups, channel, day))
    for number, (who, title, where, attitude, summary, groups, channel, day) in enumerate(plan):
        key = uuid.uuid5(NAMESPACE, f"demo-note-{number}")
        with _travel(start + timedelta(days=day, hours=2)):
            filed = note_file(by=User.objects.get(username=who), subject=subjects[title], locality=units[where],
                              attitude=attitude, summary=summary, groups=groups, channel=channel,
                              idempotency_key=key)
        created["notes"] += filed.created
    return created
