"""Reporter privacy: encryption at rest with key rotation, retention that keeps the audit chain valid,
and an export of everything held about one reporter (itself recorded as a reveal).

Every reveal is recorded already: tests/cases/test_roles_routing_units.py
(`..._every_reveal_is_recorded`) and tests/web/test_case_page.py (the identity vault).
"""

import json
from datetime import timedelta

import pytest
import time_machine
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from cases.audit import audit_verify
from cases.models import Case, CaseEvent, CaseReport, Reporter
from cases.retention import reporters_anonymise_due
from cases.services import ReporterInput, case_intake, case_merge, case_reject, case_verify, reporter_reveal
from notifications.models import WebhookEndpoint

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def raw_column(model, pk, column):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- encryption at rest and key rotation ----------------------------------------------------


def test_contact_data_is_stored_only_as_ciphertext(world, new_case):
    case = new_case()
    reporter = case.reports.get().reporter
    stored = raw_column(Reporter, reporter.pk, "phone")
    assert "0912345678" not in stored and stored.startswith("gAAAA")  # a Fernet token
    assert Reporter.objects.get(pk=reporter.pk).phone == "0912345678"


def test_rotation_re_encrypts_everything_under_the_new_key_and_old_keys_read_until_then(world, new_case, settings):
    settings.FIELD_ENCRYPTION_KEY = OLD
    cases = [new_case(f"Phản ánh {n}") for n in range(5)]
    hook = WebhookEndpoint.objects.create(name="Cổng tỉnh", url="http://127.0.0.1:9/hook")
    reporter_ids = [c.reports.get().reporter_id for c in cases]

    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"  # step 1: the new key in front; old data still reads
    assert {r.full_name for r in Reporter.objects.filter(pk__in=reporter_ids)} == {"Nguyễn Văn A"}
    with pytest.raises(CommandError, match="still under an old key"):
        run("rotate_encryption_key", "--check")

    report = run("rotate_encryption_key")  # step 2
    assert "cases.Reporter.full_name: 0 current, 5 re-encrypted" in report
    assert "cases.Reporter.phone: 0 current, 5 re-encrypted" in report
    assert "notifications.WebhookEndpoint.secret: 0 current, 1 re-encrypted" in report
    assert "re-encrypted" in run("rotate_encryption_key") and "0 re-encrypted" in run("rotate_encryption_key")  # again: nothing to do
    run("rotate_encryption_key", "--check")  # step 3 passes

    settings.FIELD_ENCRYPTION_KEY = NEW  # step 4: the old key is gone
    for pk in reporter_ids:
        token = raw_column(Reporter, pk, "phone")
        assert Fernet(NEW).decrypt(token.encode()) == b"0912345678"
        with pytest.raises(InvalidToken):
            Fernet(OLD).decrypt(token.encode())
    assert Reporter.objects.get(pk=reporter_ids[0]).phone == "0912345678"
    assert WebhookEndpoint.objects.get(pk=hook.pk).secret == hook.secret
    assert audit_verify().ok


def test_dropping_the_old_key_before_rotating_is_caught(world, new_case, settings):
    settings.FIELD_ENCRYPTION_KEY = OLD
    reporter_id = new_case().reports.get().reporter_id
    settings.FIELD_ENCRYPTION_KEY = NEW
    with pytest.raises(CommandError, match="decrypt under no configured key"):
        run("rotate_encryption_key")
    with pytest.raises(ImproperlyConfigured):
        Reporter.objects.get(pk=reporter_id)
    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"  # put it back: nothing was lost
    assert Reporter.objects.get(pk=reporter_id).full_name == "Nguyễn Văn A"


# --- retention ---------------------------------------------------------------------------------

LONG_AGO = timedelta(days=6 * 365)


def intake(world, title, name):
    return case_intake(by=world.clerk, title=title, channel=world.channel, topic=world.topic, locality=world.hamlet_a,
                       reporter=ReporterInput(full_name=name, phone="0900000000"))


def test_retention_erases_reporters_of_long_closed_cases_only_and_keeps_every_chain_valid(world):
    with time_machine.travel(timezone.now() - LONG_AGO):
        old_rejected = intake(world, "Phản ánh cũ đã đóng", "Người Cũ")
        case_reject(case=old_rejected, by=world.clerk, reason="Không thuộc thẩm quyền")
        merged = intake(world, "Trùng lặp cũ", "Người Trùng")
        survivor = intake(world, "Vụ việc còn mở", "Người Còn Mở")
        case_merge(case=merged, into=survivor, by=world.clerk)
    recent = intake(world, "Vừa đóng", "Người Mới")
    case_reject(case=recent, by=world.clerk, reason="Trùng")
    still_open = intake(world, "Đang xử lý", "Người Đang Chờ")
    before = {c.code: (c.status, c.event_count) for c in Case.objects.all()}

    dry = reporters_anonymise_due(retention_days=5 * 365, dry_run=True)
    assert (dry.cases, dry.reporters) == ([old_rejected.code], 1)
    assert Reporter.objects.filter(full_name="").count() == 0  # a dry run changes nothing

    output = run("anonymise_reporters", "--days", str(5 * 365))
    assert f"1 reporters anonymised on 1 cases" in output and old_rejected.code in output

    erased = CaseReport.objects.get(case=old_rejected).reporter
    erased.refresh_from_db()
    assert (erased.full_name, erased.phone, erased.email, erased.address) == ("", "", "", "")
    # The merged duplicate's reporter also reported the open survivor: kept until that closes.
    assert CaseReport.objects.get(case=merged).reporter.full_name == "Người Trùng"
    assert CaseReport.objects.get(case=recent).reporter.full_name == "Người Mới"
    assert CaseReport.objects.get(case=still_open).reporter.full_name == "Người Đang Chờ"

    event = CaseEvent.objects.get(case=old_rejected, action="reporter_anonymised")
    assert event.data == {"reporters": [1], "retention_days": 5 * 365, "deadline": None}
    assert event.from_status == event.to_status == "rejected"
    assert audit_verify().ok
    after = {c.code: (c.status, c.event_count) for c in Case.objects.all()}
    assert after == {**before, old_rejected.code: ("rejected", before[old_rejected.code][1] + 1)}

    assert "0 reporters anonymised" in run("anonymise_reporters", "--days", str(5 * 365))  # again: nothing left
    revealed = reporter_reveal(case=Case.objects.get(pk=old_rejected.pk), by=world.clerk, reason="Kiểm tra sau khi xóa")
    assert revealed[0]["full_name"] == "" and revealed[0]["phone"] == ""


