"""zhuqi settings: one module, read from environment variables with typed helpers.

Sensible defaults make `make demo` work with nothing set: SQLite under ./var, background work run
in-process, e-mail and SMS printed to the console. `DJANGO_ENV=production` switches on the
hardened settings that `check --deploy` inspects.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("ZHUQI_HOME", Path.cwd()))


def env_str(name: str, default: str = "") -> str:
    """A string from the environment, or from the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


class SettingError(RuntimeError):
    """An environment variable holds a value its setting cannot take: start-up stops."""


def env_bool(name: str, default: bool = False) -> bool:
    """`true` or `false` (any case); unset or empty gives the default. Anything else (`1`, `yes`,
    `ture`) stops start-up: a mistyped switch must not silently mean "off"."""
    value = env_str(name, "").strip().lower()
    if not value:
        return default
    if value not in {"true", "false"}:
        raise SettingError(f"{name} must be true or false, not {value!r}")
    return value == "true"


def env_int(name: str, default: int) -> int:
    value = env_str(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SettingError(f"{name} must be a whole number, not {value!r}") from None


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """One of `choices`; anything else stops start-up (a mistyped `DJANGO_ENV=prod` must not
    start a production server with development settings)."""
    value = env_str(name, "").strip() or default
    if value not in choices:
        raise SettingError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name, "")
    return [v.strip() for v in value.split(",") if v.strip()] if value else default


def env_networks(name: str) -> list[str]:
    """Comma-separated addresses or networks (`10.0.0.5,192.168.10.0/24`); a typo stops start-up."""
    networks = env_list(name, [])
    for net in networks:
        try:
            ipaddress.ip_network(net, strict=False)
        except ValueError:
            raise SettingError(f"{name}: {net!r} is not an address or network") from None
    return networks


DJANGO_ENV = env_choice("DJANGO_ENV", ("development", "production"), "development")
PRODUCTION = DJANGO_ENV == "production"

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise SettingError("SECRET_KEY (or SECRET_KEY_FILE) must be set when DJANGO_ENV=production")
    SECRET_KEY = "zhuqi-development-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105

DEBUG = env_bool("DEBUG", not PRODUCTION)
# With DEBUG on, Django's English technical 404/500 pages only when asked for (a developer);
# otherwise the product's Chinese error pages (core.errors), as in production.
ZHUQI_TECHNICAL_ERRORS = env_bool("ZHUQI_TECHNICAL_ERRORS", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Behind the reverse proxy (docs/operations.md) REMOTE_ADDR is the proxy's address: with this on,
# the audit log and the login lockout take the client's address from the first X-Forwarded-For
# entry instead. Turn it on only when the proxy sets that header itself (clients can forge it).
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_prometheus",
    "zhuqi.core",
    "zhuqi.enterprises",
    "zhuqi.assistance",
    "zhuqi.cases",
    "zhuqi.projects",
    "zhuqi.indicators",
    "zhuqi.mu",
    "zhuqi.attraction",
    "zhuqi.oversight",
    "zhuqi.cockpit",
    "zhuqi.policies",
    "zhuqi.scale",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # request count and latency (/metrics)
    "django.middleware.security.SecurityMiddleware",
    "zhuqi.core.errors.ErrorPagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhuqi.core.middleware.SlidingSessionMiddleware",  # the idle limit without a write per request
    "zhuqi.core.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "zhuqi.core.params.StripNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "zhuqi.core.middleware.SecondFactorMiddleware",
    "zhuqi.core.middleware.ForcePasswordChangeMiddleware",
    "zhuqi.core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "zhuqi.urls"
WSGI_APPLICATION = "zhuqi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "zhuqi.core.context_processors.shell",
            ],
        },
    },
]

