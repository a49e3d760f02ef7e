from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Quy trình xử lý")

    def ready(self):
        # Keep each case's viewflow process in step with its events.
        from . import process_sync  # noqa: F401
