"""Step deadlines from the default policy of DESIGN.md section 5."""

from datetime import datetime, timedelta

from cases.models import CaseStatus, Priority

from .calendar import add_working_days

# The step a case waits on in each open state: (working days, flash hours or None).
STEP_POLICY = {
    CaseStatus.RECEIVED: (1, 4),  # verify
    CaseStatus.VERIFIED: (1, None),  # assign
    CaseStatus.ASSIGNED: (3, 24),  # orient (resolve where no public response is needed)
    CaseStatus.ORIENTED: (10, None),  # resolve
}
RESOLVE_WORKING_DAYS = 10


def step_deadline(*, status: str, priority: str, start: datetime, needs_public_response: bool = True):
    """When the step that `status` waits for is due, or None for closed states."""
    if status == CaseStatus.ASSIGNED and not needs_public_response:
        return add_working_days(start, RESOLVE_WORKING_DAYS)
    policy = STEP_POLICY.get(status)
    if policy is None:
        return None
    working_days, flash_hours = policy
    if priority == Priority.FLASH and flash_hours:
        return start + timedelta(hours=flash_hours)
    return add_working_days(start, working_days)
