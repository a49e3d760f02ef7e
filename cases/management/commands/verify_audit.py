import json
import os

from django.core.management.base import BaseCommand, CommandError

from cases.audit import audit_verify
from ledger.verify import checkpoint_verify, consistency_verify


def _checkpoint_file(path: str):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read checkpoint {path}: {exc}") from exc


class Command(BaseCommand):
    help = ("Check every case's hash-chained history and that each case row agrees with it; exit non-zero at "
            "the first broken link. With --checkpoint or --consistency, also check against signed checkpoints.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--jobs", type=int, default=os.cpu_count() or 1,
            help="processes checking ranges of cases at once (default: one per CPU)",
        )
        parser.add_argument(
            "--checkpoint", metavar="FILE",
            help="a checkpoint file: prove the first N events are exactly those it signed",
        )
        parser.add_argument(
            "--consistency", nargs=2, metavar=("OLD", "NEW"),
            help="two checkpoint files, oldest first: prove nothing before the older changed in the newer",
        )

    def handle(self, *args, **options):
        result = audit_verify(jobs=max(1, options["jobs"]))
        if not result.ok:
            raise CommandError(
                f"Audit chain BROKEN at {result.first_broken} "
                f"(checked {result.cases_checked} cases, {result.events_checked} events before it)"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {result.cases_checked} cases, {result.events_checked} events.")
        )
        checks = []
        if options["checkpoint"]:
            checks.append(checkpoint_verify(_checkpoint_file(options["checkpoint"])))
        if options["consistency"]:
            old, new = options["consistency"]
            checks.append(consistency_verify(_checkpoint_file(old), _checkpoint_file(new)))
        for check in checks:
            if not check.ok:
                raise CommandError(f"Anchored history BROKEN: {check.message}")
            self.stdout.write(self.style.SUCCESS(f"Anchored history intact: {check.message}."))
