"""Issue 13 on the screens, as the named demo users after `seed_demo`, through the real URLs.

Reproductions of the issue's items 1-4 (a resident's "not fixed", escalation with authority, a
hand-down to a unit nobody works in, the leader's "Việc của tôi"), every new move's form with the
right person and a refusal for a wrong one, the kind at intake, the progress strip, the dashboard's
figures as links, and the public page of transferred, kept-closed and merged cases.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cases.models import Case, CaseEvent, Channel, Topic, Unit
from cases.services import (
    ReporterInput,
    case_assign,
    case_intake,
    case_merge,
    case_orient,
    case_resolve,
    case_verify,
)
from notifications.models import Notification
from reports.models import Report
from workflow.services import clocks_sweep

from .conftest import visible_text

COMMUNE_A, HAMLET_EAST, HAMLET_WEST, COMMUNE_B, PROVINCE = (
    "DM-ANBINH", "DM-ANBINH-T01", "DM-ANBINH-T02", "DM-BINHMINH", "DM")
NO_MOVES = "Bạn không có thao tác nào trên vụ việc này lúc này."


@pytest.fixture
def demo(db):
    """The demo province, its people by username."""
    call_command("seed_demo", verbosity=0)
    return {user.username: user for user in get_user_model().objects.all()}


@pytest.fixture
def as_demo(demo):
    """`as_demo("leader")`: a client logged in as that demo person, in Vietnamese."""

    def login(username):
        client = Client(HTTP_ACCEPT_LANGUAGE="vi")
        client.force_login(demo[username])
        return client

    return login


def demo_case(ref) -> Case:
    return Case.objects.get(external_ref=ref)


def moves_on(response) -> list[str]:
    html = response.content.decode()
    return sorted(part.split('"')[0] for part in html.split('data-move="')[1:])


def post_move(client, case, move, **data):
    case.refresh_from_db()
    fields = {f"{move}-{key}": value for key, value in {"version": case.version, **data}.items()}
    return client.post(f"/cases/{case.code}/move/{move}/", fields)


def queue_rows(response) -> list[str]:
    html = response.content.decode()
    return list(dict.fromkeys(part.split("/")[0] for part in html.split('href="/cases/')[1:] if part.startswith("DL-")))


def strip(response) -> list[tuple[str, str]]:
    """(step, state) of the progress strip's main path, in order."""
    html = response.content.decode()
    nav = html.split('data-testid="progress"')[1].split("</ol>")[0]
    return re.findall(r'data-step="(\w+)" data-state="(\w+)"', nav)


def side_steps(response) -> list[str]:
    html = response.content.decode()
    if 'data-testid="progress-side"' not in html:
        return []
    return re.findall(r'data-step="(\w+)"', html.split('data-testid="progress-side"')[1].split("</ul>")[0])


def resolved_case(demo, title="Rác thải ùn ứ cạnh trường tiểu học thôn Đông"):
    """A case of commune A driven to "resolved" by the demo people; returns it with the reporter's secret."""
    case = case_intake(
        by=demo["clerk"], title=title, description="Rác để nhiều ngày, bốc mùi.",
        channel=Channel.objects.get(code="hotline"), topic=Topic.objects.get(code="MT-RAC"),
        locality=Unit.objects.get(code=HAMLET_EAST), reporter=ReporterInput(full_name="Đinh Thị Yến", phone="0977000111"),
    )
    secret = case.public_secret
    case_verify(case=case, by=demo["clerk"])
    case_assign(case=case, by=demo["leader"], unit=Unit.objects.get(code=COMMUNE_A), assignee=demo["handler"])
    case_orient(case=case, by=demo["handler"], response="Đã thông báo lịch thu gom tại buổi họp thôn.")
    case_resolve(case=case, by=demo["handler"], outcome="Đã thu gom, đặt thêm thùng rác.")
    return case, secret


# --- issue item 1: a resident's "not fixed" waits for the leader, whatever the report does --------------


