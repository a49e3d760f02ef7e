from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.db_roles import DatabaseRolesError, database_roles_enabled, database_roles_grant


class Command(BaseCommand):
    help = (
        "Give the application's database role (DATABASE_URL) its rights, as the owner role (DATABASE_OWNER_URL): "
        "reads and writes everywhere, only appends to the history. Idempotent; `migrate` runs it too."
    )

    def handle(self, *args, **options):
        if not database_roles_enabled():
            self.stdout.write("One database role (DATABASE_OWNER_URL unset, or SQLite): nothing to grant.")
            return
        try:
            append_only = database_roles_grant()
        except DatabaseRolesError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"] < 1:
            return
        roles = settings.DATABASE_ROLES
        self.stdout.write(self.style.SUCCESS(
            f"Role {roles['app']['USER']} (owner {roles['owner']['USER']}): reads and writes every table, "
            f"only appends to {', '.join(append_only) or 'none yet'}."
        ))
