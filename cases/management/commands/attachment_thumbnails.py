from django.core.management.base import BaseCommand

from cases.services import attachment_thumbnails_missing_make


class Command(BaseCommand):
    help = ("Make the thumbnails of attached images and PDFs that have none yet (files kept before thumbnails "
            "existed, or whose task was lost with the broker); safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000, help="at most this many files in one run")

    def handle(self, *args, limit, **options):
        tried, made = attachment_thumbnails_missing_make(limit=limit)
        self.stdout.write(f"{made} of {tried} files without a thumbnail now have one.")