def test_not_fixed_then_the_monthly_report_leaves_the_decision_with_the_leader(demo, as_demo):
    case, secret = resolved_case(demo)
    resident = Client()
    answered = resident.post("/tra-cuu/", {"code": case.code, "secret": secret, "fixed": "0",
                                           "comment": "Rác lại đổ ra sau hai ngày."})
    assert "đã được chuyển đến lãnh đạo" in visible_text(answered)
    assert Notification.objects.filter(recipient=demo["leader"], case=case, kind="public_feedback").exists()

    # The secretariat draws up and submits the monthly report through the report screens.
    secretariat = as_demo("secretariat")
    secretariat.post("/reports/new/", {"unit": COMMUNE_A, "kind": "monthly",
                                       "period_start": timezone.localdate().strftime("%d/%m/%Y")})
    report = Report.objects.get(unit__code=COMMUNE_A, kind="monthly")
    submitted = secretariat.post(f"/reports/{report.pk}/submit/", {"confirm": "1"}, follow=True)
    assert "Đã gửi báo cáo lên cấp trên" in visible_text(submitted)
    report.refresh_from_db()
    assert report.status == "submitted"
    case.refresh_from_db()
    assert (case.status, case.reopen_requested) == ("resolved", True)  # not marked reported
    version = report.versions.get()
    assert case.code not in version.marked_cases and case.code in version.figures["pending_decision"]["cases"]

    leader = as_demo("leader")
    page = leader.get(f"/cases/{case.code}/")
    assert {"reopen", "keep_closed"} <= set(moves_on(page))
    assert "chờ lãnh đạo quyết định mở lại hay giữ kết quả" in visible_text(page)
    assert "decide_step" in side_steps(page)
    mine = leader.get("/cases/", {"tab": "mine"})
    assert case.code in queue_rows(mine) and "Quyết định mở lại" in visible_text(mine)

    kept = post_move(leader, case, "keep_closed", reason="Đơn vị đã thu gom đúng lịch; rác phát sinh mới do hộ kinh doanh, "
                                                       "đã giao thôn nhắc nhở.")
    assert kept.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.reopen_requested) == ("resolved", False)
    after = leader.get(f"/cases/{case.code}/")
    assert "Đã giữ kết quả giải quyết" in visible_text(after)
    assert "chờ lãnh đạo quyết định" not in visible_text(after)
    assert case.code not in queue_rows(leader.get("/cases/", {"tab": "mine"}))

    public = visible_text(resident.post("/tra-cuu/", {"code": case.code, "secret": secret}))
    assert "rác phát sinh mới do hộ kinh doanh" in public
    for hidden in ("Trần Văn Minh", "leader", "Đinh Thị Yến", "0977000111"):
        assert hidden not in public, hidden


def test_a_wrong_role_cannot_keep_the_result(demo, as_demo):
    case, secret = resolved_case(demo)
    Client().post("/tra-cuu/", {"code": case.code, "secret": secret, "fixed": "0"})
    refused = post_move(as_demo("handler"), case, "keep_closed", reason="Không phải việc của tôi")
    assert refused.status_code == 409 and "Không thực hiện được" in visible_text(refused)
    case.refresh_from_db()
    assert case.reopen_requested and not case.kept_closed_reason


def test_reopen_answers_the_resident_too(demo, as_demo):
    case, secret = resolved_case(demo)
    Client().post("/tra-cuu/", {"code": case.code, "secret": secret, "fixed": "0"})
    assert post_move(as_demo("leader"), case, "reopen", reason="Giao xử lý lại").status_code == 302
    case.refresh_from_db()
    assert case.status == "assigned"
    page = as_demo("leader").get(f"/cases/{case.code}/")
    assert "chờ lãnh đạo quyết định" not in visible_text(page)


# --- issue item 2: escalation gives the tier above moves, a tab, a count and a linked figure -----------


