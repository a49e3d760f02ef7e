"""One vocabulary for the case history: CaseAction, its codes written by the services, its labels shown."""

import pytest
from django.db import transaction
from django.utils import translation

from cases.actions import CaseAction
from cases.audit import case_event_append
from cases.lifecycle import TRANSITION_NAMES
from cases.models import Case, CaseEvent
from notifications.recipients import RULES
from notifications.texts import DIRECT_KINDS, TEXTS
from web.templatetags.web_extras import event_label
from workflow.default_policies import POLICIES


def test_every_move_of_the_state_machine_is_an_action_of_the_same_name():
    assert set(TRANSITION_NAMES) <= set(CaseAction.values)


def test_the_outbox_and_the_default_clocks_speak_only_case_actions():
    assert set(RULES) <= set(CaseAction.values)
    assert set(TEXTS) - DIRECT_KINDS <= set(CaseAction.values)  # and the messages not about a case
    events = {event for policy in POLICIES for event in policy["start_events"] + policy["stop_events"]}
    assert events <= set(CaseAction.values)


def test_an_event_with_an_unknown_action_is_refused_and_nothing_is_written(world, new_case):
    case = new_case()
    before = (CaseEvent.objects.filter(case=case).count(), Case.objects.values_list("event_count", "head_hash")
              .get(pk=case.pk))
    with pytest.raises(ValueError, match="not a CaseAction"), transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        case_event_append(case=locked, action="closed_quietly")
    after = (CaseEvent.objects.filter(case=case).count(), Case.objects.values_list("event_count", "head_hash")
             .get(pk=case.pk))
    assert after == before


@pytest.mark.parametrize("language, expected", [("vi", "Tin nhắn bổ sung qua kênh tiếp nhận"),
                                                ("en", "Follow-up message through an intake channel")])
def test_the_history_shows_an_actions_label_in_the_readers_language(language, expected):
    with translation.override(language):
        assert event_label(CaseAction.MESSAGE) == expected
        assert event_label("something_old") == "something_old"  # an event of an action since retired
