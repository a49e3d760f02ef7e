"""Signals other apps listen to.

`case_event_appending` is sent by `cases.audit.case_event_append` before the
event is hashed and written: its receivers bring the case's derived fields up
to date (the clocks set `Case.deadline`), so that the event records them and
`verify_audit` can replay them.

`case_event_recorded` is sent inside the transaction that writes the event,
so whatever a receiver writes (outbox messages) commits or rolls back
together with the case change. Receivers must not do slow or external work:
queue it with `transaction.on_commit` instead.
"""

from django.dispatch import Signal

# Sent with: case (the locked Case, its move applied), event (the CaseEvent about to be hashed, not yet saved).
case_event_appending = Signal()
# Sent with: case (the locked Case, already saved or about to be), event (CaseEvent).
case_event_recorded = Signal()

# Sent with: user, unit, role, granted (True for a grant, False for a withdrawal), after the change is
# written, inside its transaction (the security app revokes the person's API tokens on it).
unit_role_changed = Signal()
