"""Signals other apps listen to.

`case_event_recorded` is sent inside the transaction that writes the event,
so whatever a receiver writes (clocks, outbox messages) commits or rolls back
together with the case change. Receivers must not do slow or external work:
queue it with `transaction.on_commit` instead.
"""

from django.dispatch import Signal

# Sent with: case (the locked Case, already saved or about to be), event (CaseEvent).
case_event_recorded = Signal()
