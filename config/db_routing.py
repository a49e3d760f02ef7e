"""Read routing: the heavy reads of a few pages go to a streaming replica, everything else to the primary.

Only when DATABASE_REPLICA_URL is set (settings add the `replica` alias and this router). Which reads: the
GET requests of the views named in REPLICA_READ_VIEWS (reports, dashboards, exports, inspection lists and the
statistics API), and there only the models outside PRIMARY_ONLY_APPS: a session, a login, a token, a role or a
lockout is always read where it was written, so nobody is logged out or keeps a withdrawn right for the length
of the replica's lag. Every write, every read inside a transaction on the primary, every other request and
every background job uses the primary.

Read-your-writes: a person who has just written (any unsafe request by that person, web or API) reads from the
primary for DATABASE_REPLICA_PIN_SECONDS. The mark is kept in the shared cache under the person's id, not in a
cookie or the session: it then holds for the browser and for an API client with a token alike, on whichever web
node serves the next request. With no cache answering (Redis down: the cache fails open) the mark is also set as
a short cookie, which the browser at least sends back.

We considered django-multidb-router (maintained): it sends every read to the replicas and pins a client after
a POST; here the replica is opt-in for a few pages, the reverse, so the router below is ours and small.
"""

from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

REPLICA_DB_ALIAS = "replica"

# URL names (namespace:name) whose GET requests read from the replica.
REPLICA_READ_VIEWS = frozenset({
    "web:dashboard", "web:export",  # the dashboard and the queue's CSV export
    "reports:list", "reports:detail", "reports:export", "reports:emerging", "reports:exports",
    "reports:inspection_home", "reports:inspection_cases",  # the inspection committee's lists
    "api-stats", "api-reports",
})
# Apps read from the primary whatever the page: who is logged in and with which rights.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "guardian", "knox", "otp_totp", "otp_static", "django_otp",
                               "axes", "contenttypes"})
PIN_COOKIE = "dlxh_db_pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The request being served, when its reads may go to the replica (None otherwise: the primary).
_replica_request: ContextVar = ContextVar("dlxh_replica_request", default=None)


def replica_configured() -> bool:
    return REPLICA_DB_ALIAS in connections.settings  # settings.DATABASES, as the connections read it


def _pin_key(user_id) -> str:
    return f"dlxh:db-pin:{user_id}"


def person_pinned(request) -> bool:
    """Has this person written within DATABASE_REPLICA_PIN_SECONDS? (Evaluated once per request.)"""
    pinned = getattr(request, "_dlxh_db_pinned", None)
    if pinned is None:
        user = getattr(request, "user", None)
        pinned = request.COOKIES.get(PIN_COOKIE) == "1"
        if not pinned and user is not None and user.is_authenticated:
            pinned = bool(cache.get(_pin_key(user.pk)))
        request._dlxh_db_pinned = pinned
    return pinned


def person_pin(request, response) -> None:
    """After a person's write: their reads go to the primary for the next DATABASE_REPLICA_PIN_SECONDS."""
    seconds = settings.DATABASE_REPLICA_PIN_SECONDS
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        cache.set(_pin_key(user.pk), 1, timeout=seconds)
    response.set_cookie(PIN_COOKIE, "1", max_age=seconds, httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)


def reads_from_replica() -> bool:
    """Is the current request's reading going to the replica (the "figures as of" line says when)?"""
    request = _replica_request.get()
    return request is not None and not connections[DEFAULT_DB_ALIAS].in_atomic_block and not person_pinned(request)


class ReplicaRouter:
    """Reads of the replica pages to `replica`; everything else to the primary (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return REPLICA_DB_ALIAS if reads_from_replica() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaRoutingMiddleware:
    """Marks the GET requests of the replica pages for the router; pins a person's reads after their write.

    After AuthenticationMiddleware (the person is known, lazily: the API's token is read later by the view).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        token = _replica_request.set(None)
        try:
            response = self.get_response(request)
            routed = _replica_request.get()
        finally:
            _replica_request.reset(token)
        if routed is not None and response.streaming:  # a CSV export reads as it is sent, after this returns
            response.streaming_content = _reading_from_replica(routed, response.streaming_content)
        if request.method not in SAFE_METHODS:
            person_pin(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not replica_configured() or request.method not in SAFE_METHODS:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in REPLICA_READ_VIEWS:
            _replica_request.set(request)
        return None


def _reading_from_replica(request, chunks):
    token = _replica_request.set(request)
    try:
        yield from chunks
    finally:
        try:
            _replica_request.reset(token)
        except ValueError:  # resumed in another context (ASGI): leave it unset there
            _replica_request.set(None)


# How far the replica's data is behind: 0 when it has replayed all it received (an idle primary sends nothing,
# so the last replayed transaction may be old without any lag), NULL on a server that is not a standby at all
# (then it is the primary's own copy: no lag).
_LAG_SQL = """
SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0
            WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE GREATEST(0, EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())) END
"""


def replica_lag_seconds() -> float | None:
    """Seconds the replica is behind the primary; None without a replica or when it does not answer."""
    if not replica_configured():
        return None
    connection = connections[REPLICA_DB_ALIAS]
    if connection.vendor != "postgresql":
        return 0.0
    try:
        with connection.cursor() as cursor:
            cursor.execute(_LAG_SQL)
            (lag,) = cursor.fetchone()
    except Exception:  # an unreachable replica is reported, never raised into /health/ or /metrics
        connection.close()
        return None
    return float(lag) if lag is not None else None


def figures_as_of():
    """The moment the current request's figures describe: now on the primary, now less the lag on the replica."""
    now = timezone.now()
    if not reads_from_replica():
        return now
    lag = replica_lag_seconds()
    return now - timedelta(seconds=lag or 0)
