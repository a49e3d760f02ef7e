"""Fixtures for the reliability and security tests: a private cache, logged-in clients, visible text."""

import pytest
from django.test import Client

from tests.web.conftest import visible_text


@pytest.fixture(autouse=True)
def _private_cache(settings, request):
    # Throttle and rate-limit counters start empty in every test.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"reliability-{request.node.nodeid}"}}


@pytest.fixture
def as_user(world):
    """`as_user("clerk")` → a test client logged in (password step only) as that person."""

    def login(username):
        client = Client(HTTP_ACCEPT_LANGUAGE="vi")
        client.force_login(world.users[username])
        return client

    return login


@pytest.fixture
def text():
    return visible_text


@pytest.fixture
def people(world):
    """The world's people, each with an email address (so email deliveries exist too)."""
    for user in world.users.values():
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])
    return world
