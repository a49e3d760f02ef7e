from django.core.management.base import BaseCommand, CommandError

from collaborators.demo_briefings import briefings_demo_seed


class Command(BaseCommand):
    # seed_demo does this itself now; kept as an idempotent alias for scripts that still call it.
    help = ("Demo briefing and situation report (seed_demo adds them itself; this only completes a demo seeded "
            "before it did): a monthly briefing of commune A last month with minutes and a decision, a training "
            "session, a drafted situation report for last month. Idempotent.")

    def handle(self, *args, **options):
        from cases.models import Unit

        if not Unit.objects.filter(code="DM").exists():
            raise CommandError("Run seed_demo first.")
        created = briefings_demo_seed()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Briefings demo: {created['briefings']} briefings, {created['trainings']} trainings, "
                              f"{created['reports']} situation reports created")
