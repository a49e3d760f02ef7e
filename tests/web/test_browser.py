"""The whole line in a real browser (Debian's Chromium, headless) against a live server.

A clerk logs a case with an attachment and verifies it, the leader assigns
it, the handler orients and resolves it, the inspector opens its history and
sees every step and the chain check; a clerk of another commune gets "not
found"; the reporter checks the status on the public page. The line runs at a
desk's width (1366 px) and at a phone's (390 px); on each screen it passes
through, the page is never wider than the window, a phone's controls are
44 × 44 px and axe-core finds no WCAG 2.1 AA violation (browser_kit). Each
screen is saved to docs/screenshots/ (linked from the README), the phone's as
phone-NAME.png.

Playwright is used through its Python package only: no `playwright install`;
the browser is /usr/bin/chromium (bin/test and .ci/run install it if missing).
"""

import pytest
from django.core.management import call_command

from cases.models import Case, CaseEvent

from .browser_kit import DESKTOP, PHONE, Screens, screen_problems, sideways_overflow

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" \
      b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"


class FlowScreens(Screens):
    """Every screen the line passes through is checked (browser_kit.screen_problems) and saved: at a desk's
    width under its own name, at a phone's as phone-NAME."""

    def shot(self, page, name):
        phone = self.viewport is PHONE
        problems = screen_problems(page, phone=phone)
        assert not problems, "\n".join(problems)
        super().shot(page, f"phone-{name}" if phone else name)


def _open_move(page, move):
    """Unfold a move's form (a lone move is already unfolded)."""
    details = page.locator(f'details[data-move="{move}"]')
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def _menu_by_keyboard(page, screens):
    """On a phone the top bar is a menu button: Enter opens it, Escape closes it and keeps the focus on it."""
    toggle = page.locator(".menu-toggle")
    assert toggle.get_attribute("aria-expanded") == "false" and not page.locator(".nav").is_visible()
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    for entry in ("Việc cần làm", "Đổi mật khẩu", "Đăng xuất"):
        assert page.locator(".topbar-menu").get_by_text(entry).is_visible(), entry
    screens.shot(page, "menu")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and not page.locator(".nav").is_visible()
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366px", "390px"])
@pytest.mark.django_db(transaction=True)
def test_a_case_from_intake_to_resolution_in_the_browser(live_server, browser, tmp_path, viewport):
    call_command("seed_demo", verbosity=0)
    screens = FlowScreens(browser, live_server.url, viewport=viewport)

    # The login screen.
    page = screens.person()
    page.goto(live_server.url + "/cases/")
    assert "/login/" in page.url and page.locator("h1").inner_text() == "Đăng nhập"
    screens.shot(page, "login")

    # The clerk logs a case with an attachment; a similar open case is suggested while typing.
    clerk = screens.person("clerk")
    clerk.click("text=Tiếp nhận vụ việc")
    clerk.fill("#id_locality", "Thôn Đông (DM-ANBINH-T01)")
    clerk.fill("#id_title", "Rác thải tồn đọng tại chợ An Bình gây mùi")
    clerk.wait_for_selector(".dup-list li")
    assert "DL-" in clerk.locator(".dup-list").inner_text()
    clerk.fill("#id_description", "Rác tồn đọng ở cổng chợ phía đông, bốc mùi sau mưa.")
    clerk.select_option("#id_channel", "hotline")
    clerk.select_option("#id_topic", "MT-RAC")
    clerk.check("input[name=priority][value=urgent]")
    clerk.fill("#id_full_name", "Lê Thị Cúc")
    clerk.fill("#id_phone", "0911222333")
    photo = tmp_path / "anh-cho.png"
    photo.write_bytes(PNG)
    clerk.set_input_files("#id_attachments", str(photo))
    screens.shot(clerk, "intake")
    clerk.click("#intake-submit")
    clerk.wait_for_selector('[data-testid="new-secret"]')
    code = clerk.locator('[data-testid="new-code"]').inner_text().strip()
    secret = clerk.locator('[data-testid="new-secret"]').inner_text().strip()
    case_url = f"{live_server.url}/cases/{code}/"
    assert "anh-cho.png" in clerk.locator("#attachments").inner_text()
    assert Case.objects.get(code=code).attachments.count() == 1

    # The clerk verifies it.
    _open_move(clerk, "verify")
    clerk.click('details[data-move="verify"] button[type=submit]')
    clerk.wait_for_selector("text=Đã xác minh vụ việc.")

    # The leader assigns it to the handler.
    leader = screens.person("leader")
    leader.goto(case_url)
    _open_move(leader, "assign")
    assert leader.input_value("#id_assign-unit") == "DM-ANBINH"  # proposed: the owning commune
    leader.select_option("#id_assign-assignee", label="Lê Văn Hùng · Đảng ủy xã An Bình")
    leader.fill("#id_assign-note", "Giao anh Hùng kiểm tra hiện trường.")
    screens.shot(leader, "case-assign")
    leader.click('details[data-move="assign"] button[type=submit]')
    leader.wait_for_selector("text=Đã giao xử lý.")

    # The in-app notifications were written with the assignment: the handler's bell shows them, with those of
    # the demo's cases assigned to the handler today (one row for the day's assignments in the commune, which
    # opens their list, or the case itself when it is the only one).
    # The handler finds it in "my tasks" and in the bell, orients and resolves it.
    handler = screens.person("handler")
    handler.goto(live_server.url + "/cases/?tab=mine")
    handler.wait_for_selector(".bell .count:not([hidden])")
    handler.click(".bell > button")
    handler.wait_for_selector(f'.bell-panel a[href="/cases/{code}/"], .bell-panel a[href^="/inbox/group/?kind=assign"]')
    problems = screen_problems(handler, phone=viewport is PHONE)  # with the bell's panel open
    assert not problems, "\n".join(problems)
    handler.click(".bell > button")
    assert code in handler.locator("table").inner_text()
    screens.shot(handler, "queue")
    if viewport is PHONE:
        _menu_by_keyboard(handler, screens)
    handler.locator(f'table a[href="/cases/{code}/"]').first.click()
    _open_move(handler, "orient")
    handler.fill("#id_orient-response", "Đã thông tin cho bà con tại buổi họp thôn: rác sẽ được thu gom trong tuần.")
    handler.click('details[data-move="orient"] button[type=submit]')
    handler.wait_for_selector("text=Đã ghi nội dung định hướng, trả lời.")
    _open_move(handler, "resolve")
    handler.fill("#id_resolve-outcome", "Đã thu gom toàn bộ rác, bố trí thêm thùng chứa ở cổng chợ.")
    handler.click('details[data-move="resolve"] button[type=submit]')
    handler.wait_for_selector("text=Đã ghi kết quả giải quyết.")
    assert Case.objects.get(code=code).status == "resolved"
    screens.shot(handler, "case")

    # The leader's dashboard.
    leader.goto(live_server.url + "/dashboard/")
    leader.wait_for_selector('[data-testid="kpi-total"]')
    screens.shot(leader, "dashboard")

    # The inspector opens the history and sees every step, with the chain intact.
    inspector = screens.person("inspector")
    inspector.goto(live_server.url + "/inspection/")
    inspector.fill("#id_q", code)
    inspector.click("button[name=check]")
    inspector.wait_for_selector('[data-testid="chain-result"]')
    assert "Toàn vẹn: 1 vụ việc" in inspector.locator('[data-testid="chain-result"]').inner_text()
    inspector.click("text=Lịch sử, kiểm tra")
    history = inspector.locator("table").inner_text()
    for step in ("Tiếp nhận", "Xác minh", "Giao xử lý", "Định hướng, trả lời", "Giải quyết xong"):
        assert step in history, step
    assert "Giao anh Hùng kiểm tra hiện trường." in history
    assert "nguyên vẹn" in inspector.locator('[data-testid="chain-result"]').inner_text()
    assert CaseEvent.objects.filter(case__code=code).count() == inspector.locator("tbody tr").count()
    screens.shot(inspector, "inspector")

    # A clerk of another commune gets "not found" for the same address.
    clerk2 = screens.person("clerk2")
    response = clerk2.goto(case_url)
    assert response.status == 404
    assert "Không tìm thấy" in clerk2.locator("h1").inner_text()
    assert "Rác thải tồn đọng tại chợ An Bình gây mùi" not in clerk2.content()

    # The reporter checks the status with the code and secret given at intake.
    public = screens.person()
    public.goto(live_server.url + "/tra-cuu/")
    public.fill("#id_code", code)
    public.fill("#id_secret", secret)
    public.click("#lookup-submit")
    status = public.locator('[data-testid="public-status"]').inner_text()
    assert "Đã giải quyết xong" in status and "Đã thu gom toàn bộ rác" in status
    assert "Lê Văn Hùng" not in status and "Lê Thị Cúc" not in status
    screens.shot(public, "public")


