from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Thông báo")

    def ready(self):
        from . import receivers  # noqa: F401  (connects the outbox to case events)
        from . import tasks  # noqa: F401  (registered in every process: the services queue them by name)
