"""What the processes count as it happens (prometheus_client; exposed by config.metrics at /metrics)."""

from prometheus_client import Counter, Histogram, disable_created_metrics

disable_created_metrics()  # no `_created` twin of every series: Prometheus does not need it

REQUEST_LATENCY = Histogram(
    "dlxh_http_request_duration_seconds", "Time to answer a request, by view (URL name) and method.",
    ["view", "method"], buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
REQUESTS = Counter("dlxh_http_requests", "Requests answered, by view, method and status class (2xx, 4xx, 5xx).",
                   ["view", "method", "status"])
CASE_MOVES = Counter("dlxh_case_moves", "Case moves committed, by action (verify, assign, resolve, ...).", ["action"])


def case_move_counted(action: str) -> None:
    CASE_MOVES.labels(action=action).inc()
