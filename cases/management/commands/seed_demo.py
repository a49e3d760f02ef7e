import os

from django.core.management.base import BaseCommand

from cases.demo import DEFAULT_DEMO_PASSWORD, USERS, demo_seed
from collaborators.demo import LOGINS as COLLABORATOR_LOGINS
from collaborators.demo import collaborators_demo_seed
from collaborators.demo_briefings import briefings_demo_seed
from surveys.demo import surveys_demo_seed


class Command(BaseCommand):
    help = ("Demo units, users for every role, topics, channels and cases in every state; collaborators with a month "
            "of notes, a briefing and a drafted situation report. Idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--password", help="set every demo user's password (default: DEMO_PASSWORD or printed)")

    def handle(self, *args, password=None, **options):
        password = password or os.environ.get("DEMO_PASSWORD") or None
        result = demo_seed(password=password)
        surveys_demo_seed()  # a survey plan with its questionnaire (surveys/demo.py)
        collaborators_demo_seed(password=password)  # collaborators, subjects and a month of their notes
        briefings_demo_seed()  # then a briefing with minutes, a training, last month's situation report drafted
        if options["verbosity"] < 1:  # bin/run says it in one line of its own
            return
        self.stdout.write(f"Demo cases created: {len(result['cases_created'])}")
        shown = password or f"{DEFAULT_DEMO_PASSWORD} (unless changed earlier)"
        self.stdout.write("Demo logins (password: %s):" % shown)
        for username, role, unit_code in USERS:
            self.stdout.write(f"  {username:<12} {role:<14} {unit_code}")
        for username, _names, unit_code, _localities, _group in COLLABORATOR_LOGINS:
            self.stdout.write(f"  {username:<12} {'collaborator':<14} {unit_code}")
