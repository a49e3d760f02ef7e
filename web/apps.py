from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The server-rendered screens: intake, queues, case page, dashboards, public status."""

    name = "web"
    verbose_name = _("Giao diện web")
