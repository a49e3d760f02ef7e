"""The clocks of each kind's path (issue 13): transfer and telling the reporter replace the old legal
transfer clock; a pulled-up case gives its new owner the step's time; settling a complaint is off unless a
unit here is competent for complaints. Administrators' own rows are left as they are."""

from django.db import migrations

NEW_CLOCKS = ("notify_reporter",)


def forward(apps, schema_editor):
    from workflow.default_policies import POLICIES

    ClockPolicy = apps.get_model("workflow", "ClockPolicy")
    ClockPolicy.objects.filter(clock="transfer", kind="legal", topic__isnull=True).update(is_active=False)
    for policy in ClockPolicy.objects.filter(clock__in=("orient", "resolve"), topic__isnull=True):
        if "reassign" in (policy.start_events or []) and "pull_up" not in policy.start_events:
            policy.start_events = [*policy.start_events, "pull_up"]
            policy.save(update_fields=["start_events"])
    defaults = {(row["clock"], row.get("case_kind", "")): row for row in POLICIES}
    complaint = defaults[("complaint_first", "complaint")]
    ClockPolicy.objects.filter(clock="complaint_first", topic__isnull=True, name="Giải quyết khiếu nại lần đầu").update(
        is_active=False, name=complaint["name"], legal_basis=complaint["legal_basis"],
    )
    for (clock, case_kind), row in defaults.items():
        if clock in ("transfer", *NEW_CLOCKS) and not ClockPolicy.objects.filter(
            clock=clock, case_kind=case_kind, kind="step", topic__isnull=True
        ).exists():
            ClockPolicy.objects.create(**row)


class Migration(migrations.Migration):
    dependencies = [("workflow", "0004_alter_clockpolicy_case_kind_alter_clockpolicy_status"),
                    ("cases", "0009_case_kind_transfer_direction")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
