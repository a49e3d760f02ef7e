from django.core.management.base import BaseCommand

from workflow.services import clocks_sweep


class Command(BaseCommand):
    help = "Fire due reminders and escalations once (what Celery beat runs every minute)."

    def handle(self, *args, **options):
        result = clocks_sweep()
        self.stdout.write(
            f"examined {result.examined}, reminders {result.reminders}, escalations {result.escalations}, "
            f"skipped busy {result.skipped_busy}, recomputed {result.recomputed}, {result.duration_ms} ms"
        )
