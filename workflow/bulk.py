"""Bulk work from the queues: one move for several cases, each case on its own.

Each case goes through the same service as on its page, in its own transaction, so each move is its own
event in that case's history; a refusal on one case (not this person's move, a state that no longer allows
it, a conflict) is kept with its reason and the other cases go on.
"""

import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.exceptions import CaseError
from cases.exports import case_csv_write
from cases.models import Case, Unit
from cases.selectors import case_list_for_user
from cases.services import case_assign, case_merge

from .queues import task_queue_for_user
from .task_services import task_take


@dataclass
class BulkOutcome:
    done: list[str] = field(default_factory=list)  # case codes moved
    refused: list[tuple[str, str]] = field(default_factory=list)  # (case code, why not)


def _each(cases: list[Case], move) -> BulkOutcome:
    outcome = BulkOutcome()
    for case in cases:
        try:
            move(case)
        except ValidationError as exc:
            outcome.refused.append((case.code, " ".join(exc.messages)))
        except CaseError as exc:
            outcome.refused.append((case.code, str(exc.message)))
        else:
            outcome.done.append(case.code)
    return outcome


def cases_bulk_assign(*, cases: list[Case], by, unit: Unit, assignee=None, note: str = "") -> BulkOutcome:
    return _each(cases, lambda case: case_assign(case=case, by=by, unit=unit, assignee=assignee, note=note))


def cases_bulk_merge(*, cases: list[Case], into: Case, by, note: str = "") -> BulkOutcome:
    """Merge every other chosen case into `into` (duplicates of one concern become one case)."""
    others = [case for case in cases if case.pk != into.pk]
    return _each(others, lambda case: case_merge(case=case, into=into, by=by, note=note))


def cases_bulk_take(*, cases: list[Case], by) -> BulkOutcome:
    """Take, for each case, the open task of it this person may take."""

    def take(case):
        task = (task_queue_for_user(user=by).filter(process__artifact_object_id=case.pk, owner__isnull=True)
                .order_by("pk").first())
        if task is None:
            raise CaseError(_("không có nhiệm vụ nào của vụ việc này mà bạn nhận được."))
        task_take(task=task, by=by)

    return _each(cases, take)


def cases_bulk_export_csv(*, user, codes: list[str]) -> tuple[str, int]:
    """The chosen cases this person may see, as the queue's CSV (text, rows)."""
    buffer = io.StringIO()
    chosen = case_list_for_user(user=user).filter(code__in=codes)
    rows = case_csv_write(buffer, chosen.iterator(chunk_size=2000))
    return buffer.getvalue(), rows
