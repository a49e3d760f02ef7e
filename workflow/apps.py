from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Quy trình xử lý")

    def ready(self):
        # Start and stop each case's clocks as the event is appended, so the event records the deadline they set.
        from cases.signals import case_event_appending

        from .services import clock_policies_seed_if_empty, clocks_on_case_event, time_config_changed

        case_event_appending.connect(clocks_on_case_event, dispatch_uid="workflow.clocks_on_case_event")
        # Policies (and the topics they name) are cached per process: edits must reach every process.
        from django.db.models.signals import post_delete, post_migrate, post_save

        for model in (self.get_model("ClockPolicy"), apps.get_model("cases", "Topic")):
            post_save.connect(time_config_changed, sender=model, dispatch_uid=f"workflow.time_config.{model.__name__}")
            post_delete.connect(time_config_changed, sender=model,
                                dispatch_uid=f"workflow.time_config_del.{model.__name__}")
        # A flushed database (transactional tests) gets the default policies back, like content types.
        post_migrate.connect(clock_policies_seed_if_empty, sender=self, dispatch_uid="workflow.seed_clock_policies")
