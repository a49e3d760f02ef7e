"""The API tests' clients, for the holes that go through the API."""

from tests.api.conftest import api, intake_body  # noqa: F401 (fixtures, re-exported)
