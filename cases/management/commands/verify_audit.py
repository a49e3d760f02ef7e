from django.core.management.base import BaseCommand, CommandError

from cases.audit import audit_verify


class Command(BaseCommand):
    help = "Check every case's hash-chained history; exit non-zero at the first broken link."

    def handle(self, *args, **options):
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"Audit chain BROKEN at {result.first_broken} "
                f"(checked {result.cases_checked} cases, {result.events_checked} events before it)"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {result.cases_checked} cases, {result.events_checked} events.")
        )
