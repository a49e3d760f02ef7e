"""The shared table of show/skip conditions, in Python (the browser runs the same table: test_relevant_browser)."""

import json
from pathlib import Path

import pytest

from surveys.relevant import RelevantError, evaluate, parse, references

CASES = json.loads((Path(__file__).parent / "relevant_cases.json").read_text(encoding="utf-8"))["cases"]


def outcome(expr, answers) -> dict:
    try:
        return {"shown": evaluate(expr, answers)}
    except RelevantError:
        return {"error": True}


@pytest.mark.parametrize("case", CASES, ids=[c["expr"] or "empty" for c in CASES])
def test_shared_table(case):
    expected = {"error": True} if case.get("error") else {"shown": case["shown"]}
    assert outcome(case["expr"], case["answers"]) == expected


def test_references_name_every_question_read():
    assert references(parse("${a} = 'x' and (selected(${b}, 'y') or not(${c} > 2))")) == {"a", "b", "c"}


def test_no_python_is_ever_run():
    with pytest.raises(RelevantError):
        evaluate("__import__('os').system('true')", {})
