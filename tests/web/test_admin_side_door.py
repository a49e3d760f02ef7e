"""Issue 15, item 5: the administration site reads, never impersonates. Cases are not browsable there,
viewflow's processes and tasks are read-only, and every change of roles, routing, calendars and clock
policies lands in a log that inspectors read on their own screen, with the values before and after."""

import pytest
from django.contrib.auth import get_user_model
from viewflow.workflow.models import Process, Task

from cases.models import Role, RoutingRule
from cases.permissions import has_role
from reports.models import AdminChange
from workflow.models import ClockPolicy


@pytest.fixture
def root(world, client):
    admin = get_user_model().objects.create_superuser("root", password="pw-for-tests-1")
    client.force_login(admin)
    return client


def test_case_data_is_not_browsable_on_the_admin_site(world, new_case, root):
    case = new_case("Tiêu đề chỉ người trong phạm vi được đọc")

    assert root.get("/admin/cases/case/").status_code == 404
    assert root.get(f"/admin/cases/case/{case.pk}/change/").status_code == 404
    for page in ("/admin/notifications/notification/", "/admin/notifications/outboxmessage/",
                 "/admin/viewflow/process/", "/admin/viewflow/task/"):
        response = root.get(page)
        assert response.status_code == 200, page
        assert case.title not in response.content.decode(), page


def test_viewflow_processes_and_tasks_are_read_only(world, new_case, root):
    case = new_case()
    process, task = Process.objects.get(), Task.objects.filter(process__isnull=False).first()

    page = root.get(f"/admin/viewflow/process/{process.pk}/change/")
    assert page.status_code == 200 and case.title not in page.content.decode()
    assert root.post(f"/admin/viewflow/process/{process.pk}/change/", {"status": "CANCELED"}).status_code == 403
    assert root.post(f"/admin/viewflow/process/{process.pk}/delete/", {"post": "yes"}).status_code == 403
    assert root.post(f"/admin/viewflow/task/{task.pk}/delete/", {"post": "yes"}).status_code == 403
    assert root.post("/admin/viewflow/task/", {"action": "delete_selected", "_selected_action": [task.pk],
                                               "post": "yes"}).status_code in (200, 302)
    assert Task.objects.filter(pk=task.pk).exists() and Process.objects.get().status == process.status


def test_routing_clock_policy_role_and_calendar_changes_are_recorded_before_and_after(world, root):
    rule = RoutingRule.objects.create(topic=world.topic, locality=world.commune_a, unit=world.commune_a)
    response = root.post(f"/admin/cases/routingrule/{rule.pk}/change/", {
        "topic": world.topic.pk, "locality": world.commune_a.pk, "unit": world.commune_b.pk, "is_active": "on"})
    assert response.status_code == 302

    policy = ClockPolicy.objects.get(clock="transfer", case_kind="denunciation")
    page = root.get(f"/admin/workflow/clockpolicy/{policy.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: ("on" if value is True else "" if value in (None, False) else value) for name, value in data.items()}
    data.update(amount=policy.amount + 3, start_events=", ".join(policy.start_events),
                stop_events=", ".join(policy.stop_events))
    data = {name: value for name, value in data.items() if value != ""}
    response = root.post(f"/admin/workflow/clockpolicy/{policy.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    response = root.post("/admin/cases/unituserobjectpermission/add/", {
        "user": world.clerk2.pk, "unit": world.commune_a.pk, "role": Role.HANDLER, "reason": "Điều động"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert has_role(get_user_model().objects.get(pk=world.clerk2.pk),
                                                    world.commune_a, Role.HANDLER)
    assert root.post("/admin/workflow/calendaradjustment/add/", {
        "date": "2026-03-12", "kind": "day_off", "reason": "Thông báo 2/TB"}).status_code == 302

    changes = list(AdminChange.objects.order_by("pk"))
    assert [(c.model, c.action) for c in changes] == [
        ("cases.routingrule", "change"), ("workflow.clockpolicy", "change"),
        ("cases.unituserobjectpermission", "add"), ("workflow.calendaradjustment", "add")]
    routing, clock, role, calendar = changes
    assert (routing.before["unit_id"], routing.after["unit_id"]) == (world.commune_a.pk, world.commune_b.pk)
    assert (clock.before["amount"], clock.after["amount"]) == (policy.amount, policy.amount + 3)
    assert role.after == {"user": "clerk2", "unit": world.commune_a.code, "role": Role.HANDLER, "reason": "Điều động"}
    assert calendar.after["date"] == "2026-03-12" and calendar.user.username == "root"


def test_inspectors_read_the_change_log_on_their_screen_and_nobody_else_does(world, root, as_user):
    rule = RoutingRule.objects.create(topic=world.topic, locality=world.commune_a, unit=world.commune_a)
    root.post(f"/admin/cases/routingrule/{rule.pk}/delete/", {"post": "yes"})

    page = as_user("inspector").get("/reports/inspection/admin-changes/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "cases.routingrule" in text and "Xóa" in text and "root" in text
    assert as_user("leader").get("/reports/inspection/admin-changes/").status_code == 403
    # The log itself cannot be edited or deleted, even by a superuser.
    change = AdminChange.objects.get()
    assert root.post(f"/admin/reports/adminchange/{change.pk}/delete/", {"post": "yes"}).status_code in (403, 404)
    assert AdminChange.objects.filter(pk=change.pk).exists()


def test_a_secret_never_lands_in_the_change_log(world, root):
    from notifications.models import WebhookEndpoint

    response = root.post("/admin/notifications/webhookendpoint/add/", {
        "name": "Cổng tỉnh", "url": "https://example.vn/hook", "actions": "[]", "secret": "s3cret-value-xyz",
        "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert WebhookEndpoint.objects.exists()
    change = AdminChange.objects.get()
    assert "s3cret-value-xyz" not in str(change.after) and change.after["secret"] == "••••••"


def test_an_administrator_cannot_give_anyone_an_authenticator_of_their_choosing(world, root):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    response = root.post("/admin/otp_totp/totpdevice/add/", {
        "user": world.leader.pk, "name": "mine", "key": "3132333435363738393031323334353637383930", "step": 30,
        "t0": 0, "digits": 6, "tolerance": 1, "drift": 0, "confirmed": "on"})
    assert response.status_code == 403 and not TOTPDevice.objects.exists()
    device = TOTPDevice.objects.create(user=world.leader, name="authenticator", confirmed=True)
    page = root.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page  # the secret is never shown
    assert root.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code == 302
    change = AdminChange.objects.get()
    assert (change.model, change.action) == ("otp_totp.totpdevice", "delete") and device.key not in str(change.before)
