from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from cases.permission_matrix import matrix_markdown


class Command(BaseCommand):
    help = "Write docs/permissions.md from the permission matrix specification."

    def handle(self, *args, **options):
        target = Path(settings.BASE_DIR) / "docs" / "permissions.md"
        target.write_text(matrix_markdown(), encoding="utf-8")
        self.stdout.write(f"Wrote {target}")
