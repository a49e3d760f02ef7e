"""The outbox listens to every case event, inside the transaction that writes it."""

from django.dispatch import receiver

from cases.signals import case_event_recorded

from .services import outbox_record_event


@receiver(case_event_recorded, dispatch_uid="notifications.outbox_record_event")
def record_outbox_messages(sender, case, event, **kwargs):
    outbox_record_event(case=case, event=event)
