"""Every write of the surveys app; callers import from here."""

from .collection import (
    LATE_WINDOW,
    Collected,
    InvitationInvalid,
    answer_collect,
    answer_correct,
    answer_corrected,
    closed_message,
    plan_close,
    answer_submit_open,
    answer_submit_online,
    collection_version,
    invitation_codes_issue,
    invitation_usable,
    plan_open_link_set,
)
from .contacts import contact_read, may_read_contacts
from .interview import answer_submit_interview, interviewer_assigned
from .paper import may_key_paper, paper_decide, paper_entry_save, paper_in_sample, plan_double_entry_set
from .plans import (
    PlanInput,
    assignment_add,
    assignment_remove,
    plan_alerts_sweep,
    plan_approve,
    plan_check_writer,
    plan_create,
    plan_step_complete,
    plan_update,
)
from .questionnaires import questionnaire_draft, questionnaire_freeze, questionnaire_import, questionnaire_update

__all__ = [
    "LATE_WINDOW", "Collected", "answer_collect", "answer_correct", "answer_corrected", "closed_message", "plan_close",
    "InvitationInvalid", "answer_submit_open", "answer_submit_online", "collection_version", "invitation_codes_issue",
    "invitation_usable", "plan_open_link_set", "answer_submit_interview", "interviewer_assigned",
    "contact_read", "may_read_contacts", "may_key_paper", "paper_decide", "paper_entry_save", "paper_in_sample", "plan_double_entry_set",
    "PlanInput", "assignment_add", "assignment_remove", "plan_alerts_sweep", "plan_approve", "plan_check_writer",
    "plan_create", "plan_step_complete", "plan_update", "questionnaire_draft", "questionnaire_freeze",
    "questionnaire_import", "questionnaire_update",
]

# Weights, the results report and its publication.
from .results import (
    results_approve,
    results_create,
    results_return,
    results_submit,
    results_update,
    weighting_run,
)

__all__ += ["results_approve", "results_create", "results_return", "results_submit", "results_update", "weighting_run"]
