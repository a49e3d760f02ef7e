"""Fixtures for the reliability and security tests: a private cache, visible text.

`world`, `people` and `as_user` come from tests/conftest.py."""

import pytest

from tests.web.conftest import visible_text


@pytest.fixture(autouse=True)
def _private_cache(private_cache):
    """Throttle and rate-limit counters start empty in every test."""


@pytest.fixture
def text():
    return visible_text
