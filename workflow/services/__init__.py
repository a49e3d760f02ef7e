"""Every write about time, one module per subject: clocks following the case (`clocks`), the calendar table and
the policies (`calendar`), the reminder and escalation sweep (`sweep`).

Callers import from here (`from workflow.services import clocks_sweep`).
"""

from .calendar import (
    calendar_adjustment_remove,
    calendar_adjustment_set,
    calendar_changes_apply,
    clock_policies_seed_if_empty,
    time_config_changed,
)
from .clocks import (
    clock_extend,
    clock_pause,
    clock_reminders_restart,
    clock_resume,
    clocks_on_case_event,
    running_step_clock_name,
)
from .sweep import SWEEP_CACHE_KEY, SWEEP_NAME, SweepResult, clocks_sweep, sweep_heartbeat_record

__all__ = [
    "SWEEP_CACHE_KEY",
    "SWEEP_NAME",
    "SweepResult",
    "calendar_adjustment_remove",
    "calendar_adjustment_set",
    "calendar_changes_apply",
    "clock_extend",
    "clock_pause",
    "clock_policies_seed_if_empty",
    "clock_reminders_restart",
    "clock_resume",
    "clocks_on_case_event",
    "clocks_sweep",
    "running_step_clock_name",
    "sweep_heartbeat_record",
    "time_config_changed",
]