@pytest.fixture
def escalated(demo, time_machine):
    """Time moved past every demo deadline and the sweep run: the assigned demo case of commune A is
    escalated to the province."""
    case = demo_case("seed-demo-03")
    later = case.deadline + timedelta(days=20)
    time_machine.move_to(later, tick=True)
    clocks_sweep(now=timezone.now())
    case.refresh_from_db()
    assert case.escalation_level == 1
    return case


def test_the_supervisor_gets_an_escalated_case_with_moves_a_tab_and_a_linked_figure(escalated, as_demo):
    supervisor = as_demo("supervisor")
    page = supervisor.get(f"/cases/{escalated.code}/")
    seen = visible_text(page)
    assert NO_MOVES not in seen
    assert {"pull_up", "reassign", "extend", "instruct"} <= set(moves_on(page))
    assert "Đã chuyển lên, chờ chỉ đạo: Tỉnh ủy tỉnh Mẫu (demo)" in seen
    assert "direct_step" in side_steps(page)

    tab = supervisor.get("/cases/", {"tab": "escalated"})
    assert escalated.code in queue_rows(tab)
    count = int(tab.content.decode().split('data-testid="tab-count-escalated">')[1].split("<")[0])
    assert count == len(queue_rows(tab)) and "Chuyển lên tôi" in visible_text(tab)
    assert "Chỉ đạo xử lý" in visible_text(tab)

    dashboard = supervisor.get("/dashboard/").content.decode()
    link = dashboard.split('data-testid="kpi-escalated"')[0].rsplit('href="', 1)[1].split('"')[0]
    figure = int(dashboard.split('data-testid="kpi-escalated">')[1].split("<")[0])
    assert link.replace("&amp;", "&") == "/cases/?tab=escalated"
    assert figure == count and queue_rows(supervisor.get(link.replace("&amp;", "&"))) == queue_rows(tab)


def test_the_province_leader_directs_too_and_commune_people_do_not(escalated, as_demo):
    assert {"pull_up", "reassign", "extend", "instruct"} <= set(moves_on(as_demo("leader_province").get(
        f"/cases/{escalated.code}/")))
    assert escalated.code in queue_rows(as_demo("leader_province").get("/cases/", {"tab": "escalated"}))
    handler = as_demo("handler")
    for move, data in (("pull_up", {"reason": "x"}), ("instruct", {"instruction": "x"})):
        refused = post_move(handler, escalated, move, **data)
        assert refused.status_code == 409 and "Không thực hiện được" in visible_text(refused)
    assert Case.objects.get(pk=escalated.pk).owner.code == COMMUNE_A


def test_pull_up_makes_the_province_the_owner(escalated, as_demo):
    leader_province = as_demo("leader_province")
    response = post_move(leader_province, escalated, "pull_up", reason="Vụ việc kéo dài, Tỉnh ủy trực tiếp xử lý.")
    assert response.status_code == 302
    escalated.refresh_from_db()
    assert escalated.owner.code == PROVINCE
    page = leader_province.get(f"/cases/{escalated.code}/")
    assert "Đã rút vụ việc lên đơn vị của bạn xử lý." in visible_text(page)
    assert "direct_step" not in side_steps(page)
    assert escalated.code not in queue_rows(leader_province.get("/cases/", {"tab": "escalated"}))
    assert escalated.code in queue_rows(as_demo("handler_province").get("/cases/", {"tab": "unit"}))


def test_reassign_by_the_tier_above(escalated, as_demo):
    supervisor = as_demo("supervisor")
    refused = post_move(supervisor, escalated, "reassign", unit=HAMLET_WEST, reason="Giao thôn")
    assert refused.status_code == 400 and "chưa có ai giữ vai trò" in visible_text(refused)
    done = post_move(supervisor, escalated, "reassign", unit=COMMUNE_B, reason="Phường Bình Minh có công trình liền kề.")
    assert done.status_code == 302
    assert Case.objects.get(pk=escalated.pk).owner.code == COMMUNE_B


