"""API test helpers: a client that speaks as a named person with a real token."""

import pytest
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient


def person_token(user) -> str:
    """A new API token of this person (knox keeps only its digest).

    Without an expiry: tests move the clock by days with one client. The 8-hour expiry of the tokens the
    endpoint issues is tested through the endpoint (tests/security/test_tokens.py).
    """
    _row, token = AuthToken.objects.create(user=user, expiry=None)
    return token


@pytest.fixture(autouse=True)
def _own_cache(settings):
    # Throttle counters live in the cache; each test starts with empty ones.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-tests"}}
    cache.clear()


@pytest.fixture
def api(world):
    """`api("clerk")` → an APIClient sending that person's token."""

    def client_for(username=None):
        client = APIClient()
        if username is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {person_token(world.users[username])}")
        return client

    return client_for


@pytest.fixture
def intake_body(world):
    def make(**overrides):
        body = {
            "title": "Nước sạch ở thôn 1 bị đục",
            "description": "Nước máy có màu vàng từ ba ngày nay.",
            "channel": world.channel.code,
            "topic": world.topic.code,
            "locality": world.hamlet_a.code,
            "reporter": {"name": "Trần Thị B", "phone": "0987654321", "email": "b@example.com"},
        }
        body.update(overrides)
        return body

    return make