# Database: DATABASE_URL switches to PostgreSQL; SQLite under ./var is the embedded default.
DEFAULT_SQLITE = PROJECT_DIR / "var" / "zhuqi.sqlite3"
if not env_str("DATABASE_URL"):
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # JIT compiles every aggregate over a few hundred thousand rows (~80 ms per query here):
    # a loss for the short figures and board queries this platform runs (bench/RESULTS.md)
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=" + env_str("PG_JIT", "off"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "zhuqi.core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhuqi.core.passwords.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions expire after a working day of inactivity, and when the browser closes. The expiry
# moves at most every SESSION_REFRESH_SECONDS (core.middleware.SlidingSessionMiddleware), not
# with a write on every request.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 300)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Login lockout (django-axes): 5 failures lock the username+address pair for 30 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "zhuqi.core.middleware.client_ip"  # the audit log's address rule

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = PROJECT_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(PROJECT_DIR / "var" / "media")))

# The audit log's checkpoints (docs/operations.md, "Audit log"): the chain head written at a fixed
# interval and at every `zhuqi audit verify` to a sink the database role cannot rewrite (an
# append-only file on another volume, and/or syslog), signed with a key kept outside the database.
ZHUQI_AUDIT_CHECKPOINT_FILE = env_str(
    "ZHUQI_AUDIT_CHECKPOINT_FILE", str(PROJECT_DIR / "var" / "audit-checkpoints.jsonl")
)
ZHUQI_AUDIT_SYSLOG = env_bool("ZHUQI_AUDIT_SYSLOG", False)
ZHUQI_AUDIT_KEY = env_str("ZHUQI_AUDIT_KEY", "")  # or ZHUQI_AUDIT_KEY_FILE; unset: derived from SECRET_KEY
ZHUQI_AUDIT_CHECKPOINT_EVERY = env_int("ZHUQI_AUDIT_CHECKPOINT_EVERY", 600)  # seconds
ZHUQI_AUDIT_CHAIN_GRACE = env_int("ZHUQI_AUDIT_CHAIN_GRACE", 3600)  # seconds an entry may stay unlinked
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Excel imports: from this many rows on, a confirmed import runs as a background task with a
# progress page (core.imports, core.tasks.run_import).
ZHUQI_IMPORT_BACKGROUND_ROWS = env_int("ZHUQI_IMPORT_BACKGROUND_ROWS", 2000)

# Excel exports of list pages (core.exports): above this many rows the file is written by a
# background task with a progress page and an inbox message when it is ready; no file holds more
# than ZHUQI_EXPORT_MAX_ROWS rows (the page says when rows were cut). Files live in
# ZHUQI_EXPORT_DIR (default <project>/var/exports) for 7 days.
ZHUQI_EXPORT_BACKGROUND_ROWS = env_int("ZHUQI_EXPORT_BACKGROUND_ROWS", 5000)
ZHUQI_EXPORT_MAX_ROWS = env_int("ZHUQI_EXPORT_MAX_ROWS", 200_000)
ZHUQI_EXPORT_DIR = os.environ.get("ZHUQI_EXPORT_DIR", "")