def test_extend_by_the_tier_above(escalated, as_demo):
    leader_province = as_demo("leader_province")
    # A date before the current deadline is refused with the reason; nothing changes.
    stale = post_move(leader_province, escalated, "extend", new_due="01/01/2020 08:00", decision_ref="16/QĐ-TU",
                      reason="Nhầm")
    assert stale.status_code == 400 and "Hạn mới phải sau hạn hiện tại." in visible_text(stale)
    assert not CaseEvent.objects.filter(case=escalated, action="extend").exists()

    new_due = timezone.localtime() + timedelta(days=7)
    response = post_move(leader_province, escalated, "extend", new_due=new_due.strftime("%d/%m/%Y %H:%M"),
                         decision_ref="15/QĐ-TU", reason="Chờ kết quả khảo sát hiện trường.")
    assert response.status_code == 302, visible_text(response)
    escalated.refresh_from_db()
    assert timezone.localtime(escalated.deadline).strftime("%d/%m/%Y %H:%M") == new_due.strftime("%d/%m/%Y %H:%M")
    event = CaseEvent.objects.filter(case=escalated, action="extend").latest("seq")
    assert event.data["decision_ref"] == "15/QĐ-TU" and event.data["after_breach"] is True
    page = leader_province.get(f"/cases/{escalated.code}/")
    assert "Số quyết định: 15/QĐ-TU" in visible_text(page) and "Gia hạn sau khi đã quá hạn: có" in visible_text(page)
    # The extension answered the escalation: the direction is closed, the province has no move left.
    assert "direct_step" not in side_steps(page) and "extend" not in moves_on(page)


def test_instruct_then_acknowledge(escalated, as_demo):
    supervisor = as_demo("supervisor")
    response = post_move(supervisor, escalated, "instruct",
                         instruction="Trong 3 ngày làm việc phải khảo sát, báo cáo phương án sửa đường.")
    assert response.status_code == 302
    escalated.refresh_from_db()
    assert escalated.instruction_pending
    handler = as_demo("handler")
    page = handler.get(f"/cases/{escalated.code}/")
    seen = visible_text(page)
    assert "Có chỉ đạo của cấp trên chờ tiếp thu" in seen and "khảo sát, báo cáo phương án sửa đường" in seen
    assert "acknowledge" in moves_on(page) and "acknowledge_step" in side_steps(page)
    # The supervisor cannot acknowledge his own instruction.
    assert post_move(supervisor, escalated, "acknowledge", note="").status_code == 409
    done = post_move(handler, escalated, "acknowledge", note="Đã nhận, đang khảo sát.")
    assert done.status_code == 302
    escalated.refresh_from_db()
    assert not escalated.instruction_pending
    assert "Có chỉ đạo của cấp trên chờ tiếp thu" not in visible_text(handler.get(f"/cases/{escalated.code}/"))


# --- issue item 3: no hand-down to a unit nobody works in ----------------------------------------------


def test_handing_down_to_thon_dong_is_refused_and_changes_nothing(demo, as_demo):
    case = demo_case("seed-demo-02")  # verified, waiting for commune A's leader
    before = (case.status, case.owner_id, case.version, CaseEvent.objects.filter(case=case).count())
    response = post_move(as_demo("leader"), case, "assign", unit=HAMLET_EAST, note="Giao thôn xử lý")
    assert response.status_code == 400
    assert "Đơn vị “Thôn Đông” chưa có ai giữ vai trò" in visible_text(response)
    case.refresh_from_db()
    assert (case.status, case.owner_id, case.version, CaseEvent.objects.filter(case=case).count()) == before


# --- issue item 4: the leader's "Việc của tôi" ---------------------------------------------------------


