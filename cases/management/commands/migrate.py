from django.core.management import call_command
from django.core.management.commands.migrate import Command as DjangoMigrate

from cases.db_roles import as_database_owner, database_roles_enabled


class Command(DjangoMigrate):
    """Django's migrate, as the owner role when there are two (cases.db_roles), then the application role's grants."""

    help = DjangoMigrate.help + " With DATABASE_OWNER_URL set: as that owner role, then `db_roles_grant`."

    def handle(self, *args, **options):
        with as_database_owner(options["database"]):
            super().handle(*args, **options)
        if database_roles_enabled(options["database"]) and not (options["plan"] or options["check_unapplied"]):
            call_command("db_roles_grant", verbosity=options["verbosity"], stdout=self.stdout)
