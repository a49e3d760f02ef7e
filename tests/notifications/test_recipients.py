"""Who hears about each case event: the rows the outbox writes, in the case change's transaction."""

from cases.models import CaseEvent
from cases.services import (
    case_assign,
    case_orient,
    case_reassign,
    case_reopen,
    case_resolve,
    case_verify,
)
from notifications.models import Notification, NotificationPreference, OutboxMessage


def told(case, action):
    """Usernames told about the case's latest `action` event."""
    event = CaseEvent.objects.filter(case=case, action=action).latest("seq")
    return set(Notification.objects.filter(event=event).values_list("recipient__username", flat=True))


def assigned_case(world, new_case):
    case = new_case()
    case_verify(case=case, by=world.clerk)
    case_assign(case=case, by=world.leader, unit=world.hamlet_a, assignee=world.hamlet_handler)
    return case


def test_intake_tells_the_owner_units_clerks_and_leaders_but_not_the_clerk_who_logged_it(people, new_case):
    case = new_case()
    assert told(case, "intake") == {"leader"}


def test_intake_by_the_leader_tells_the_clerk(people, new_case):
    case = new_case(by=people.leader)
    assert told(case, "intake") == {"clerk"}


def test_verify_tells_nobody(people, new_case):
    case = new_case()
    case_verify(case=case, by=people.clerk)
    assert told(case, "verify") == set()


def test_assign_tells_the_new_units_handlers_and_leader_and_the_assignee(people, new_case):
    case = new_case()
    case_verify(case=case, by=people.clerk)
    case_assign(case=case, by=people.leader, unit=people.commune_a, assignee=None)
    # The leader assigned it to their own unit: the handler hears, the leader (the actor) does not.
    assert told(case, "assign") == {"handler"}

    other = assigned_case(people, new_case)
    assert told(other, "assign") == {"hamlet_handler", "hamlet_leader"}


def test_reassign_tells_the_new_unit(people, new_case):
    case = assigned_case(people, new_case)
    case_reassign(case=case, by=people.supervisor, unit=people.commune_b, reason="Đúng thẩm quyền phường B")
    assert told(case, "reassign") == {"handler2", "leader2"}


def test_orient_and_resolve_tell_the_leader_of_the_assigning_unit(people, new_case):
    case = assigned_case(people, new_case)
    case_orient(case=case, by=people.hamlet_handler, response="Đã thông tin tại họp thôn")
    assert told(case, "orient") == {"leader"}
    case_resolve(case=case, by=people.hamlet_handler, outcome="Đã thu gom rác")
    assert told(case, "resolve") == {"leader"}


def test_reopen_tells_the_owner_units_handlers(people, new_case):
    case = assigned_case(people, new_case)
    case_orient(case=case, by=people.hamlet_handler, response="Đã trả lời")
    case_resolve(case=case, by=people.hamlet_handler, outcome="Đã xử lý")
    case_reopen(case=case, by=people.leader, reason="Người dân phản ánh lại")
    assert told(case, "reopen") == {"hamlet_handler"}


def test_remind_tells_owner_handlers_and_assignee(people, new_case, record_event):
    case = assigned_case(people, new_case)
    record_event(case, "remind", clock="orient", level=0)
    assert told(case, "remind") == {"hamlet_handler"}

    case_reassign(case=case, by=people.leader, unit=people.commune_a, reason="Xã trực tiếp xử lý", assignee=people.leader)
    record_event(case, "remind", clock="orient", level=0)
    assert told(case, "remind") == {"handler", "leader"}


def test_escalate_tells_leaders_of_the_target_units_and_supervisors_above_them(people, new_case, record_event):
    case = assigned_case(people, new_case)
    record_event(case, "escalate", clock="orient", level=1, to_units=["P-A"])
    assert told(case, "escalate") == {"leader", "supervisor"}
    record_event(case, "escalate", clock="orient", level=2, to_units=["P"])
    assert told(case, "escalate") == {"supervisor"}


def test_each_person_gets_an_in_app_and_an_email_delivery_and_the_text_names_only_the_case(people, new_case):
    case = new_case(title="Nước thải tràn ra đường")
    notification = Notification.objects.get(case=case, recipient=people.leader)
    # The in-app one written sent with the case (the bell shows it at once); the email waits for its task.
    assert set(notification.deliveries.values_list("channel", "status")) == {("inapp", "sent"), ("email", "pending")}
    assert notification.text == f"Vụ việc mới {case.code} «Nước thải tràn ra đường» vừa được tiếp nhận tại Đảng ủy xã A."
    assert notification.subject == f"Vụ việc mới {case.code}"
    # The reporter (Nguyễn Văn A, 0912345678) appears nowhere in what is stored for delivery.
    stored = repr(list(Notification.objects.filter(case=case).values())) + repr(
        list(OutboxMessage.objects.filter(notification__case=case).values())
    )
    assert "Nguyễn" not in stored and "0912345678" not in stored


def test_reminder_and_escalation_texts_name_the_clock_its_due_time_and_level(people, new_case, record_event):
    case = assigned_case(people, new_case)
    due = "2026-12-01T01:30:00+00:00"  # 08:30 in Hà Nội
    record_event(case, "remind", clock="orient", level=1, due=due, to_units=["P-A-T1"])
    record_event(case, "escalate", clock="orient", level=2, due=due, to_units=["P"])
    reminder = Notification.objects.get(case=case, kind="remind", recipient=people.hamlet_handler)
    assert reminder.text == (
        f"Nhắc hạn: vụ việc {case.code} «Rác thải tồn đọng ở chợ», thời hạn “Định hướng, trả lời công khai” đến 08:30 01/12/2026."
    )
    escalation = Notification.objects.get(case=case, kind="escalate", recipient=people.supervisor)
    assert escalation.text == (
        f"Vụ việc {case.code} «Rác thải tồn đọng ở chợ» đã quá thời hạn “Định hướng, trả lời công khai” (08:30 01/12/2026) "
        "và được chuyển lên cấp trên, mức 2."
    )


def test_no_email_delivery_for_a_person_without_an_address(world, new_case):
    case = new_case()
    notification = Notification.objects.get(case=case, recipient=world.leader)
    assert list(notification.deliveries.values_list("channel", flat=True)) == ["inapp"]


def test_digest_preference_routes_email_to_the_daily_digest(people, new_case):
    NotificationPreference.objects.create(user=people.leader, email_mode="digest")
    case = new_case()
    notification = Notification.objects.get(case=case, recipient=people.leader)
    assert set(notification.deliveries.values_list("channel", flat=True)) == {"inapp", "digest"}


def test_inactive_people_are_not_told(people, new_case):
    people.hamlet_leader.is_active = False
    people.hamlet_leader.save(update_fields=["is_active"])
    case = assigned_case(people, new_case)
    assert told(case, "assign") == {"hamlet_handler"}
