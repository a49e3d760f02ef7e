"""Print a new integration key for a channel source (shown once; only its digest is kept)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from api.integration_keys import integration_key_issue, integration_key_rotate
from api.models import ChannelSource


class Command(BaseCommand):
    help = "Issue an integration key (Open311's api_key) for the channel source SOURCE; --rotate revokes its older keys."

    def add_arguments(self, parser):
        parser.add_argument("source", help="the channel source's code (for Open311, its jurisdiction_id)")
        parser.add_argument("--rotate", action="store_true", help="revoke every older key of the source")

    def handle(self, *args, source, rotate=False, **options):
        channel_source = ChannelSource.objects.filter(code=source).first()
        if channel_source is None:
            raise CommandError(_("Không có nguồn tiếp nhận “%(code)s”.") % {"code": source})
        _row, key = (integration_key_rotate if rotate else integration_key_issue)(source=channel_source)
        self.stdout.write(key)