def test_the_leaders_own_queue_holds_the_cases_waiting_for_his_assignment(demo, as_demo):
    waiting = {demo_case("seed-demo-02").code, demo_case("seed-demo-14").code}
    response = as_demo("leader").get("/cases/", {"tab": "mine"})
    assert waiting <= set(queue_rows(response))
    assert "Giao xử lý · chưa nhận" in visible_text(response)
    count = int(response.content.decode().split('data-testid="tab-count-mine">')[1].split("<")[0])
    assert count == len(queue_rows(response)) >= 2
    # The default tab is his own work.
    assert waiting <= set(queue_rows(as_demo("leader").get("/cases/")))


# --- kinds: intake, transfer, telling the reporter, the public page ------------------------------------


def intake_complaint(client):
    response = client.post("/cases/new/", {
        "title": "Khiếu nại việc thu hồi đất vườn không đúng diện tích",
        "description": "Gia đình bị thu hồi nhiều hơn quyết định.", "channel": "walk_in", "topic": "DAT",
        "locality": f"Thôn Đông ({HAMLET_EAST})", "priority": "normal", "kind": "complaint",
        "full_name": "Phan Văn Long", "phone": "0988111222",
    })
    assert response.status_code == 302
    page = client.get(response["Location"])
    code = page.content.decode().split('data-testid="new-code">')[1].split("<")[0]
    secret = page.content.decode().split('data-testid="new-secret">')[1].split("<")[0]
    return Case.objects.get(code=code), secret, page


def test_intake_offers_the_kind_and_logs_it(demo, as_demo):
    clerk = as_demo("clerk")
    form = visible_text(clerk.get("/cases/new/"))
    for label in ("Loại vụ việc", "Ý kiến", "Kiến nghị", "Phản ánh", "Khiếu nại", "Tố cáo"):
        assert label in form, label
    assert '<option value="reflection" selected>' in clerk.get("/cases/new/").content.decode()
    case, _secret, page = intake_complaint(clerk)
    assert case.kind == "complaint"
    # Its path is the transfer: offered first, and it cannot be verified onto the main line.
    assert "transfer" in moves_on(page) and "verify" not in moves_on(page)
    assert page.content.decode().split('data-move="')[1].startswith('transfer"')
    assert [step for step, _state in strip(page)] == ["intake", "transfer_step", "notify_step"]


def test_transfer_then_tell_the_reporter_and_the_public_page_says_so(demo, as_demo):
    clerk = as_demo("clerk")
    case, secret, _page = intake_complaint(clerk)
    refused = post_move(as_demo("handler"), case, "transfer", agency="Thanh tra tỉnh", legal_basis="Luật Khiếu nại")
    assert refused.status_code == 409
    missing = post_move(clerk, case, "transfer", agency="", legal_basis="")
    assert missing.status_code == 400 and "Trường này là bắt buộc." in visible_text(missing)

    done = post_move(clerk, case, "transfer", agency="Ủy ban nhân dân huyện Mẫu",
                     legal_basis="Luật Khiếu nại 2011, Điều 7 và Điều 18.", note="Chuyển kèm hồ sơ gốc.")
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == "transferred"
    page = clerk.get(f"/cases/{case.code}/")
    assert strip(page) == [("intake", "done"), ("transfer_step", "done"), ("notify_step", "current")]
    assert "reporter_notified" in moves_on(page) and "Chưa báo" in visible_text(page)
    assert case.code in queue_rows(clerk.get("/cases/", {"tab": "mine"}))

    public = Client()
    waiting = visible_text(public.post("/tra-cuu/", {"code": case.code, "secret": secret}))
    assert "Ủy ban nhân dân huyện Mẫu" in waiting and "Luật Khiếu nại 2011, Điều 7 và Điều 18." in waiting

    # Typed to the minute: the next minute, so that it is not before the intake of a few seconds ago.
    told = post_move(clerk, case, "reporter_notified", how="Gọi điện thoại cho người phản ánh",
                     notified_at=(timezone.localtime() + timedelta(minutes=1)).strftime("%d/%m/%Y %H:%M"))
    assert told.status_code == 302
    case.refresh_from_db()
    assert case.status == "transfer_closed" and case.reporter_notified_how == "Gọi điện thoại cho người phản ánh"
    closed = clerk.get(f"/cases/{case.code}/")
    assert all(state == "done" for _step, state in strip(closed))
    assert NO_MOVES in visible_text(closed)
    shown = visible_text(public.post("/tra-cuu/", {"code": case.code, "secret": secret}))
    for expected in ("Đã chuyển đơn, đã báo người phản ánh", "Ủy ban nhân dân huyện Mẫu", "Luật Khiếu nại 2011",
                     "Gọi điện thoại cho người phản ánh", timezone.localtime(case.reporter_notified_at).strftime("%d/%m/%Y")):
        assert expected in shown, expected
    for hidden in ("Phan Văn Long", "0988111222", "Nguyễn Thị Lan", "clerk"):
        assert hidden not in shown, hidden


