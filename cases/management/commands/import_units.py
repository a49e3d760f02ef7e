import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.models import Tier, Unit, UnitKind
from cases.services import unit_upsert

COLUMNS = ["code", "name", "tier", "kind", "parent_code", "is_remote"]


class Command(BaseCommand):
    help = "Load or update the unit tree from a CSV (code,name,tier,kind,parent_code,is_remote). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(COLUMNS) - set(reader.fieldnames or [])
            if missing:
                raise CommandError(f"Missing columns: {', '.join(sorted(missing))}")
            rows = list(reader)
        created = updated = 0
        # All or nothing: a bad row leaves the tree as it was.
        with transaction.atomic():
            for line, row in enumerate(rows, start=2):
                code = row["code"].strip()
                tier, kind = row["tier"].strip(), row["kind"].strip()
                if not code or not row["name"].strip():
                    raise CommandError(f"Line {line}: code and name are required")
                if tier not in Tier.values or kind not in UnitKind.values:
                    raise CommandError(f"Line {line}: unknown tier {tier!r} or kind {kind!r}")
                parent = None
                if parent_code := row["parent_code"].strip():
                    parent = Unit.objects.filter(code=parent_code).first()
                    if parent is None:
                        raise CommandError(f"Line {line}: parent {parent_code!r} is not defined above")
                existed = Unit.objects.filter(code=code).exists()
                _, changed = unit_upsert(
                    code=code, name=row["name"].strip(), tier=tier, kind=kind, parent=parent,
                    is_remote=row["is_remote"].strip() in ("1", "true", "True", "yes"),
                )
                if not existed:
                    created += 1
                elif changed:
                    updated += 1
        self.stdout.write(self.style.SUCCESS(f"{len(rows)} rows: {created} created, {updated} updated."))
