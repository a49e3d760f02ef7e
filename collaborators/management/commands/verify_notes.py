from django.core.management.base import BaseCommand, CommandError

from collaborators.audit import note_chain_verify
from collaborators.models import OpinionNote


class Command(BaseCommand):
    help = ("Check every opinion note's hash-chained history and that its text is the one the last filing or "
            "redaction recorded; non-zero exit and the first broken note on tampering.")

    def handle(self, *args, **options):
        checked = 0
        for note in OpinionNote.objects.order_by("pk").iterator(chunk_size=500):
            result = note_chain_verify(note)
            if not result.ok:
                raise CommandError(f"{note.code}: {result.problem}")
            checked += 1
        if options["verbosity"] >= 1:
            self.stdout.write(f"{checked} opinion notes: every history intact.")