@pytest.mark.django_db(transaction=True)
def test_the_progress_strip_and_the_escalated_tab_at_desktop_and_phone_width(live_server, browser):
    """The case page's strip and the supervisor's "Chuyển lên tôi" tab, at 1366 px and at 390 px: readable,
    wrapped, never wider than the screen."""
    from datetime import timedelta

    from django.utils import timezone

    from workflow.services import clocks_sweep

    call_command("seed_demo", verbosity=0)
    case = Case.objects.get(external_ref="seed-demo-03")
    # The deadlines long past: the sweep escalates the overdue demo cases to the province.
    clocks_sweep(now=case.deadline + timedelta(days=20))
    case.refresh_from_db()
    assert case.escalation_level == 1
    assert timezone.now() < case.deadline + timedelta(days=20)
    screens = Screens(browser, live_server.url)
    page = screens.person("supervisor")
    for width, viewport in (("1366", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/cases/{case.code}/")
        strip = page.locator('[data-testid="progress"]')
        assert strip.is_visible()
        steps = strip.locator("ol > li")
        assert [steps.nth(i).get_attribute("data-state") for i in range(steps.count())] == [
            "done", "done", "done", "current", "todo", "todo"]
        assert "Định hướng, trả lời" in strip.locator('li[aria-current="step"]').inner_text()
        assert "Chỉ đạo xử lý" in strip.locator('[data-testid="progress-side"]').inner_text()
        # Every step lies inside the screen: the strip wraps instead of running off to the right.
        box = strip.bounding_box()
        for i in range(steps.count()):
            step_box = steps.nth(i).bounding_box()
            assert step_box["x"] >= box["x"] - 1 and step_box["x"] + step_box["width"] <= box["x"] + box["width"] + 1
        assert page.locator('details[data-move="pull_up"]').count() == 1
        assert not sideways_overflow(page), f"the case page scrolls sideways at {width} px"
        screens.shot(page, f"case-progress-{width}")

        page.goto(f"{live_server.url}/cases/?tab=escalated")
        tab = page.locator('.tabs a[data-tab="escalated"]')
        assert tab.get_attribute("aria-current") == "page"
        count = int(page.locator('[data-testid="tab-count-escalated"]').inner_text())
        assert count >= 1 and case.code in page.locator("table").inner_text()
        assert not sideways_overflow(page), f"the escalated tab scrolls sideways at {width} px"
        screens.shot(page, f"queue-escalated-{width}")
