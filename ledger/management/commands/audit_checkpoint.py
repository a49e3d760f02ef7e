import base64

from django.core.management.base import BaseCommand

from ledger.services import checkpoint_file_name, ledger_checkpoint
from ledger.signing import key_id_of, raw_public, signing_key


class Command(BaseCommand):
    help = ("Take every new case event into the Merkle tree and sign a checkpoint (also written to "
            "AUDIT_CHECKPOINT_DIR and mailed to AUDIT_CHECKPOINT_EMAIL); beat does it hourly.")

    def add_arguments(self, parser):
        parser.add_argument("--public-key", action="store_true",
                            help="print the signing key's id and public key (for AUDIT_PUBLIC_KEYS, for inspectors)")

    def handle(self, *args, **options):
        if options["public_key"]:
            public = signing_key().public_key()
            self.stdout.write(f"{key_id_of(public)} {base64.b64encode(raw_public(public)).decode()}")
            return
        row = ledger_checkpoint()
        if row is None:
            self.stdout.write("No new events since the last checkpoint: nothing signed.")
            return
        self.stdout.write(self.style.SUCCESS(
            f"Checkpoint #{row.pk}: {row.tree_size} events, root {row.root_hash}, key {row.key_id} "
            f"({checkpoint_file_name(row)})."))
