"""Settings, all from environment variables (12-factor).

With nothing set, the project runs in its embedded default: SQLite, a
file-system Celery broker and a local cache, so one machine needs no server.
Production sets DATABASE_URL (PostgreSQL), REDIS_URL, SECRET_KEY,
ALLOWED_HOSTS, FIELD_ENCRYPTION_KEY and DEBUG=false.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import observability

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "treebeard",
    "rest_framework",
    "knox",  # people's API tokens: hashed at rest, expiring (issue 15, item 4)
    "drf_spectacular",
    "viewflow",
    "viewflow.workflow",
    "cases",
    "workflow",
    "notifications",
    "api",
    "web",
    "reports",
    # Access and privacy (issue 9): lockout, two-factor login, content security policy.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "security",
    "collaborators",
    "surveys",  # issue 20: opinion surveys (plan, questionnaire)
    "ledger",  # issue 15: the case history anchored in a signed Merkle tree
]

MIDDLEWARE = [
    "config.request_id.RequestIdMiddleware",  # first: every log line of the request carries its id
    "config.metrics.RequestMetricsMiddleware",  # latency by view, for /metrics
    "django.middleware.security.SecurityMiddleware",
    "security.middleware.ApiErrorsAsJsonMiddleware",  # every error under /api/ as JSON, even with DEBUG on
    "security.middleware.RefuseNulMiddleware",  # a NUL in the path or query: 400 before anything reads it
    "django.contrib.sessions.middleware.SessionMiddleware",
    "web.middleware.VietnameseFirstMiddleware",  # screens in Vietnamese unless the person picks English
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "config.db_routing.ReplicaRoutingMiddleware",  # the replica's pages, and a person's reads after their write
    "security.middleware.RequireTwoFactorMiddleware",  # leaders and above: second factor before anything else
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into its page
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workflow.context_processors.clock_settings",
                "config.context_processors.figures_time",  # "figures as of" on reports and the dashboard
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Database: PostgreSQL in production, SQLite in the embedded default.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Keep each worker's connection between requests (a new PostgreSQL connection per request cost more than
    # the request's queries); check it before reuse, so one cut by a database restart is replaced, not used.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DLXH_DB_CONN_MAX_AGE", default=300)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The requests here read a few thousand rows at most: on two cores, starting parallel workers cost more
    # than it saved (docs/benchmarks.md). A high setup cost keeps parallel plans for the really big scans.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c parallel_setup_cost={env.int('DLXH_PG_PARALLEL_SETUP_COST', default=10000)}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent web + worker processes on one file: wait for the lock
    # instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A streaming replica for the heavy reads (config/db_routing.py): the same login as DATABASE_URL; the tests make
# it a mirror of the test database. A person's reads stay on the primary this long after their own write.
if _replica_url := env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {**env.db_url_config(_replica_url), "TEST": {"MIRROR": "default"},
                            **{key: DATABASES["default"][key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")
                               if key in DATABASES["default"]}}
    DATABASE_ROUTERS = ["config.db_routing.ReplicaRouter"]
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=15)
# Two database roles on PostgreSQL (docs/deployment.md): DATABASE_URL logs in as the application's role, which
# may not rewrite history; DATABASE_OWNER_URL, when set, as the role that owns the schema (`manage.py migrate`
# and `db_roles_grant` switch to it). Only its user and password are read: it always works on DATABASE_URL's
# database, so test databases and restored copies follow. Unset (or SQLite): one role, as before.
DATABASE_ROLES = None
_owner_url = env.str("DATABASE_OWNER_URL", default="")
if _owner_url and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _owner = environ.Env.db_url_config(_owner_url)
    if _owner["USER"] != DATABASES["default"]["USER"]:
        if not DATABASES["default"]["USER"]:
            raise ImproperlyConfigured("DATABASE_OWNER_URL needs a user name in DATABASE_URL (the application's role).")
        DATABASE_ROLES = {
            "owner": {"USER": _owner["USER"], "PASSWORD": _owner["PASSWORD"]},
            "app": {"USER": DATABASES["default"]["USER"], "PASSWORD": DATABASES["default"]["PASSWORD"]},
        }

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    # Fail-open: while Redis is down the web runs as if the cache were empty (throttling pauses).
    CACHES = {"default": {"BACKEND": "security.cache.FailOpenRedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
else:
    # Shared by the web and worker processes of the embedded default.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Celery: Redis when REDIS_URL is set; otherwise kombu's file-system
# transport, which needs no server and survives restarts on one machine.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A hung Redis must not hang a request after its commit (measured: forever
    # without these); the notifications outbox sweep queues what was missed.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 5}
else:
    _broker_dir = VAR_DIR / "broker"
    # The file-system transport ignores the host; naming one spares each process kombu's warning about it.
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"

# Periodic tasks (Celery beat). Notifications: the outbox sweep queues
# deliveries the broker missed (an outage delays them, never drops them);
# the daily digest goes out at 07:30.
NOTIFICATIONS_REQUEUE_SECONDS = env.int("NOTIFICATIONS_REQUEUE_SECONDS", default=60)
CLOCKS_SWEEP_SECONDS = env.int("CLOCKS_SWEEP_SECONDS", default=60)
# Demo only: > 1 makes every deadline that many times shorter and counts every
# day as a working day; screens show it (context value `demo_clock_scale`).
DLXH_DEMO_CLOCK_SCALE = env.float("DLXH_DEMO_CLOCK_SCALE", default=1.0)
CELERY_BEAT_SCHEDULE = {
    "notifications-outbox-requeue": {
        "task": "notifications.tasks.outbox_requeue",
        "schedule": NOTIFICATIONS_REQUEUE_SECONDS,
    },
    "notifications-daily-digest": {
        "task": "notifications.tasks.digest_send",
        "schedule": crontab(hour=7, minute=30),
    },
    # Reporters' contact data erased after the retention period (cases.retention).
    "security-reporter-retention": {
        "task": "security.tasks.reporters_anonymise",
        "schedule": crontab(hour=2, minute=30),
    },
    "cases-apply-due-unit-changes": {
        "task": "cases.apply_due_unit_changes",
        "schedule": crontab(hour=0, minute=5),
    },
    # Reminders and escalation of case clocks; /health/ turns red after three missed runs.
    "workflow-clocks-sweep": {
        "task": "workflow.tasks.clocks_sweep",
        "schedule": CLOCKS_SWEEP_SECONDS,
        "options": {"expires": CLOCKS_SWEEP_SECONDS},  # a backlog of sweeps is pointless: the next one does it all
    },
    # Reports falling due are reminded, missing ones escalate to the parent unit (reports.services).
    "reports-alerts-sweep": {"task": "reports.tasks.report_alerts_sweep", "schedule": crontab(hour=7, minute=0)},
    # Requests to collaborators due within a day: each one not answered is reminded once (collaborators.services).
    "collaborators-requests-remind": {"task": "collaborators.requests_remind", "schedule": crontab(minute=7)},
    # Survey steps falling due are reminded, missed ones escalate to the tier above (surveys.services).
    "surveys-plan-alerts-sweep": {"task": "surveys.tasks.plan_alerts_sweep", "schedule": crontab(minute=23)},
    "api-idempotency-keys-purge": {"task": "api.idempotency_keys_purge", "schedule": crontab(minute=17)},  # hourly; 24 h keys
    # Mailboxes of the email channel sources (api.ChannelSource); a missed run is simply caught up by the next.
    "api-email-fetch": {
        "task": "api.email_fetch",
        "schedule": 300,
        "options": {"expires": 300},
    },
    # New case events into the Merkle tree, and a signed checkpoint (ledger.services.ledger_checkpoint).
    "ledger-checkpoint": {
        "task": "ledger.checkpoint",
        "schedule": crontab(minute=41),  # hourly
        "options": {"expires": 3000},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before the password is checked
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: nobody unnamed holds a role

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "web:login"

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
# Attachments live on disk (or an object store), never in the database.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# Attachments: what intake accepts.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
ATTACHMENT_ALLOWED_TYPES = [
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "audio/mpeg",
    "audio/x-wav",
    "video/mp4",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/plain",
]

# Reporter contact data is encrypted at rest. FIELD_ENCRYPTION_KEY is one or
# more comma-separated Fernet keys, newest first (older ones still decrypt,
# so keys can be rotated). In DEBUG without a key, one is derived from
# SECRET_KEY so the embedded default works out of the box.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
# Reporters' contact data is erased this many days after their last case closed
# (`manage.py anonymise_reporters`, daily on beat).
DLXH_REPORTER_RETENTION_DAYS = env.int("DLXH_REPORTER_RETENTION_DAYS", default=5 * 365)
if not FIELD_ENCRYPTION_KEY and not DEBUG:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set when DEBUG is false.")

# With EMAIL_URL unset and DEBUG on (the embedded default) every email is kept as one .eml file under
# VAR_DIR/mail, listed for staff at /dev/mailbox/, and never printed: printed, the notification mail of the
# demo's workers scrolled bin/run's terminal without end.
if env.str("EMAIL_URL", default="") or not DEBUG:
    EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
    vars().update(EMAIL_CONFIG)
else:
    EMAIL_BACKEND = "notifications.dev_mailbox.DevMailboxBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="dlxh@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",  # knox's, reading only the token presented
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.DepthLimitedJSONParser",  # JSON nested too deep is a 400, not a RecursionError
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Per user (every token of a person shares it) and, for the token endpoint, per address.
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="600/min"),
        "anon": env.str("API_THROTTLE_ANON", default="30/min"),
        # Open311: per integration key for those who send one, per address for keyless reads.
        "open311_key": env.str("OPEN311_THROTTLE_KEY", default="600/min"),
        "open311_anon": env.str("OPEN311_THROTTLE_ANON", default="60/min"),
    },
}
# The jurisdictions the Open311 facade serves: `jurisdiction_id` → the code of the unit whose subtree it
# covers (empty: every unit). With one, clients may leave `jurisdiction_id` out; with several, they must
# name one. Written `OPEN311_JURISDICTIONS=cantho.gov.vn=CT,haugiang.gov.vn=HG`.
OPEN311_JURISDICTIONS = env.dict("OPEN311_JURISDICTIONS", default={"dlxh.gov.vn": ""})
# What the discovery document tells integrators (GeoReport's `contact` and `key_service`).
OPEN311_CONTACT = env.str("OPEN311_CONTACT", default="Ban Dân vận: bộ phận tiếp nhận phản ánh")
OPEN311_KEY_SERVICE = env.str(
    "OPEN311_KEY_SERVICE", default="Khóa api_key do quản trị hệ thống cấp cho từng cổng (nguồn tiếp nhận Open311)."
)
SPECTACULAR_SETTINGS = {
    "TITLE": "DLXH case engine API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.fields.empty_query_values_allowed"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Choice sets sharing a field name ("kind", "status") each keep their own name in the schema.
    "ENUM_NAME_OVERRIDES": {"CaseKindEnum": "cases.models.CaseKind", "ReportKindEnum": "reports.models.ReportKind",
                            "SubjectKindEnum": "collaborators.models.SubjectKind", "PlanStatusEnum":
                            "surveys.models.PlanStatus", "StrataVariableEnum": "surveys.services.plans.KNOWN_VARIABLES",
                            "ErrorCodeEnum": "api.exceptions.ERROR_CODES"},  # and the API's error codes
}

# Logs (JSON with the request id), /metrics and beat's lock: config/observability.py.
LOGGING = observability.logging_config(debug=DEBUG)
METRICS_ALLOWED_NETWORKS = observability.METRICS_ALLOWED_NETWORKS
vars().update(observability.beat_settings(REDIS_URL))

# --- Access and transport security (docs/reliability.md, section Access) -------
# Login throttling: 5 failures of one username from one address lock that pair
# for 15 minutes (a stranger cannot lock a colleague out from elsewhere).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "security/lockout.html"
# Behind reverse proxies, how many X-Forwarded-For hops to trust (0: the socket's address).
DLXH_PROXY_COUNT = env.int("DLXH_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "security.client_ip.client_ip"

# Two-factor login (TOTP) for leaders, supervisors, inspectors and administrators.
# On by default in production; off while DEBUG so the demo runs without an authenticator app.
DLXH_REQUIRE_2FA = env.bool("DLXH_REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="DLXH")

# Sessions and CSRF: cookies only over HTTPS in production, never readable by scripts.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)  # one working day
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # pages hand the token to scripts in a <meta> tag
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^metrics$"]  # monitors probe over plain HTTP inside the network
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)  # the header only; listing is a separate request
if env.bool("SECURE_PROXY_SSL", default=False):  # TLS ends at a proxy that sets X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content security policy (django-csp): scripts only from our own static files,
# no inline script; inline style attributes are still allowed (the templates use them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- People's API tokens, integration keys, second-factor enrolment (issue 15, item 4) ---------------
# A person's token lives as long as a web session by default, from the moment it is issued (no sliding
# renewal, like the session); password change, role withdrawal and "sign out everywhere" revoke it earlier.
DLXH_API_TOKEN_TTL_SECONDS = env.int("DLXH_API_TOKEN_TTL_SECONDS", default=SESSION_COOKIE_AGE)
REST_KNOX = {
    "TOKEN_TTL": timedelta(seconds=DLXH_API_TOKEN_TTL_SECONDS),
    "AUTO_REFRESH": False,
    "TOKEN_PREFIX": "dlxh_",  # recognisable by secret scanners
    "AUTH_HEADER_PREFIX": "Token",  # the header integrators already send
}
# A new token beyond this many revokes the person's oldest (knox reads them all at each request).
DLXH_API_TOKENS_PER_PERSON = env.int("DLXH_API_TOKENS_PER_PERSON", default=10)
# How long an enrolment code an administrator issues for a second-factor device stays usable.
DLXH_ENROLMENT_CODE_HOURS = env.int("DLXH_ENROLMENT_CODE_HOURS", default=72)
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a TOTP device's secret or its QR code

# --- Email intake (docs/api.md, Channel adapters) ---------------------------------
# IMAP over TLS is verified against the system's CAs; a PEM file here trusts only its CAs instead
# (a private CA of the mail server). Plain IMAP only where the mailbox URL says `?tls=off`.
DLXH_IMAP_CA_FILE = env.str("DLXH_IMAP_CA_FILE", default="")
# Where a refused message goes (created when missing): out of the inbox, reported once, never retried.
DLXH_EMAIL_REFUSED_FOLDER = env.str("DLXH_EMAIL_REFUSED_FOLDER", default="DLXH-refused")

# --- Anchored history (issue 15; docs/reliability.md, "Anchored history") ------------------------------
# The Ed25519 key that signs checkpoints, never in the database: a PEM (PKCS#8) private key or its raw
# 32-byte seed in base64, as the value or as the path of a file. Production sets it on the host that runs
# beat (the web does not need it); with DEBUG off nothing signs without it. In DEBUG a key file is made
# under VAR_DIR on first use.
AUDIT_SIGNING_KEY = env.str("AUDIT_SIGNING_KEY", default=str(VAR_DIR / "audit" / "signing-key.pem") if DEBUG else "")
# Public keys (raw in base64, or PEM; values or file paths) whose checkpoints are believed besides the
# signing key's own: keep each retired key's public key here after a rotation.
AUDIT_PUBLIC_KEYS = env.list("AUDIT_PUBLIC_KEYS", default=[])
# Each checkpoint is also a file here (outside the database; inspectors download it too) and a mail here.
AUDIT_CHECKPOINT_DIR = Path(env.str("AUDIT_CHECKPOINT_DIR", default=str(VAR_DIR / "audit" / "checkpoints")))
AUDIT_CHECKPOINT_EMAIL = env.list("AUDIT_CHECKPOINT_EMAIL", default=[])
