"""The OpenAPI schema: generated without warnings, and the served API keeps to it under fuzzing.

The fuzzing is schemathesis's own engine, as its command line runs it, with every check it has and every phase
(examples, coverage, fuzzing with valid and invalid data, and the stateful phase, which chains calls through the
links it infers from the responses), over a real HTTP server (pytest-django's live server) on loopback, as an
intake clerk, a commune leader and the province's supervisor of the demo data. Seeded, derandomized and
bounded (some 2,000 requests of the coverage phase once, 250 of fuzzing and chains a role), it runs on
PostgreSQL only (CI's first pass), in about two minutes on two cores.
"""

import io
import json
import resource
import time
from collections import Counter

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from schemathesis.engine import events, from_schema
from schemathesis.engine.statistic import Statistic
from schemathesis.openapi.checks import RejectedPositiveData

from cases.models import Case, Channel, Topic, Unit
from tests.api.conftest import person_token

ROLES = ("clerk", "leader", "supervisor")  # seed_demo's intake clerk and leader of commune A, province supervisor
SEED = 20261116
# The coverage phase's boundary values (every length limit, pattern, type and missing field of every operation, and
# the methods an operation does not take) test the shapes the schema states, which are the same for every role:
# run once, as the leader, who reaches the most operations. Every other phase runs for every role.
COVERAGE_ROLE = "leader"
MAX_EXAMPLES = 4  # per operation and mode; the coverage phase adds its boundary values, the stateful phase its chains
STATEFUL_EXAMPLES = 6
STATEFUL_STEPS = 6

# Left out, each with its reason:
NOT_FUZZED = "|".join((
    r"^/api/v1/open311/",  # the GeoReport facade answers in GeoReport's own error shape; its conformance tests cover it
))

# Schema-valid requests that the server refuses for what a schema cannot know: which codes, people and
# credentials exist, the state a case is in, the time now, how two fields of a report's period fit together. A
# refusal is let through only as a 400 whose field errors are all among the fields named here for the operation
# (any other refused field still fails), or a key sent again with another request (422, as the IETF
# Idempotency-Key draft says; the fuzzer repeats keys). Everything else a schema can say, it says.
DATA_DEPENDENT_FIELDS = {
    "POST /api/v1/auth/token/": {"non_field_errors", "otp"},  # a wrong password, a second factor owed
    # Codes that exist, are active, are in your reach; a receipt time not ahead of now.
    "POST /api/v1/cases/": {"channel", "topic", "locality", "received_at"},
    "POST /api/v1/cases/{code}/transitions/verify/": {"topic", "locality"},
    "POST /api/v1/cases/{code}/transitions/merge/": {"into"},  # an open case of your unit, not this one
    "POST /api/v1/cases/{code}/transitions/assign/": {"unit", "assignee"},  # a unit in your reach, someone of it
    "POST /api/v1/cases/{code}/transitions/reassign/": {"unit", "assignee"},
    "POST /api/v1/cases/{code}/transitions/reporter_notified/": {"notified_at"},  # after receipt, not ahead of now
    "POST /api/v1/cases/{code}/transitions/extend/": {"new_due"},  # after the current due, within the legal cap
    # A unit you write for; a period that has begun, given as `period` or as `kind` with `period_start`, not both.
    "POST /api/v1/reports/": {"unit", "period", "kind", "period_start", "period_end"},
    "POST /api/v1/reports/{id}/corrections/": {"narrative"},  # a correction that changes something
    # A unit you plan for, localities inside it, strata and margins that fit the plan's variables, dates in order.
    "POST /api/v1/surveys/plans/": {"unit", "localities", "quotas", "margins", "period_end", "step_deadlines"},
    "PUT /api/v1/surveys/plans/{id}/": {"localities", "quotas", "margins", "period_end", "step_deadlines"},
    # A questionnaire's content is checked as a whole: unique names, known types, conditions that parse.
    "POST /api/v1/surveys/plans/{id}/questionnaires/": {"content", "title"},
    "PUT /api/v1/surveys/plans/{id}/questionnaires/{number}/": {"content", "title"},
    # Answers checked by the questionnaire's rules; a collection time before the closing, not ahead of now.
    "POST /api/v1/surveys/plans/{id}/answers/": {"answers", "collected_at"},
    "POST /api/v1/surveys/plans/{id}/answers/{answer_id}/corrections/": {"changes", "reason"},
    # A unit you run, a topic that exists; text that names no resident (collaborators.pii: a phone number, an
    # e-mail address, an identity-card number), which a pattern could not say.
    "POST /api/v1/subjects/": {"unit", "topic", "title", "description"},
    "POST /api/v1/opinion-notes/": {"locality", "subject", "new_subject", "summary", "recommendation", "observed_on",
                                    "idempotency_key"},
}


