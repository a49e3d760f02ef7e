"""Show/skip conditions: a documented subset of XLSForm's `relevant` expressions, parsed and evaluated
without eval.

The same rules run in the form (surveys/static/surveys/relevant.js); one table of cases,
tests/surveys/relevant_cases.json, is run against both. The subset (docs/surveys.md):

    expr       := or
    or         := and ("or" and)*
    and        := equality ("and" equality)*
    equality   := relational (("=" | "!=") relational)*
    relational := unary (("<" | "<=" | ">" | ">=") unary)*
    unary      := "-" unary | primary
    primary    := "${" name "}" | 'text' | "text" | number | "(" expr ")"
                | "not" "(" expr ")" | "selected" "(" expr "," expr ")"

Values, as XPath 1.0 and ODK read them: an unanswered question is the empty text; a multiple choice is its
choices joined by spaces. `=` and `!=` compare as numbers when either side is a number, otherwise as text;
`!=` is the negation of `=`. `<`, `<=`, `>`, `>=` compare as numbers (a date YYYY-MM-DD counts its days
since 1970-01-01); something that is not a number (the empty text) makes them false. `and`, `or`, `not()`
read a number as true unless 0 or not a number, a text as true unless empty.
"""

import math
import re
from dataclasses import dataclass
from datetime import date

MAX_LENGTH = 2000


class RelevantError(ValueError):
    """A condition outside the subset; `position` is where reading stopped (0-based)."""

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.position = position


@dataclass(frozen=True)
class Token:
    kind: str  # ref, str, num, op, name, "(", ")", ","
    value: str
    position: int


_TOKEN = re.compile(r"""
    (?P<space>[ \t\n\r]+)
  | (?P<ref>\$\{(?P<refname>[A-Za-z_][A-Za-z0-9_.\-]*)\})
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<num>\d+(?:\.\d+)?|\.\d+)
  | (?P<op><=|>=|!=|=|<|>|-)
  | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*)
  | (?P<punct>[(),])
""", re.VERBOSE | re.ASCII)


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise RelevantError("too long", 0)
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise RelevantError("unexpected character", position)
        kind = match.lastgroup
        if kind == "refname":
            kind = "ref"
        if kind == "ref":
            tokens.append(Token("ref", match.group("refname"), position))
        elif kind == "str":
            tokens.append(Token("str", match.group("str")[1:-1], position))
        elif kind == "num":
            tokens.append(Token("num", match.group("num"), position))
        elif kind == "op":
            tokens.append(Token("op", match.group("op"), position))
        elif kind == "name":
            tokens.append(Token("name", match.group("name"), position))
        elif kind == "punct":
            tokens.append(Token(match.group("punct"), match.group("punct"), position))
        position = match.end()
    return tokens


