from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from workflow.docs import DOC_PATH, workflow_markdown


class Command(BaseCommand):
    help = "Write docs/workflow.md (each kind's path through the case flow, the one role table) from the code."

    def handle(self, *args, **options):
        target = Path(settings.BASE_DIR) / DOC_PATH
        target.write_text(workflow_markdown(), encoding="utf-8")
        self.stdout.write(f"Wrote {target}")
