"""The outbox listens to every case event, inside the transaction that writes it."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cases.signals import case_event_recorded
from config.shared_configuration import configuration_changed

from .models import WebhookEndpoint
from .services import outbox_record_event


@receiver(case_event_recorded, dispatch_uid="notifications.outbox_record_event")
def record_outbox_messages(sender, case, event, **kwargs):
    outbox_record_event(case=case, event=event)


@receiver([post_save, post_delete], sender=WebhookEndpoint, dispatch_uid="notifications.webhooks_changed")
def webhook_endpoints_changed(sender, **kwargs):
    # Every process drops its copy of the endpoints (with the rest of the shared configuration).
    configuration_changed()
