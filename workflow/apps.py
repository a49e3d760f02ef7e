from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Quy trình xử lý")

    def ready(self):
        # Keep each case's viewflow process in step with its events.
        from . import process_sync  # noqa: F401

        # Start and stop each case's clocks in the transaction that records the event.
        from cases.signals import case_event_recorded

        from .services import clocks_on_case_event

        case_event_recorded.connect(clocks_on_case_event, dispatch_uid="workflow.clocks_on_case_event")
