"""Writes the screens compose from the case services (nothing is written here directly)."""

from django.db import transaction

from cases.models import Case
from cases.services import case_intake, case_merge


def case_intake_into(*, by, into: Case | None, **intake) -> tuple[Case, Case | None]:
    """Log a report and, when the clerk chose a duplicate, fold it into that case, all or nothing.

    Returns (the new case, the surviving case or None). The new case keeps
    `public_secret` (set by `case_intake`) to be shown once.
    """
    with transaction.atomic():
        case = case_intake(by=by, **intake)
        secret = case.public_secret
        if into is not None:
            case_merge(case=case, into=into, by=by, note=intake.get("title", ""))
            case.public_secret = secret
    return case, into
