"""Every write to the case domain: one function per use case, each atomic, one module per subject.

Callers import from here (`from cases.services import case_assign`), so a function can move between
the modules without its callers changing.
"""

from .attachments import attachment_add, attachment_keep_original, attachments_refused_record
from .intake import (
    EARLIEST_RECEIVED_YEAR,
    CaseLocation,
    ReporterInput,
    case_code_allocate,
    case_intake,
    intake_refuse_unless_allowed,
)
from .notes import case_note_add, case_note_refuse_unless_allowed
from .public_status import case_public_feedback
from .reference import topic_upsert, unit_upsert
from .reporters import reporter_pseudonym, reporter_reveal, reporter_reveal_shown
from .roles import unit_role_grant, unit_role_revoke, work_after_person_deactivated, work_after_role_withdrawn
from .thumbnails import attachment_thumbnail_make, attachment_thumbnails_missing_make
from .transitions import (
    case_acknowledge,
    case_assign,
    case_extend,
    case_instruct,
    case_keep_closed,
    case_mark_reported,
    case_merge,
    case_orient,
    case_pull_up,
    case_reassign,
    case_reject,
    case_reopen,
    case_reporter_notified,
    case_resolve,
    case_transfer,
    case_verify,
)
from .unit_changes import unit_changes_apply_due, unit_merge, unit_rename

__all__ = [
    "EARLIEST_RECEIVED_YEAR",
    "CaseLocation",
    "ReporterInput",
    "attachment_add",
    "attachment_keep_original",
    "attachment_thumbnail_make",
    "attachment_thumbnails_missing_make",
    "attachments_refused_record",
    "case_acknowledge",
    "case_assign",
    "case_code_allocate",
    "case_extend",
    "case_instruct",
    "case_intake",
    "intake_refuse_unless_allowed",
    "case_keep_closed",
    "case_mark_reported",
    "case_merge",
    "case_note_add",
    "case_note_refuse_unless_allowed",
    "case_orient",
    "case_public_feedback",
    "case_pull_up",
    "case_reassign",
    "case_reject",
    "case_reopen",
    "case_reporter_notified",
    "case_resolve",
    "case_transfer",
    "case_verify",
    "reporter_pseudonym",
    "reporter_reveal",
    "reporter_reveal_shown",
    "topic_upsert",
    "unit_changes_apply_due",
    "unit_merge",
    "unit_rename",
    "unit_role_grant",
    "unit_role_revoke",
    "unit_upsert",
    "work_after_person_deactivated",
    "work_after_role_withdrawn",
]
