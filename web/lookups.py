"""Moved (issue 14): the reads of reference data live in cases.selectors, how they are shown in web.ui.

Kept only so the web modules that still say `lookups.x` keep working; import
from cases.selectors or web.ui instead, then delete this module.
"""

from cases.selectors import (
    HANDOVER_ROLES,
    INTAKE_ROLES,
    active_channels,
    active_topics,
    all_channels,
    all_topics,
    handover_units,
    intake_localities,
    scope_units,
    top_unit,
    unit_search,
    user_roles,
)

from .ui import indented, person_label, unit_from_label, unit_label

__all__ = [
    "HANDOVER_ROLES", "INTAKE_ROLES", "active_channels", "active_topics", "all_channels", "all_topics",
    "handover_units", "indented", "intake_localities", "person_label", "scope_units", "top_unit",
    "unit_from_label", "unit_label", "unit_search", "user_roles",
]