def refused_for_data(case, response) -> str | None:
    """What made the server refuse this schema-valid request, when it is one of the above; else None."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    if response.status_code == 422 and body.get("code") == "idempotency_key_reused":
        return "Idempotency-Key reused"
    fields = DATA_DEPENDENT_FIELDS.get(case.operation.label, set())
    errors = body.get("errors")
    if response.status_code == 400 and body.get("code") == "invalid" and errors and set(errors) <= fields:
        return ", ".join(sorted(errors))
    return None


def fuzz_schema(base_url: str, token: str, spare_tokens: dict[str, str], *, coverage: bool):
    config = schemathesis.Config.from_dict({
        "seed": SEED,
        "workers": 1,
        # A connection per request: on a kept-alive one, the server's small writes wait for the client's delayed
        # acknowledgement (Nagle's algorithm), some 40 ms a request on loopback.
        "headers": {"Authorization": f"Token {token}", "Connection": "close"},
        # Logging out must not end the run's own token: each logout ends a token of its own (the first call
        # does; later ones are 401, as documented), and signing out everywhere is someone else's.
        "operations": [{"include-path": path, "headers": {"Authorization": f"Token {spare}"}}
                       for path, spare in spare_tokens.items()],
        "generation": {"deterministic": True, "max-examples": MAX_EXAMPLES},
        "phases": {
            "coverage": {"enabled": coverage},
            "stateful": {"max-steps": STATEFUL_STEPS, "generation": {"max-examples": STATEFUL_EXAMPLES}},
        },
    })
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/schema/?format=json", config=config)
    schema = schema.exclude(path_regex=NOT_FUZZED)

    refused = Counter()

    @schema.hook
    def filter_failure(context, failure, case, response):
        reason = refused_for_data(case, response) if isinstance(failure, RejectedPositiveData) else None
        if reason:
            refused[f"{case.operation.label} ({reason})"] += 1
        return reason is None

    return schema, refused


def run_engine(schema) -> dict:
    """One run of every phase and check; the failures, as schemathesis's command line counts them (unique)."""
    statistic, errors, phases, links = Statistic(), [], {}, 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.PhaseStarted) and event.payload is not None:  # the stateful phase
            links = event.payload.transitions_selected
        elif isinstance(event, events.ScenarioFinished):
            statistic.on_scenario_finished(event.recorder)
            phases[event.phase.value] = phases.get(event.phase.value, 0) + len(event.recorder.cases)
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info.title}: {event.info.message}")
        elif isinstance(event, events.EngineFinished):
            statistic.record_run_check_failures(event.failures, label="after the run")
    failures = []
    for label, grouped in statistic.failures.items():
        for group in grouped.values():
            response = group.response
            answer = f"-> {response.status_code} {response.content[:300]!r}" if response is not None else ""
            failures.extend(f"{label}: {failure.title}\n{failure.message}\n{group.code_sample}\n{answer}"
                            for failure in group.failures)
    return {"failures": failures, "errors": errors, "cases": phases, "links": links,
            "filtered": statistic.filtered_failures}


@pytest.fixture
def demo_world(live_server, settings, monkeypatch):
    """The demo database, committed (the live server's threads read it), without throttling; tokens per role."""
    call_command("seed_demo", "--password", "dlxh-demo-2026", stdout=io.StringIO())
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}}
    # The live server's threads keep a connection per HTTP keep-alive socket; each closes its database
    # connection after each request, so none is left open when the test database is dropped. And none waits for
    # its commits to reach the disk (the fsync of each small write was most of the run's time, not the API's).
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    options = connection.settings_dict.setdefault("OPTIONS", {})
    monkeypatch.setitem(options, "options", f"{options.get('options', '')} -c synchronous_commit=off".strip())
    assert Case.objects.exists() and Unit.objects.exists() and Topic.objects.exists() and Channel.objects.exists()
    people = get_user_model().objects
    tokens = {role: person_token(people.get(username=role)) for role in ROLES}
    spare = {role: {"/api/v1/auth/logout/": person_token(people.get(username=role)),
                    "/api/v1/auth/logout-all/": person_token(people.get(username=someone_else))}
             for role, someone_else in zip(ROLES, ("handler", "secretariat", "handler2"), strict=True)}
    return live_server.url, tokens, spare


@pytest.mark.postgres
def test_api_keeps_to_its_schema_for_three_roles(demo_world):
    """No 5xx; only documented status codes, content types and headers; bodies that match the schema; valid
    requests accepted and invalid ones refused; no auth ignored, nothing readable after its deletion; for
    three roles, through the stateful phase's chains of calls too."""
    base_url, tokens, spare = demo_world
    report, started = {}, time.monotonic()
    for role, token in tokens.items():
        cpu, wall = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
        schema, refused = fuzz_schema(base_url, token, spare[role], coverage=role == COVERAGE_ROLE)
        result = run_engine(schema)
        used = resource.getrusage(resource.RUSAGE_SELF)
        result["seconds"] = round(time.monotonic() - wall, 1)
        result["cpu"] = round(used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime, 1)
        report[role] = result
        print(f"{role}: {len(result['failures'])} failures, {len(result['errors'])} errors, "
              f"{result['filtered']} refusals for data, {result['cases']} cases, {result['links']} links chained, "
              f"{result['seconds']} s "
              f"({result['cpu']} s CPU)")
        for what, count in sorted(refused.items()):
            print(f"    refused for data: {count} × {what}")
    print(f"all roles: {time.monotonic() - started:.1f} s")
    problems = [f"[{role}] {line}" for role, result in report.items()
                for line in result["failures"] + result["errors"]]
    assert not problems, f"{len(problems)} failures and errors:\n\n" + "\n\n".join(problems)


def test_schema_generates_without_errors_or_warnings(tmp_path):
    """drf-spectacular documents every view of this API without guessing (warnings fail too)."""
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--urlconf", "tests.api.api_urls", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ("/api/v1/cases/{code}/transitions/verify/", "/api/v1/cases/{code}/events/", "/api/v1/auth/token/"):
        assert path in text


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/cases/" in schema.json()["paths"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
