"""Erase reporters' contact data once every case they reported has been closed for the retention period."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cases.retention import reporters_anonymise_due


class Command(BaseCommand):
    help = "Anonymise reporters of cases closed longer than DLXH_REPORTER_RETENTION_DAYS (or --days); verifies the audit chains after."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true", help="only list what would be erased")
        parser.add_argument("--by", help="username recorded as the actor (default: the system)")

    def handle(self, *args, days, dry_run, by, **options):
        days = days if days is not None else settings.DLXH_REPORTER_RETENTION_DAYS
        actor = None
        if by:
            actor = get_user_model().objects.filter(username=by).first()
            if actor is None:
                raise CommandError(f"No user {by!r}.")
        try:
            result = reporters_anonymise_due(retention_days=days, by=actor, dry_run=dry_run)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        label = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(f"{result.reporters} reporters {label} on {len(result.cases)} cases closed over {days} days ago.")
        for code in result.cases:
            self.stdout.write(f"  {code}")
        if not result.audit_ok:
            raise CommandError("The audit chain of a touched case does not verify: run verify_audit.")