# Excel import limits (core.excel.Importer.read, the one reader of every import): the upload's
# size, the workbook's unpacked size and per-part compression ratio (zip bombs), rows, columns
# and characters in one cell. A file over a limit is refused with a message naming the limit.
ZHUQI_IMPORT_MAX_BYTES = env_int("ZHUQI_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
ZHUQI_IMPORT_MAX_UNZIPPED_BYTES = env_int("ZHUQI_IMPORT_MAX_UNZIPPED_BYTES", 100 * 1024 * 1024)
ZHUQI_IMPORT_MAX_ZIP_RATIO = env_int("ZHUQI_IMPORT_MAX_ZIP_RATIO", 100)
ZHUQI_IMPORT_MAX_ROWS = env_int("ZHUQI_IMPORT_MAX_ROWS", 200_000)
ZHUQI_IMPORT_MAX_COLUMNS = env_int("ZHUQI_IMPORT_MAX_COLUMNS", 100)
ZHUQI_IMPORT_MAX_CELL_CHARS = env_int("ZHUQI_IMPORT_MAX_CELL_CHARS", 5000)

# Attachments: size and type limits (bytes; lower-case extensions).
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
ATTACHMENT_EXTENSIONS = env_list(
    "ATTACHMENT_EXTENSIONS",
    [
        "jpg",
        "jpeg",
        "png",
        "gif",
        "webp",
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "txt",
        "zip",
        "ofd",
    ],
)
# Who sends an attachment's bytes once the download view has checked the viewer's scope
# (core.sendfile): `off`, Django streams the file; `nginx`, an `X-Accel-Redirect` to the internal
# location ZHUQI_SENDFILE_PREFIX (mapped to MEDIA_ROOT); `xsendfile`, an `X-Sendfile` header
# naming the path on disk (Apache mod_xsendfile, lighttpd). docs/operations.md.
ZHUQI_SENDFILE = env_choice("ZHUQI_SENDFILE", ("off", "nginx", "xsendfile"), "off")
ZHUQI_SENDFILE_PREFIX = env_str("ZHUQI_SENDFILE_PREFIX", "/protected-media/")
if not (ZHUQI_SENDFILE_PREFIX.startswith("/") and ZHUQI_SENDFILE_PREFIX.endswith("/")):
    raise SettingError(f"ZHUQI_SENDFILE_PREFIX must begin and end with /, not {ZHUQI_SENDFILE_PREFIX!r}")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Background work: in-process unless REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged when it ends, not when a worker takes it: a worker killed in the middle
# (OOM, a restart, a power cut) leaves the message in Redis, and another worker runs it again once
# the visibility timeout has passed (CELERY_VISIBILITY_TIMEOUT seconds; longer than the longest
# task, or a task still running would be started a second time). Every task is safe to run twice:
# the sweeps change a row only if it still needs the change, an import claims its job under a
# database lock and is all or nothing, notification delivery claims each message before sending
# it. docs/operations.md §"When a worker dies".
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed pool process: the task goes back at once
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a worker holds one unstarted task per process, not four
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
}
# Periodic jobs (celery beat). Each is also a management command for cron:
# `zhuqi sweep_cases`, `zhuqi visit_reminders`, `zhuqi projects_sweep` (`--rollups-only`), `zhuqi attraction_sweep`,
# `zhuqi indicator_rollups`.
CELERY_BEAT_SCHEDULE = {
    "cases-sweep": {"task": "zhuqi.cases.tasks.sweep_cases", "schedule": 300.0},
    "oversight-sweep": {"task": "zhuqi.oversight.tasks.sweep_items", "schedule": 3600.0},
    "audit-chain": {"task": "zhuqi.core.tasks.chain_audit", "schedule": 60.0},
    # the dispatch view's sums of the indicator values written since (indicators/rollups.py)
    "indicators-rollups": {"task": "zhuqi.indicators.tasks.refresh_rollups", "schedule": 60.0},
    # marks beat (as it sends) and a worker (as it runs) alive for /healthz and /metrics
    "heartbeat": {"task": "zhuqi.core.tasks.heartbeat", "schedule": 60.0},
    "visit-reminders": {
        "task": "assistance.visit_reminders",
        "schedule": crontab(hour=8, minute=30),
    },
    "oversight-calendar-reminders": {
        "task": "zhuqi.oversight.tasks.calendar_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # 重点项目汇总: the marked pairs of the cockpit's project sums (projects/rollups.py)
    "projects-rollups": {"task": "zhuqi.projects.tasks.refresh_rollups", "schedule": 300.0},
    "project-approvals-sweep": {
        "task": "zhuqi.projects.tasks.sweep_overdue_approvals",
        "schedule": crontab(hour=7, minute=0),
    },
    "attraction-sweep": {
        "task": "zhuqi.attraction.tasks.sweep",
        "schedule": crontab(hour=8, minute=0),
    },
}

# Bulletins (通报) in Word and PDF (oversight.bulletin; src/zhuqi/docs/oversight.md §4): the fonts
# named in the document, by role. GB/T 9704-2012 names 方正小标宋 and 仿宋_GB2312; a deployment
# whose computers have other licensed fonts names them here. The PDF renders with these names
# first and then the packaged free fonts (Noto Serif/Sans CJK SC, fonts-noto-cjk).
ZHUQI_BULLETIN_FONTS = {
    "title": env_str("ZHUQI_BULLETIN_FONT_TITLE", "方正小标宋简体"),
    "body": env_str("ZHUQI_BULLETIN_FONT_BODY", "仿宋_GB2312"),
    "heading1": env_str("ZHUQI_BULLETIN_FONT_HEADING1", "黑体"),
    "heading2": env_str("ZHUQI_BULLETIN_FONT_HEADING2", "楷体_GB2312"),
    "number": env_str("ZHUQI_BULLETIN_FONT_NUMBER", "宋体"),
}

# `zhuqi backup` writes here unless given --to (core.backup; docs/operations.md "Backup and restore").
ZHUQI_BACKUP_DIR = env_str("ZHUQI_BACKUP_DIR", str(PROJECT_DIR / "var" / "backups"))

# Health and metrics (core.health, core.metrics; docs/operations.md "Health and metrics").
# /healthz calls the worker or beat dead when its heartbeat (core.heartbeat, sent every minute)
# is older than this many seconds.
ZHUQI_HEARTBEAT_STALE = env_int("ZHUQI_HEARTBEAT_STALE", 300)
# /metrics answers a request with `Authorization: Bearer <token>`, or one from these addresses or
# networks (e.g. `10.0.0.5,192.168.10.0/24`) that did not come through the reverse proxy;
# everyone else, and everyone while both are unset, gets 404.
ZHUQI_METRICS_TOKEN = env_str("ZHUQI_METRICS_TOKEN", "")  # or ZHUQI_METRICS_TOKEN_FILE
ZHUQI_METRICS_ALLOW = env_networks("ZHUQI_METRICS_ALLOW")

# The address people reach zhuqi at, for links sent outside it (the one-time 回访 link in SMS or
# WeChat): scheme and host, no trailing slash.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How long a one-time link that sets a password stays valid (an enterprise account's
# activation, a forgotten password's reset), in seconds; it also stops working once used.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 72 * 3600)

# Outbound notification channels (dotted paths). Console by default.
NOTIFY_CHANNELS = env_list("NOTIFY_CHANNELS", ["zhuqi.core.channels.ConsoleChannel"])
NOTIFY_SMS_WEBHOOK = env_str("NOTIFY_SMS_WEBHOOK", "")
NOTIFY_IM_WEBHOOK = env_str("NOTIFY_IM_WEBHOOK", "")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "zhuqi@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)

# Two-factor: TOTP is required for system administrators when this is on (always in production).
ZHUQI_ADMIN_2FA = env_bool("ZHUQI_ADMIN_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "zhuqi 助企"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "zhuqi.core.paging.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "zhuqi.core.drf.JSONParser",
        "zhuqi.core.drf.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "zhuqi.core.openapi.AutoSchema",  # declares the error answers too
    "EXCEPTION_HANDLER": "zhuqi.core.drf.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "zhuqi 助企 API",
    "DESCRIPTION": "REST API of the zhuqi platform. Every response is limited to the caller's data scope.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `kind` or `role`; give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "zhuqi.core.models.Role",
        "RegionKindEnum": "zhuqi.core.models.Region.Kind",
        "DepartmentKindEnum": "zhuqi.core.models.Department.Kind",
        "AssignmentRoleEnum": "zhuqi.assistance.models.AssignmentRole",
        "VisitKindEnum": "zhuqi.assistance.models.Visit.Kind",
        "MeetingKindEnum": "zhuqi.assistance.models.Meeting.Kind",
        "PeriodEnum": "zhuqi.assistance.models.Period",
        "EnterpriseListKindEnum": "zhuqi.enterprises.models.EnterpriseList.Kind",
        "IndustryLevelEnum": "zhuqi.enterprises.models.Industry.Level",
        "ProjectStageEnum": "zhuqi.projects.models.Stage",
        "MuKlassEnum": "zhuqi.mu.models.Klass",
        "ProjectKindEnum": "zhuqi.projects.models.Project.Kind",
        "ProjectLevelEnum": "zhuqi.projects.models.Project.Level",
        "CaseStatusEnum": "zhuqi.cases.models.Status",
    },
}

# Content-Security-Policy: everything from our own origin; no CDN exists on an intranet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # the load balancer's probe and the Prometheus scrape reach gunicorn over plain HTTP
    SECURE_REDIRECT_EXEMPT = [r"^healthz(/web)?$", r"^metrics$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")},
}
