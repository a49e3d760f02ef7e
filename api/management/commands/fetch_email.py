from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from api.adapters.email import email_fetch
from api.models import ChannelSource
from api.selectors import channel_sources_active


class Command(BaseCommand):
    help = "Read email sources (an IMAP mailbox or a folder of .eml files) into cases. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--source", help="code of one email source (default: every active one)")
        parser.add_argument("--dir", help="read this folder of .eml files instead of the source's mailbox")

    def handle(self, *args, source=None, dir=None, **options):
        sources = list(channel_sources_active(kind=ChannelSource.Kind.EMAIL, code=source))
        if not sources:
            raise CommandError(_("Không có nguồn thư điện tử nào đang hoạt động%(which)s.")
                               % {"which": f" ({source})" if source else ""})
        if dir and len(sources) > 1:
            raise CommandError(_("Với --dir, hãy chọn một nguồn bằng --source."))
        failed = 0
        for channel_source in sources:
            report = email_fetch(source=channel_source, location=dir)
            failed += report.failed
            self.stdout.write(
                _("%(source)s: %(opened)d vụ việc mới, %(appended)d thư bổ sung, %(seen)d thư đã đọc trước đó, "
                  "%(refused)d thư bị từ chối, %(failed)d lỗi")
                % {"source": channel_source.code, "opened": len(report.opened), "appended": len(report.appended),
                   "seen": report.already_seen, "refused": report.refused, "failed": report.failed}
            )
            for code in report.opened:
                self.stdout.write(f"  + {code}")
        if failed:
            raise CommandError(_("%(count)d thư chưa xử lý được; xem nhật ký, chúng sẽ được đọc lại lần sau.")
                               % {"count": failed})
