"""The OpenAPI schema: generated without warnings, and the served API keeps to it under fuzzing."""

import io
import itertools

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.integration_keys import integration_key_issue
from api.models import ChannelSource
from cases.models import Case, Channel, Topic, Unit
from config.wsgi import application
from tests.api.conftest import person_token

MAX_EXAMPLES = 25  # per operation and mode (valid, invalid requests): about a minute in all
FUZZ_USER = "leader"  # the demo leader of commune A: intake and most transitions


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


# Loaded once at collection; the hooks below read the codes of the seeded database.
# The case API's operations (other apps' endpoints are fuzzed by their own tests).
fuzzed = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application).include(
    path_regex=r"^/api/v1/(auth/token|cases|open311)/"
)  # the signed webhook answers 401 to anything unsigned, logging out would end the run's token: their own tests cover them
REAL_VALUES: dict[str, list] = {}


def _with_real_codes(values):
    # Random strings only ever reach the 404/400 paths; real codes reach the services.
    swappable = [name for name in values if name in REAL_VALUES] if isinstance(values, dict) else []
    if not swappable:
        return st.just(values)
    return st.fixed_dictionaries(
        {name: st.sampled_from([values[name], *REAL_VALUES[name]]) for name in swappable}
    ).map(lambda chosen: {**values, **chosen})


@fuzzed.hook
def flatmap_path_parameters(context, path_parameters):
    return _with_real_codes(path_parameters)


@fuzzed.hook
def flatmap_query(context, query):
    return _with_real_codes(query)


@fuzzed.hook
def flatmap_body(context, body):
    return _with_real_codes(body)


@pytest.fixture
def fuzz_token(db, settings):
    """The demo database, the leader's token, no throttling; requests go in-process (WSGI)."""
    call_command("seed_demo", "--password", "dlxh-demo-2026", stdout=io.StringIO())
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}}
    codes = list(Case.objects.values_list("code", flat=True))
    units = list(Unit.objects.values_list("code", flat=True))
    REAL_VALUES.update({
        "code": codes, "into": codes, "unit": units, "locality": units, "owner": units,
        "topic": list(Topic.objects.values_list("code", flat=True)),
        "channel": list(Channel.objects.values_list("code", flat=True)),
        "assignee": ["handler", "leader", "handler2"],
        "page": [1], "q": ["nuoc sach", "Rác thải"],
    })
    # The WSGI handler would close the test's connection (and its transaction) after each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    leader = get_user_model().objects.get(username=FUZZ_USER)
    token = person_token(leader)
    portal = ChannelSource.objects.create(
        code="demo-portal", name="Demo portal", kind=ChannelSource.Kind.OPEN311, channel=Channel.objects.get(code="portal"),
        acts_as=leader, default_topic=Topic.objects.get(code="GY"), default_locality=Unit.objects.get(code="DM-ANBINH"),
    )
    _row, key = integration_key_issue(source=portal)
    REAL_VALUES.update({
        "api_key": [key], "jurisdiction_id": ["demo-portal"], "service_code": REAL_VALUES["topic"],
        "address_id": units, "service_request_id": codes,
    })
    yield token
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    REAL_VALUES.clear()


@pytest.mark.django_db
def test_api_keeps_to_its_schema(fuzz_token):
    """No 5xx, documented status codes and content types, bodies that match the schema.

    Every operation gets schema-valid and schema-invalid requests; one seeded
    database serves them all (seeding per operation would triple the time).
    """
    failures = []
    operations = [result.ok() for result in fuzzed.get_all_operations()]
    for operation, mode in itertools.product(operations, (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)):

        @given(case=operation.as_strategy(mode, hooks=fuzzed.hooks))
        @hypothesis_settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                             suppress_health_check=list(HealthCheck))
        def keeps_to_schema(case):
            case.call_and_validate(
                headers={"Authorization": f"Token {fuzz_token}"},
                environ_base={"REMOTE_ADDR": "127.0.0.1"},  # as every WSGI server sets it (django-axes records it)
                checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                        response_schema_conformance],
            )

        try:
            keeps_to_schema()
        except Unsatisfiable:
            continue  # nothing invalid can be sent to an operation that takes no input
        except (AssertionError, FailureGroup) as failure:  # collect them all, then fail once with every report
            failures.append(f"{operation.label} ({mode.value}):\n{failure}")
    assert not failures, "\n\n".join(failures)
