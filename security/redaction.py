"""Keys in query strings never reach a log line.

Open311 clients send `api_key` in the query string (GeoReport v2 allows it), and a request line
(runserver's, a proxy's, our own messages that quote a URL) would keep it in clear in the logs.
The filter sits on every handler in LOGGING; it rewrites the record itself, so every handler that
sees the record after it sees it redacted too.
"""

import logging
import re

REDACTED = "[redacted]"
# Parameter names whose values are secrets; matched as a whole name after `?`, `&`, `;` or a space.
SECRET_PARAMETERS = ("api_key", "apikey", "access_token", "token", "key", "secret", "password")
_SECRET_VALUE = re.compile(
    r"(?P<name>(?:^|(?<=[?&;\s\"']))(?:%s))=(?P<value>[^&;\s\"']+)" % "|".join(SECRET_PARAMETERS),
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """`…?api_key=abc&x=1` → `…?api_key=[redacted]&x=1`."""
    return _SECRET_VALUE.sub(lambda match: f"{match['name']}={REDACTED}", text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the handler's to report, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
