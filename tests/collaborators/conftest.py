"""The demo world (seed_demo: units, people, collaborators `ctv`, `ctv2`, `ctv3` with a month of notes)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client


@pytest.fixture
def demo(db, private_cache):
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def demo_user(demo):
    """`demo_user("ctv")` → a test client logged in as that demo person, in Vietnamese."""

    def login(username):
        client = Client(HTTP_ACCEPT_LANGUAGE="vi")
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return login


@pytest.fixture
def text():
    from tests.web.conftest import visible_text

    return visible_text