def test_a_notification_time_in_the_future_is_refused(demo, as_demo):
    case = demo_case("seed-demo-13")  # a denunciation transferred in commune B
    later = (timezone.localtime() + timedelta(days=2)).strftime("%d/%m/%Y %H:%M")
    response = post_move(as_demo("clerk2"), case, "reporter_notified", how="Gửi thư", notified_at=later)
    assert response.status_code == 400 and "Thời điểm báo không được ở tương lai." in visible_text(response)
    assert Case.objects.get(pk=case.pk).status == "transferred"
    assert post_move(as_demo("clerk"), case, "reporter_notified", how="Gửi thư").status_code == 404  # not his commune
    # A handler of the commune sees the case but telling the reporter is the intake desk's move.
    refused = post_move(as_demo("handler2"), case, "reporter_notified", how="Gửi thư")
    assert refused.status_code == 409 and "Không thực hiện được" in visible_text(refused)
    assert Case.objects.get(pk=case.pk).status == "transferred"


def test_only_a_leader_extends_the_owners_deadline(demo, as_demo):
    case = demo_case("seed-demo-03")
    before = case.deadline
    new_due = (timezone.localtime(before) + timedelta(days=3)).strftime("%d/%m/%Y %H:%M")
    refused = post_move(as_demo("handler"), case, "extend", new_due=new_due, decision_ref="1/QĐ", reason="Cần thêm thời gian")
    assert refused.status_code == 409 and Case.objects.get(pk=case.pk).deadline == before
    missing = post_move(as_demo("leader"), case, "extend", new_due=new_due, decision_ref="", reason="")
    assert missing.status_code == 400 and "Trường này là bắt buộc." in visible_text(missing)
    done = post_move(as_demo("leader"), case, "extend", new_due=new_due, decision_ref="7/QĐ-ĐU", reason="Chờ vật tư")
    assert done.status_code == 302 and Case.objects.get(pk=case.pk).deadline > before


# --- the progress strip --------------------------------------------------------------------------------


@pytest.mark.parametrize(("ref", "expected"), [
    ("seed-demo-01", [("intake", "done"), ("verify_step", "current"), ("assign_step", "todo"),
                      ("orient_step", "todo"), ("resolve_step", "todo"), ("report_step", "todo")]),
    ("seed-demo-04", [("intake", "done"), ("verify_step", "done"), ("assign_step", "done"),
                      ("orient_step", "done"), ("resolve_step", "current"), ("report_step", "todo")]),
    # A topic that needs no public response has no orientation step.
    ("seed-demo-14", [("intake", "done"), ("verify_step", "done"), ("assign_step", "current"),
                      ("resolve_step", "todo"), ("report_step", "todo")]),
    ("seed-demo-06", [("intake", "done"), ("verify_step", "done"), ("assign_step", "done"),
                      ("orient_step", "done"), ("resolve_step", "done"), ("report_step", "done")]),
    ("seed-demo-08", [("intake", "done"), ("end", "ended")]),
    ("seed-demo-12", [("intake", "done"), ("transfer_step", "current"), ("notify_step", "todo")]),
    ("seed-demo-16", [("intake", "done"), ("transfer_step", "done"), ("notify_step", "done")]),
])
def test_the_strip_follows_each_kind_path(demo, as_demo, ref, expected):
    case = demo_case(ref)
    page = as_demo("supervisor").get(f"/cases/{case.code}/")
    assert strip(page) == expected


