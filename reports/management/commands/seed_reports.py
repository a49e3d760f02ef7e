from django.core.management.base import BaseCommand, CommandError

from reports.demo import reports_demo_seed


class Command(BaseCommand):
    help = ("Demo reports on top of seed_demo: last month's history, a submitted monthly report from each demo "
            "commune, a flare-up for the emerging-issue signal, an inspection. Idempotent.")

    def handle(self, *args, **options):
        try:
            import time_machine  # noqa: F401  (writes the planted history at its own dates)
        except ImportError:
            raise CommandError("seed_reports needs the dev extra (time-machine): pip install -e '.[dev]'") from None
        from cases.models import Unit

        if not Unit.objects.filter(code="DM").exists():
            raise CommandError("Run seed_demo first.")
        created = reports_demo_seed()
        if options["verbosity"] < 1:
            return
        self.stdout.write(
            f"Reports demo: {created['cases']} cases, {created['reports']} reports, "
            f"{created['inspections']} inspections created"
        )
