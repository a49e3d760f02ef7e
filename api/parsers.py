"""The API's JSON parser: DRF's, refusing bodies nested deeper than any request of ours needs."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# The deepest real body (a case with its reporter, a report's figures) is a few levels.
MAX_DEPTH = 32


class DepthLimitedJSONParser(JSONParser):
    """A ParseError (400) for nesting deeper than MAX_DEPTH, however deep.

    Python's json recurses once a level and raises RecursionError near 1000 levels: that is a
    400 here too, not a 500. A body it can parse is then measured without recursion.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        if nesting_depth(data, limit=MAX_DEPTH) > MAX_DEPTH:
            raise _too_deep()
        return data


def nesting_depth(data, *, limit: int) -> int:
    """How deep lists and objects nest in `data` (a scalar is 0), counting no further than limit + 1."""
    deepest = 0
    stack = [(data, 1)] if isinstance(data, (dict, list)) else []
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _too_deep() -> ParseError:
    # An existing, translated message: a client that nests this deep is not asking a question.
    return ParseError(_("Dữ liệu gửi lên không hợp lệ."))