def test_the_strip_labels_come_from_the_flow(demo, as_demo):
    text = visible_text(as_demo("leader").get(f"/cases/{demo_case('seed-demo-03').code}/"))
    # Each step: its mark (a tick or its number), its label, its state in words for screen readers.
    assert "✓ Tiếp nhận (đã xong) ✓ Xác minh (đã xong) ✓ Giao xử lý (đã xong) 4 Định hướng, trả lời (đang thực hiện) " \
           "5 Giải quyết (chưa tới) 6 Đưa vào báo cáo (chưa tới)" in text


def test_a_resolved_case_waiting_for_a_decision_shows_the_decision_as_current(demo, as_demo):
    case = demo_case("seed-demo-15")  # commune B, the resident said "not fixed"
    page = as_demo("leader2").get(f"/cases/{case.code}/")
    assert strip(page)[-1] == ("report_step", "todo") and strip(page)[-2] == ("resolve_step", "done")
    assert side_steps(page) == ["decide_step"]
    assert {"reopen", "keep_closed"} <= set(moves_on(page))


# --- the public page of a merged case ------------------------------------------------------------------


def test_a_merged_case_shows_the_surviving_case_and_its_progress(demo):
    survivor = demo_case("seed-demo-01")
    duplicate = case_intake(
        by=get_user_model().objects.get(username="clerk"), title="Chợ An Bình rác nhiều",
        channel=Channel.objects.get(code="zalo"), topic=Topic.objects.get(code="MT-RAC"),
        locality=Unit.objects.get(code=HAMLET_EAST), reporter=ReporterInput(phone="0911000999"),
    )
    secret = duplicate.public_secret
    case_merge(case=duplicate, into=survivor, by=get_user_model().objects.get(username="clerk"))
    response = Client().post("/tra-cuu/", {"code": duplicate.code, "secret": secret})
    seen = visible_text(response)
    assert survivor.code in seen and "Tiếp nhận" in seen
    html = response.content.decode()
    survivor_part = html.split('data-testid="public-survivor"')[1]
    assert "st-received" in survivor_part
    assert re.findall(r'data-step="(\w+)" data-state="(\w+)"', survivor_part.split("</ol>")[0])[:2] == [
        ("intake", "done"), ("verify_step", "current")]
    # Never the survivor's title (another reporter's words) or any person.
    assert survivor.title not in seen and "0900000000" not in seen and "Nguyễn Thị Lan" not in seen


# --- the dashboard: every figure opens the list it counts ----------------------------------------------


def _links(html):
    return re.findall(r'<a class="figure" href="([^"]+)" data-testid="(kpi-\w+)">([^<]+)</a>', html)


def test_every_dashboard_figure_opens_exactly_its_list(demo, as_demo):
    for username in ("leader", "supervisor", "leader2"):
        client = as_demo(username)
        html = client.get("/dashboard/", {"period": ""}).content.decode()
        figures = _links(html)
        assert {name for _href, name, _n in figures} >= {"kpi-total", "kpi-open", "kpi-overdue", "kpi-escalated"}
        for href, name, shown in figures:
            if name == "kpi-rate":
                continue  # a rate, not a count: it opens the cases resolved in the period
            listed = client.get(href.replace("&amp;", "&"))
            assert len(queue_rows(listed)) == int(shown), (username, name, href)
        bars = re.findall(r'<a href="([^"]+)" data-testid="bar-link"><strong>(\d+)</strong></a>', html)
        assert len(bars) >= 10
        for href, shown in bars:
            assert len(queue_rows(client.get(href.replace("&amp;", "&")))) == int(shown), (username, href)
