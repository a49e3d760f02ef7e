"""The fail-open cache: with Redis unreachable it answers like an empty cache instead of failing the request."""

import pytest
from django.core.cache import caches

from tests.workers import free_port


@pytest.fixture
def unreachable_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "security.cache.FailOpenRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
                                   "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    return caches["default"]


def test_an_unreachable_cache_misses_and_drops_writes(unreachable_cache):
    cache = unreachable_cache
    assert cache.get("k", "default") == "default"
    assert cache.set("k", 1) is None and cache.add("k", 1) is False
    assert cache.get_many(["a", "b"]) == {} and cache.has_key("k") is False
    assert cache.delete("k") is False and cache.set_many({"a": 1}) == ["a"]
    with pytest.raises(ValueError):
        cache.incr("k")  # what a missing key does, so counters start again


def test_the_api_answers_while_the_cache_is_unreachable(world, unreachable_cache):
    from tests.api.conftest import person_token
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {person_token(world.clerk)}")
    assert client.get("/api/v1/cases/").status_code == 200  # the throttle's counter is skipped, not a 500


@pytest.mark.redis
def test_a_reachable_cache_works_as_usual(settings):
    settings.CACHES = {"default": {"BACKEND": "security.cache.FailOpenRedisCache", "LOCATION": settings.REDIS_URL}}
    cache = caches["default"]
    cache.set("reliability-k", 41, timeout=30)
    assert cache.incr("reliability-k") == 42
    cache.delete("reliability-k")
