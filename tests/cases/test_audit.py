"""The hash-chained history: intact on real data, broken by any edit, deletion or reorder."""

from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from cases.audit import audit_verify
from cases.db_roles import as_database_owner
from cases.demo import demo_seed
from cases.models import Case, CaseEvent
from cases.services import case_verify


@contextmanager
def append_only_trigger_disabled():
    """Behind the application's back, as an attacker with the owner's password would be (the application's own
    role cannot: test_database_roles.py). Needs committed data: the `database_owner` fixture."""
    with as_database_owner(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks must fire before the table can be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE cases_caseevent DISABLE TRIGGER caseevent_append_only")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE cases_caseevent ENABLE TRIGGER caseevent_append_only")


def raw_sql(statement, params=()):
    with append_only_trigger_disabled() as cursor:
        cursor.execute(statement, params)


def raw_delete_event(event_id):
    """Delete an event together with whatever rows hang on it (notifications...)."""
    with append_only_trigger_disabled():
        CaseEvent.objects.filter(pk=event_id).delete()


@pytest.fixture
def seeded(database_owner):
    demo_seed()
    return Case.objects.get(external_ref="seed-demo-06")  # six events: intake .. report


def test_verify_audit_passes_on_seeded_data(seeded, capsys):
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "intact" in out
    assert f"{CaseEvent.objects.count()} events" in out


def test_edited_note_is_caught_and_named(seeded):
    event = CaseEvent.objects.get(case=seeded, seq=3)
    raw_sql("UPDATE cases_caseevent SET note = %s WHERE id = %s", ["Đã sửa lén", event.pk])
    with pytest.raises(CommandError) as broken:
        call_command("verify_audit")
    assert f"{seeded.code} event #3" in str(broken.value)
    assert "edited" in str(broken.value)


def test_deleted_event_is_caught(seeded):
    event = CaseEvent.objects.get(case=seeded, seq=4)
    raw_delete_event(event.pk)
    result = audit_verify()
    assert not result.ok
    assert (result.first_broken.case_code, result.first_broken.seq) == (seeded.code, 4)


def test_deleting_the_newest_event_is_caught_by_the_chain_head(seeded):
    newest = CaseEvent.objects.filter(case=seeded).order_by("-seq").first()
    raw_delete_event(newest.pk)
    result = audit_verify()
    assert not result.ok and result.first_broken.case_code == seeded.code
    assert "6 events" in result.first_broken.reason


def test_swapped_timestamps_are_caught(seeded):
    second, third = CaseEvent.objects.filter(case=seeded, seq__in=[2, 3]).order_by("seq")
    raw_sql("UPDATE cases_caseevent SET created_at = %s WHERE id = %s", [third.created_at, second.pk])
    raw_sql("UPDATE cases_caseevent SET created_at = %s WHERE id = %s", [second.created_at, third.pk])
    result = audit_verify()
    assert not result.ok
    assert (result.first_broken.case_code, result.first_broken.seq) == (seeded.code, 2)


def test_reordered_events_are_caught(seeded):
    second, third = CaseEvent.objects.filter(case=seeded, seq__in=[2, 3]).order_by("seq")
    raw_sql("UPDATE cases_caseevent SET seq = 1000 WHERE id = %s", [second.pk])
    raw_sql("UPDATE cases_caseevent SET seq = 2 WHERE id = %s", [third.pk])
    raw_sql("UPDATE cases_caseevent SET seq = 3 WHERE id = %s", [second.pk])
    assert not audit_verify().ok


def test_new_events_after_a_check_keep_the_chain_valid(world, new_case):
    case = new_case()
    assert audit_verify().ok
    case_verify(case=case, by=world.clerk)
    result = audit_verify()
    assert result.ok and result.events_checked == 2


@pytest.mark.postgres
def test_the_database_refuses_update_and_delete_of_events(seeded):
    event = CaseEvent.objects.filter(case=seeded).first()
    with as_database_owner():  # the trigger refuses even the owner (the application's role is refused sooner)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            CaseEvent.objects.filter(pk=event.pk).update(note="sửa")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            CaseEvent.objects.filter(pk=event.pk).delete()
    assert CaseEvent.objects.get(pk=event.pk).note == event.note
    assert audit_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_check_finds_the_same_break_as_one_process():
    """`verify_audit --jobs 2` splits the cases between two processes; both halves are really checked."""
    demo_seed()
    newest_case = Case.objects.order_by("-pk").first()
    assert call_command("verify_audit", "--jobs", "2") is None  # intact
    whole = audit_verify(jobs=2)
    assert whole.ok and whole.events_checked == CaseEvent.objects.count()
    assert whole.cases_checked == Case.objects.count()
    # Tamper with the last case, which only the second process reads.
    event = CaseEvent.objects.filter(case=newest_case).order_by("seq").first()
    raw_sql("UPDATE cases_caseevent SET note = %s WHERE id = %s", ["Đã sửa lén", event.pk])
    broken = audit_verify(jobs=2)
    assert not broken.ok
    assert (broken.first_broken.case_code, broken.first_broken.seq) == (newest_case.code, event.seq)
    assert str(audit_verify().first_broken) == str(broken.first_broken)
    with pytest.raises(CommandError, match=newest_case.code):
        call_command("verify_audit", "--jobs", "2")
