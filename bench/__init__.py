"""National-scale benchmark suite: data generator (bench.generate) and runner (bench.run).

Both work on a dedicated database (default `dlxh_bench`) that they drop and
recreate; never point them at a database you want to keep.
"""

import os

DEFAULT_DB = "dlxh_bench"
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


# Production-like settings (no DEBUG query log), on plain HTTP over loopback; the same in every process.
BENCH_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
    "FIELD_ENCRYPTION_KEY": "YmVuY2gta2V5LTAxMjM0NTY3ODlhYmNkZWZnaGlqa2w=",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "DLXH_REQUIRE_2FA": "false",
}


# The planner setting the application puts on its own connections (config/settings.py): the raw-SQL twins
# connect with it too, so a ratio compares the code, not two planner configurations.
PLANNER_OPTIONS = "options=-c%20parallel_setup_cost%3D10000"


def database_url(name: str = DEFAULT_DB) -> str:
    return f"{SERVER}/{name}?{PLANNER_OPTIONS}"


def setup_django(db_name: str = DEFAULT_DB) -> None:
    """Point Django at the bench database (before anything imports settings) and set it up."""
    os.environ["DATABASE_URL"] = database_url(db_name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.update(BENCH_ENV)
    # The API's per-user throttle would turn a load test into a 429 test.
    os.environ.setdefault("API_THROTTLE_USER", "100000000/min")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Celery broker and cache as in production (Redis); a separate db number keeps it apart.
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
    import django

    django.setup()
