"""Print as JSON everything held about one reporter of a case; the look is recorded as a reveal."""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cases.exceptions import CaseError
from cases.retention import reporter_data_export


class Command(BaseCommand):
    help = "Export what is held about reporter #NUMBER of case CODE (a data subject request); recorded in the case history."

    def add_arguments(self, parser):
        parser.add_argument("code", help="case code, e.g. DL-2026-000123")
        parser.add_argument("number", type=int, help="N of the pseudonym 'Người phản ánh #N' shown on the case page")
        parser.add_argument("--by", required=True, help="username of the person making the export (needs the right to reveal)")
        parser.add_argument("--reason", required=True, help="why (recorded in the case history)")

    def handle(self, *args, code, number, by, reason, **options):
        person = get_user_model().objects.filter(username=by, is_active=True).first()
        if person is None:
            raise CommandError(f"No active user {by!r}.")
        try:
            exported = reporter_data_export(case_code=code, number=number, by=person, reason=reason)
        except CaseError as exc:
            raise CommandError(str(exc.message)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(json.dumps(exported, ensure_ascii=False, indent=2))
