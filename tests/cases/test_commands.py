"""seed_demo and import_units: run twice, the database is the same."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import (
    Case,
    CaseEvent,
    CaseReport,
    CaseStatus,
    Channel,
    Reporter,
    Tier,
    Topic,
    Unit,
    UnitUserObjectPermission,
)

SAMPLE_CSV = Path(__file__).resolve().parents[2] / "docs" / "units_sample.csv"


def snapshot():
    """Every row the commands touch, as plain values."""
    User = get_user_model()
    return {
        "units": list(Unit.objects.order_by("code").values()),
        "topics": list(Topic.objects.order_by("code").values()),
        "channels": list(Channel.objects.order_by("code").values()),
        "users": list(User.objects.order_by("username").values()),
        "grants": sorted(UnitUserObjectPermission.objects.values_list("user__username", "permission__codename", "content_object__code")),
        "cases": list(Case.objects.order_by("code").values()),
        "events": list(CaseEvent.objects.order_by("case_id", "seq").values()),
        "case_reports": list(CaseReport.objects.order_by("pk").values()),
        "reporters": Reporter.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_twice_gives_the_same_database():
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first


@pytest.mark.django_db
def test_seed_demo_has_every_role_and_cases_in_every_state():
    call_command("seed_demo", password="mat-khau-demo-1")
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)
    User = get_user_model()
    for username in ["clerk", "leader", "handler", "secretariat", "clerk2", "leader2", "handler2", "supervisor", "inspector", "admin"]:
        assert User.objects.get(username=username).check_password("mat-khau-demo-1")
    assert User.objects.get(username="admin").is_superuser
    # Anonymous intake is represented: a report without a reporter.
    assert CaseReport.objects.filter(reporter__isnull=True).exists()
    # The merged duplicate's report is counted on the survivor.
    survivor = Case.objects.get(external_ref="seed-demo-01")
    assert survivor.report_count == 2


@pytest.mark.django_db
def test_seed_demo_password_changes_only_the_password():
    call_command("seed_demo")
    before = snapshot()
    call_command("seed_demo", password="mat-khau-moi-2")
    after = snapshot()
    changed = [key for key in before if before[key] != after[key]]
    assert changed == ["users"]
    for old, new in zip(before["users"], after["users"]):
        assert {k for k in old if old[k] != new[k]} == {"password"}


@pytest.mark.django_db
def test_import_units_twice_gives_the_same_tree(capsys):
    call_command("import_units", str(SAMPLE_CSV))
    first = snapshot()["units"]
    assert "created" in capsys.readouterr().out
    call_command("import_units", str(SAMPLE_CSV))
    assert snapshot()["units"] == first
    assert "0 created, 0 updated" in capsys.readouterr().out

    province = Unit.objects.get(code="LS")
    communes = Unit.objects.filter(tier=Tier.COMMUNE, kind="committee")
    assert communes.count() == 65
    assert all(Unit.objects.get_parent(unit) == province for unit in communes)
    assert Unit.objects.filter(path__startswith=province.path).count() == Unit.objects.count()


@pytest.mark.django_db
def test_import_units_updates_a_renamed_unit_and_moves_it(tmp_path):
    csv_file = tmp_path / "units.csv"
    csv_file.write_text(
        "code,name,tier,kind,parent_code,is_remote\n"
        "P,Tỉnh P,province,committee,,0\n"
        "A,Xã A,commune,committee,P,0\n"
        "B,Xã B,commune,committee,P,0\n"
        "T,Thôn T,grassroots,hamlet,A,1\n",
        encoding="utf-8",
    )
    call_command("import_units", str(csv_file))
    csv_file.write_text(
        "code,name,tier,kind,parent_code,is_remote\n"
        "P,Tỉnh P,province,committee,,0\n"
        "A,Xã A,commune,committee,P,0\n"
        "B,Xã B mới,commune,committee,P,1\n"
        "T,Thôn T,grassroots,hamlet,B,1\n",
        encoding="utf-8",
    )
    call_command("import_units", str(csv_file))
    b = Unit.objects.get(code="B")
    assert (b.name, b.is_remote) == ("Xã B mới", True)
    assert Unit.objects.get_parent(Unit.objects.get(code="T")) == b


@pytest.mark.django_db
def test_import_units_refuses_a_bad_file_and_changes_nothing(tmp_path):
    csv_file = tmp_path / "units.csv"
    csv_file.write_text(
        "code,name,tier,kind,parent_code,is_remote\n"
        "P,Tỉnh P,province,committee,,0\n"
        "X,Xã X,commune,committee,MISSING,0\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="Line 3"):
        call_command("import_units", str(csv_file))
    assert Unit.objects.count() == 0
