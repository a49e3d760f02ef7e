"""Shared fixtures: a small world of units, topics, channels and people with roles.

The world mirrors the demo: a province with two communes (A and B), each
with a grassroots unit, and people holding roles on them.
"""

import os
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.test import Client, TransactionTestCase

from cases.db_roles import APPEND_ONLY_TABLES, as_database_owner, database_login_switch
from cases.models import Channel, Role, Tier, Topic, Unit, UnitKind
from cases.services import ReporterInput, case_intake, topic_upsert, unit_role_grant, unit_upsert


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` / `redis` need the real servers; without them they are skipped.

    CI runs the suite on PostgreSQL too, so nothing is left unrun there. Tests marked `dovecot`
    are skipped where Debian's dovecot-imapd is not installed, except under CI, where its absence
    fails them (.ci/run installs it).
    """
    from django.conf import settings

    from tests.api.dovecot import dovecot_installed

    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    on_redis = bool(settings.REDIS_URL)
    skip_dovecot = not dovecot_installed() and os.environ.get("CI") != "true"
    for item in items:
        if item.get_closest_marker("postgres") and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); CI runs it there"))
        if item.get_closest_marker("redis") and not on_redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis (set REDIS_URL); CI runs it there"))
        if item.get_closest_marker("dovecot") and skip_dovecot:
            item.add_marker(pytest.mark.skip(reason="needs Dovecot (apt-get install dovecot-imapd); CI runs it"))


# What the product reads from the environment while it runs (settings are read once, at start).
RUNTIME_ENVIRONMENT = ("DEMO_PASSWORD",)


@pytest.fixture(scope="session", autouse=True)
def _no_caller_environment():
    """The caller's DEMO_PASSWORD (exported for bin/run) changes nothing in a test; a test that
    wants one sets it with monkeypatch."""
    with pytest.MonkeyPatch.context() as patch:
        for name in RUNTIME_ENVIRONMENT:
            patch.delenv(name, raising=False)
        yield


# --- Two database roles (cases.db_roles): the tests run as the application's role, as the product does --------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """The owner role creates the test database and migrates it (`migrate` gives the application role its
    rights)..."""
    database_login_switch("owner")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """...then every test, thread and worker process logs in as the application's role; the owner drops it."""
    database_login_switch("app")
    yield
    database_login_switch("owner")


@pytest.fixture(scope="session", autouse=True)
def _tables_emptied_by_the_owner():
    """After a transactional test every table is emptied (Django's flush), which the application's role may not
    do and the append-only tables' triggers refuse even to the owner. So the owner empties them, with those
    triggers off only inside its own transaction: no other session ever sees them off. On PostgreSQL only the
    tables holding rows, with DELETE (_tables_with_rows_emptied)."""
    flush = TransactionTestCase._fixture_teardown

    def flush_as_owner(test_case):
        if connection.vendor != "postgresql":
            return flush(test_case)
        with as_database_owner(), transaction.atomic(), connection.cursor() as cursor:
            for table in APPEND_ONLY_TABLES:
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} DISABLE TRIGGER USER")
            _tables_with_rows_emptied(cursor)
            # As Django's flush does after its TRUNCATE: content types, permissions, the default clock policies.
            emit_post_migrate_signal(0, False, connection.alias)
            for table in APPEND_ONLY_TABLES:
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} ENABLE TRIGGER USER")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", flush_as_owner)
        yield


def _tables_with_rows_emptied(cursor):
    """Django's flush TRUNCATEs every table: on PostgreSQL a new file for each table and index, written to disk
    at commit, about two seconds a test here. A transactional test fills a few small tables; DELETE empties them
    in milliseconds. The foreign keys (deferrable, as Django makes them) are checked once every table is empty."""
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    quote = connection.ops.quote_name
    cursor.execute(" UNION ALL ".join(f"SELECT %s WHERE EXISTS (SELECT FROM {quote(table)})" for table in tables),
                   tables)
    with_rows = [table for (table,) in cursor.fetchall()]
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for table in with_rows:
        cursor.execute(f"DELETE FROM {quote(table)}")
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checked now: the triggers cannot be altered with checks pending


@pytest.fixture
def database_owner(transactional_db):
    """`with database_owner():` runs the block's SQL, ORM or raw, as the owner role: what someone holding the
    owner's password could do behind the application's back (the application's own role cannot:
    tests/cases/test_database_roles.py). The owner logs in on its own connection and sees only committed rows,
    so this makes the test transactional. With one role it is the same login."""
    return as_database_owner


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_copy_of_the_configuration_from_an_earlier_test():
    """The process's copies of the configuration (calendar, policies, channels, topics: `versioned`) start empty:
    a copy read during an earlier test holds rows its rollback took away."""
    from config import shared_configuration

    shared_configuration._memo.clear()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A test that rendered in English must not leave it active: the next one's system-written texts (a sweep's
    event notes) would be stored in English, as no worker would ever write them."""
    yield
    from django.utils import translation

    translation.deactivate()


@dataclass
class World:
    province: Unit
    commune_a: Unit
    commune_b: Unit
    hamlet_a: Unit
    hamlet_b: Unit
    topic: Topic
    quiet_topic: Topic  # needs no public response
    channel: Channel
    users: dict

    def __getattr__(self, name):
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None

    def refresh_units(self):
        for name in ("province", "commune_a", "commune_b", "hamlet_a", "hamlet_b"):
            getattr(self, name).refresh_from_db()


PEOPLE = [
    ("clerk", Role.INTAKE_CLERK, "commune_a"),
    ("leader", Role.LEADER, "commune_a"),
    ("handler", Role.HANDLER, "commune_a"),
    ("secretariat", Role.SECRETARIAT, "commune_a"),
    ("clerk2", Role.INTAKE_CLERK, "commune_b"),
    ("leader2", Role.LEADER, "commune_b"),
    ("handler2", Role.HANDLER, "commune_b"),
    ("hamlet_leader", Role.LEADER, "hamlet_a"),
    ("hamlet_handler", Role.HANDLER, "hamlet_a"),
    ("supervisor", Role.SUPERVISOR, "province"),
    ("inspector", Role.INSPECTOR, "province"),
    ("administrator", Role.ADMINISTRATOR, "province"),
]


@pytest.fixture
def world(db) -> World:
    province, _ = unit_upsert(code="P", name="Tỉnh ủy P", tier=Tier.PROVINCE, kind=UnitKind.COMMITTEE, parent=None)
    commune_a, _ = unit_upsert(code="P-A", name="Đảng ủy xã A", tier=Tier.COMMUNE, kind=UnitKind.COMMITTEE, parent=province)
    commune_b, _ = unit_upsert(code="P-B", name="Đảng ủy phường B", tier=Tier.COMMUNE, kind=UnitKind.COMMITTEE, parent=province)
    hamlet_a, _ = unit_upsert(code="P-A-T1", name="Thôn 1 xã A", tier=Tier.GRASSROOTS, kind=UnitKind.HAMLET, parent=commune_a)
    hamlet_b, _ = unit_upsert(code="P-B-K1", name="Khu phố 1 phường B", tier=Tier.GRASSROOTS, kind=UnitKind.HAMLET, parent=commune_b)
    topic = topic_upsert(code="MT", name="Môi trường")
    quiet_topic = topic_upsert(code="GY", name="Góp ý, đề xuất", needs_public_response=False)
    channel, _ = Channel.objects.get_or_create(code="hotline", defaults={"name": "Đường dây nóng"})
    units = {"province": province, "commune_a": commune_a, "commune_b": commune_b, "hamlet_a": hamlet_a, "hamlet_b": hamlet_b}
    User = get_user_model()
    users = {}
    for username, role, unit_name in PEOPLE:
        user = User.objects.create_user(username=username, password="pw-for-tests-1")
        unit_role_grant(user=user, unit=Unit.objects.get(pk=units[unit_name].pk), role=role)
        users[username] = user
    world = World(users=users, topic=topic, quiet_topic=quiet_topic, channel=channel, **units)
    world.refresh_units()
    return world


@pytest.fixture
def new_case(world):
    """Log a case about commune A's hamlet, by commune A's clerk."""

    def make(title="Rác thải tồn đọng ở chợ", *, by=None, locality=None, topic=None, anonymous=False, **extra):
        return case_intake(
            by=by or world.clerk,
            title=title,
            description="Nội dung phản ánh.",
            channel=world.channel,
            topic=topic or world.topic,
            locality=locality or world.hamlet_a,
            reporter=None if anonymous else ReporterInput(full_name="Nguyễn Văn A", phone="0912345678"),
            **extra,
        )

    return make


@pytest.fixture
def people(world):
    """The world's people, each with an email address (so email deliveries exist too)."""
    for user in world.users.values():
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])
    return world


@pytest.fixture
def as_user(world):
    """`as_user("clerk")` → a test client logged in (password step only) as that person, in Vietnamese."""

    def login(username):
        client = Client(HTTP_ACCEPT_LANGUAGE="vi")
        client.force_login(world.users[username])
        return client

    return login


@pytest.fixture
def private_cache(settings, request):
    """A cache of this test's own: throttle and rate-limit counters start empty."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"tests-{request.node.nodeid}"}}


def pytest_configure(config):
    from django.conf import settings

    # Real hashing costs ~0.3 s a user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
