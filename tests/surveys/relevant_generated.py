"""Seeded random conditions and answers in the subset, for comparing the Python and JavaScript evaluators
beyond the hand-written table (tests/web/test_survey_screens.py runs them in the browser)."""

import random

NAMES = ["a", "b", "n", "d", "m"]
TEXTS = ["", "x", "y", "10", "10.0", "2026-02-01", "a b"]


def _operand(rng: random.Random, depth: int) -> str:
    roll = rng.random()
    if roll < 0.45:
        return "${" + rng.choice(NAMES) + "}"
    if roll < 0.7:
        return repr(rng.choice(TEXTS)) if rng.random() < 0.7 else '"' + rng.choice(TEXTS) + '"'
    if roll < 0.9:
        return rng.choice(["0", "1", "2.5", "10", "-3", "20"])
    return "(" + _expression(rng, depth + 1) + ")"


def _expression(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth > 3 or roll < 0.35:
        return f"{_operand(rng, depth)} {rng.choice(['=', '!=', '<', '<=', '>', '>='])} {_operand(rng, depth)}"
    if roll < 0.5:
        return f"selected(${{{rng.choice(NAMES)}}}, {repr(rng.choice(['x', 'y', 'a', 'b']))})"
    if roll < 0.6:
        return f"not({_expression(rng, depth + 1)})"
    if roll < 0.7:
        return _operand(rng, depth)
    return f"{_expression(rng, depth + 1)} {rng.choice(['and', 'or'])} {_expression(rng, depth + 1)}"


def _answers(rng: random.Random) -> dict:
    values = [None, "x", "y", "", "10", 10, 2.5, 0, -3, "2026-01-31", ["a", "b"], ["x"], []]
    return {name: value for name in NAMES if (value := rng.choice(values)) is not None}


def generated_cases(count: int = 400, seed: int = 20261128) -> list[dict]:
    rng = random.Random(seed)
    return [{"expr": _expression(rng), "answers": _answers(rng)} for _i in range(count)]