def test_a_reporter_shared_by_a_merge_is_erased_once_and_recorded_on_both_cases(world):
    with time_machine.travel(timezone.now() - LONG_AGO):
        duplicate = intake(world, "Trùng lặp", "Người Trùng")
        survivor = intake(world, "Vụ việc chính", "Người Chính")
        case_merge(case=duplicate, into=survivor, by=world.clerk)
        case_reject(case=Case.objects.get(pk=survivor.pk), by=world.clerk, reason="Không thuộc thẩm quyền")

    result = reporters_anonymise_due(retention_days=5 * 365)

    assert (sorted(result.cases), result.reporters, result.audit_ok) == (sorted([duplicate.code, survivor.code]), 2, True)
    assert Reporter.objects.exclude(full_name="").count() == 0
    recorded = {e.case.code: e.data["reporters"] for e in CaseEvent.objects.filter(action="reporter_anonymised")}
    assert recorded == {duplicate.code: [1], survivor.code: [1, 2]}
    assert reporters_anonymise_due(retention_days=5 * 365).cases == []  # nothing left the next day


def test_retention_refuses_a_period_under_one_day(world):
    with pytest.raises(CommandError):
        run("anonymise_reporters", "--days", "0")


# --- export of what is held about one reporter -------------------------------------------------


def test_export_prints_everything_held_about_one_reporter_and_records_the_look(world, new_case):
    first = new_case("Đèn đường hỏng")
    duplicate = new_case("Đèn đường hỏng lần hai")
    case_merge(case=duplicate, into=first, by=world.clerk)  # the same person, reported twice
    events_before = first.event_count  # merge_in included (case_merge refreshes the survivor)

    printed = run("export_reporter", first.code, "2", "--by", "clerk", "--reason", "Yêu cầu của người phản ánh ngày 20/11")
    exported = json.loads(printed)
    assert exported["case"] == first.code and exported["pseudonym"] == "Người phản ánh #2"
    assert exported["anonymous"] is False
    assert exported["contact"]["full_name"] == "Nguyễn Văn A" and exported["contact"]["phone"] == "0912345678"
    assert [(r["case"], r["via_case"]) for r in exported["reports"]] == [(duplicate.code, None), (first.code, duplicate.code)]

    first.refresh_from_db()
    assert first.event_count == events_before + 1
    look = CaseEvent.objects.filter(case=first).latest("seq")
    assert look.action == "reveal_reporter" and look.actor == world.clerk
    assert "Người phản ánh #2" in look.note and "Yêu cầu của người phản ánh ngày 20/11" in look.note
    assert audit_verify().ok


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["1", "--by", "handler", "--reason", "tò mò"], "quyền"),  # no right to see reporters
        (["1", "--by", "clerk", "--reason", " "], "lý do"),  # no reason
        (["7", "--by", "clerk", "--reason", "x"], "số 7"),  # no such reporter
    ],
)
def test_export_is_refused_without_right_reason_or_reporter(world, new_case, args, message):
    case = new_case()
    with pytest.raises(CommandError, match=message):
        run("export_reporter", case.code, *args)
    assert not CaseEvent.objects.filter(case=case, action="reveal_reporter").exists()


def test_export_of_an_anonymous_report_holds_no_contact(world, new_case):
    case = new_case(anonymous=True)
    exported = json.loads(run("export_reporter", case.code, "1", "--by", "clerk", "--reason", "Kiểm tra"))
    assert exported["anonymous"] is True and exported["contact"] == {}


def test_retention_runs_daily_on_beat_with_the_configured_period(world, settings):
    from security.tasks import reporters_anonymise

    entry = settings.CELERY_BEAT_SCHEDULE["security-reporter-retention"]
    assert entry["task"] == "security.tasks.reporters_anonymise"
    settings.DLXH_REPORTER_RETENTION_DAYS = 30
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        old = intake(world, "Cũ", "Người Cũ")
        case_reject(case=old, by=world.clerk, reason="Ngoài phạm vi")
    assert reporters_anonymise() == {"cases": 1, "reporters": 1, "audit_ok": True}
    assert CaseReport.objects.get(case=old).reporter.full_name == ""
