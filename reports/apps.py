from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports up the tiers, exports, emerging issues and the inspection committee's audit."""

    name = "reports"
    verbose_name = _("Báo cáo, kiểm tra")

    def ready(self):
        # Register the Celery tasks in every process (web too): the services queue them by name.
        from . import tasks  # noqa: F401