# A parsed expression is a tuple: ("ref", name) | ("lit", value) | ("not", e) | ("selected", a, b)
# | ("and", a, b) | ("or", a, b) | ("cmp", op, a, b) | ("neg", e)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, kind: str, value: str | None = None) -> Token:
        token = self.peek()
        if token is None or token.kind != kind or (value is not None and token.value != value):
            raise RelevantError("expected " + (value or kind), token.position if token else len(self.text))
        self.index += 1
        return token

    def at(self, kind: str, *values: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == kind and (not values or token.value in values)

    def parse(self):
        if not self.tokens:
            raise RelevantError("empty", 0)
        node = self.disjunction()
        if self.peek() is not None:
            raise RelevantError("unexpected token", self.peek().position)
        return node

    def disjunction(self):
        node = self.conjunction()
        while self.at("name", "or"):
            self.index += 1
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self):
        node = self.equality()
        while self.at("name", "and"):
            self.index += 1
            node = ("and", node, self.equality())
        return node

    def equality(self):
        node = self.relational()
        while self.at("op", "=", "!="):
            op = self.take("op").value
            node = ("cmp", op, node, self.relational())
        return node

    def relational(self):
        node = self.unary()
        while self.at("op", "<", "<=", ">", ">="):
            op = self.take("op").value
            node = ("cmp", op, node, self.unary())
        return node

    def unary(self):
        if self.at("op", "-"):
            self.index += 1
            return ("neg", self.unary())
        return self.primary()

    def primary(self):
        token = self.peek()
        if token is None:
            raise RelevantError("unexpected end", len(self.text))
        if token.kind == "ref":
            self.index += 1
            return ("ref", token.value)
        if token.kind == "str":
            self.index += 1
            return ("lit", token.value)
        if token.kind == "num":
            self.index += 1
            return ("lit", float(token.value))
        if token.kind == "(":
            self.index += 1
            node = self.disjunction()
            self.take(")")
            return node
        if token.kind == "name" and token.value == "not":
            self.index += 1
            self.take("(")
            node = self.disjunction()
            self.take(")")
            return ("not", node)
        if token.kind == "name" and token.value == "selected":
            self.index += 1
            self.take("(")
            first = self.disjunction()
            self.take(",")
            second = self.disjunction()
            self.take(")")
            return ("selected", first, second)
        raise RelevantError("unexpected token", token.position)


def parse(text: str):
    """The expression's tree, or RelevantError."""
    return _Parser(text).parse()


def references(tree) -> set[str]:
    """The question names an expression reads."""
    if tree[0] == "ref":
        return {tree[1]}
    found = set()
    for part in tree[1:]:
        if isinstance(part, tuple):
            found |= references(part)
    return found


# --- evaluation ----------------------------------------------------------------------------------

_NUMBER = re.compile(r"[ \t\n\r]*-?(\d+(\.\d*)?|\.\d+)[ \t\n\r]*\Z", re.ASCII)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)
_SPACES = re.compile(r"[ \t\n\r]+")
_EPOCH = date(1970, 1, 1).toordinal()


def _answer(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return " ".join(str(item) for item in value)
    return str(value)


def _number(value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if _NUMBER.match(value):
        return float(value)
    day = _DATE.match(value)
    if day:
        try:
            return float(date(int(day[1]), int(day[2]), int(day[3])).toordinal() - _EPOCH)
        except ValueError:
            return math.nan
    return math.nan


def _truth(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    return value != ""


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value == int(value) else repr(value)
    return value


def _compare(op: str, left, right) -> bool:
    if op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = _truth(left) == _truth(right)
        elif isinstance(left, float) or isinstance(right, float):
            a, b = _number(left), _number(right)
            equal = not (math.isnan(a) or math.isnan(b)) and a == b
        else:
            equal = left == right
        return equal if op == "=" else not equal
    a, b = _number(left), _number(right)
    if math.isnan(a) or math.isnan(b):
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _value(tree, answers: dict):
    kind = tree[0]
    if kind == "ref":
        return _answer(answers.get(tree[1]))
    if kind == "lit":
        return tree[1]
    if kind == "neg":
        return -_number(_value(tree[1], answers))
    if kind == "not":
        return not _truth(_value(tree[1], answers))
    if kind == "and":
        return _truth(_value(tree[1], answers)) and _truth(_value(tree[2], answers))
    if kind == "or":
        return _truth(_value(tree[1], answers)) or _truth(_value(tree[2], answers))
    if kind == "selected":
        return _text(_value(tree[2], answers)) in [item for item in _SPACES.split(_text(_value(tree[1], answers))) if item]
    return _compare(tree[1], _value(tree[2], answers), _value(tree[3], answers))


def evaluate(text_or_tree, answers: dict) -> bool:
    """Whether a question with this condition is shown, given the answers so far; an empty condition shows."""
    if isinstance(text_or_tree, str):
        if not _SPACES.sub("", text_or_tree):
            return True
        text_or_tree = parse(text_or_tree)
    return _truth(_value(text_or_tree, answers))
