"""Print a one-time enrolment code for a person's second factor (shown once; only its digest is kept)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from security.enrolment import enrolment_code_issue


class Command(BaseCommand):
    help = ("Issue a one-time code with which USERNAME may enrol an authenticator (TOTP) on the 2FA page; "
            "earlier unused codes of theirs stop working.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--by", help="username of the administrator issuing it (recorded)")

    def handle(self, *args, username, by=None, **options):
        users = get_user_model().objects
        person = users.filter(username=username, is_active=True).first()
        if person is None:
            raise CommandError(_("Không có người dùng đang hoạt động “%(name)s”.") % {"name": username})
        issuer = users.filter(username=by, is_active=True).first() if by else None
        if by and issuer is None:
            raise CommandError(_("Không có người dùng đang hoạt động “%(name)s”.") % {"name": by})
        row, code = enrolment_code_issue(user=person, by=issuer)
        self.stdout.write(_("Mã đăng ký của %(name)s (dùng một lần, đến %(expires)s): %(code)s")
                          % {"name": username, "expires": f"{row.expires_at:%Y-%m-%d %H:%M %Z}", "code": code})
