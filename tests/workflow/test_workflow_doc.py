"""docs/workflow.md is rendered from the code (workflow/docs.py) and kept current by this test."""

import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from cases.lifecycle import TRANSITION_NAMES
from cases.models import TRANSFERRED_KINDS, CaseKind
from workflow.docs import (
    DOC_PATH,
    SIDE_STEP_OPENERS,
    kind_path,
    legal_sources,
    side_roots,
    start_of,
    workflow_markdown,
)
from workflow.flows import HUMAN_STEPS
from workflow.roles import MOVE_RULES, STEPS


def _published() -> str:
    return (Path(settings.BASE_DIR) / DOC_PATH).read_text(encoding="utf-8")


def test_the_published_workflow_doc_is_up_to_date():
    """docs/workflow.md equals what the code renders now."""
    assert _published() == workflow_markdown(), "run: python manage.py write_workflow_doc"


def test_the_command_writes_what_the_code_renders(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    (tmp_path / "docs").mkdir()
    call_command("write_workflow_doc", stdout=io.StringIO())
    assert (tmp_path / DOC_PATH).read_text(encoding="utf-8") == workflow_markdown()


def test_every_step_and_every_move_appears():
    doc = _published()
    assert set(STEPS) == {node.name for node in HUMAN_STEPS}, "the role table and the flow name the same steps"
    assert set(MOVE_RULES) == set(TRANSITION_NAMES), "the role table and the state machine name the same moves"
    for step in STEPS:
        assert f"| `{step}` |" in doc, step  # its row in the role table
        assert f"<br/>{step}\"]" in doc, step  # its box in a chart
    for move in MOVE_RULES:
        row = next(line for line in doc.splitlines() if line.startswith(f"| `{move}` |"))
        for source in legal_sources(move):
            assert f"`{source}`" in row, (move, source)
    for kind in CaseKind.values:
        assert f"(`{kind}`)" in doc, kind


def test_each_kind_follows_its_own_path():
    for kind in CaseKind.values:
        steps = [node.name for node in kind_path(kind)]
        if kind in TRANSFERRED_KINDS:
            assert steps.index("transfer_step") < steps.index("notify_step")
            assert not {"verify_step", "assign_step", "orient_step", "resolve_step", "report_step",
                        "decide_step"} & set(steps), (kind, steps)
        else:
            main = ["verify_step", "assign_step", "orient_step", "resolve_step", "report_step"]
            assert [step for step in steps if step in main] == main, (kind, steps)
            assert "transfer_step" not in steps and "decide_step" in steps
        # An escalation can reach any open case: the direction and its acknowledgement concern every kind.
        assert {"direct_step", "acknowledge_step"} <= set(steps)
    doc = _published()
    section = doc.split("### Khiếu nại (`complaint`)", 1)[1]
    complaint = section.split("```mermaid", 1)[1].split("```", 1)[0]  # the chart under its heading
    assert f"{start_of(CaseKind.COMPLAINT).name} --> transfer_step" in complaint
    assert "transfer_step" in complaint and "notify_step" in complaint and "verify_step" not in complaint


def test_every_side_step_says_what_opens_it():
    """A step no edge reaches is opened by the engine: the doc must name the service (or the render fails)."""
    assert {node.name for node in side_roots()} == set(SIDE_STEP_OPENERS) == {"decide_step", "direct_step"}
    doc = _published()
    assert "`workflow.engine.flow_open_decision` | `cases.services.case_public_feedback`" in doc
    assert "`workflow.engine.flow_open_direction` | `workflow.services.clocks_sweep`" in doc
    assert "the edge `route_after_direction` → `acknowledge_step`" in doc
    assert "One flow rather than one per kind" in doc  # the decision, in the flow's own words
