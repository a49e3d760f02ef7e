"""Re-encrypt every encrypted field under the newest FIELD_ENCRYPTION_KEY (first in the list)."""

from django.core.management.base import BaseCommand, CommandError

from cases.keys import encrypted_fields_rotate


class Command(BaseCommand):
    help = "Re-encrypt reporter contact data and other encrypted fields under the newest key; --check only counts."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="change nothing; fail if any value is under an old key")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, check, batch_size, **options):
        results = encrypted_fields_rotate(check_only=check, batch_size=batch_size)
        verb = "under an old key" if check else "re-encrypted"
        for r in results:
            self.stdout.write(f"{r.label}: {r.current} current, {r.rotated} {verb}, {r.unreadable} unreadable")
        unreadable = sum(r.unreadable for r in results)
        if unreadable:
            raise CommandError(f"{unreadable} values decrypt under no configured key; keep the old key listed.")
        if check and any(r.rotated for r in results):
            raise CommandError("Some values are still under an old key: run rotate_encryption_key before removing it.")
        self.stdout.write(self.style.SUCCESS("Every encrypted value is under the newest key."))
