"""One settings module for development, tests and production; everything that
differs between them comes from the environment (see README, "Settings")."""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Where the embedded default keeps its files (SQLite database, Celery queue).
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment; otherwise one generated once and kept
    in VAR_DIR (readable by its owner only), shared by every process on the host."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()

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
    "hotline",
    "communities",
    "cases",
    "attachments",
    "rankings",
    "supervision",
    "knowledge",
    "governance",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hotline.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hotline.urls"
WSGI_APPLICATION = "hotline.wsgi.application"
ASGI_APPLICATION = "hotline.asgi.application"

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
                "communities.context_processors.person",
                "supervision.context_processors.notifications",
                "supervision.context_processors.emergencies",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'hotline.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: WAL lets the web server, the Celery worker and
    # readers work side by side; writers wait instead of failing at once.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, for tests: the live server, threads and Celery
    # workers of the tests see the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The hotspots group a window of cases by caller and category (tens of thousands of
    # groups at a million cases): PostgreSQL's default 4 MB sorts them on disk; 32 MB
    # hashes them in memory (a per-operation cap, not a reservation).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c work_mem={os.environ.get('DB_WORK_MEM', '32MB')}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
# Hashed, compressed files once `collectstatic` has run (production); until
# then (development, tests) the files are served straight from static/.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
COLLECTED = (STATIC_ROOT / "staticfiles.json").exists()
STORAGES: dict[str, dict] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not COLLECTED

# Attachments (README "Attachments"): never under MEDIA_URL, only served by the
# scoped view. The file system under VAR_DIR by default; an S3-compatible store
# (django-storages, which needs boto3) when ATTACHMENTS_S3_BUCKET is set.
ATTACHMENTS_DIR = Path(os.environ.get("ATTACHMENTS_DIR", VAR_DIR / "attachments"))
if os.environ.get("ATTACHMENTS_S3_BUCKET"):
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["ATTACHMENTS_S3_BUCKET"],
            "endpoint_url": os.environ.get("ATTACHMENTS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("ATTACHMENTS_S3_REGION") or None,
            "access_key": os.environ.get("ATTACHMENTS_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("ATTACHMENTS_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("ATTACHMENTS_S3_PREFIX", "attachments"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    STORAGES["attachments"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(ATTACHMENTS_DIR), "file_permissions_mode": 0o600},
    }
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_MB", "10")) * 1024 * 1024
ATTACHMENT_MAX_PER_CASE = int(os.environ.get("ATTACHMENT_MAX_PER_CASE", "20"))
# Larger images are refused before they are decoded (decompression bombs).
ATTACHMENT_MAX_PIXELS = int(os.environ.get("ATTACHMENT_MAX_PIXELS", str(50_000_000)))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating reverse proxy (README, "Production deployment").
if env_bool("TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
# Addresses (or networks) of the reverse proxies whose X-Forwarded-For is
# believed for the client's address (login throttling); empty: REMOTE_ADDR.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Sent on every page and API answer (hotline.middleware). No inline script
# anywhere: every script is a file under static/. Inline style attributes are
# still used by templates and by ECharts/htmx, so styles allow 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Login throttling: lock a username/IP pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_LOCKOUT_CALLABLE = "communities.views.lockout"  # a Chinese lockout page
# The client's address as TRUSTED_PROXIES allows (else every client behind the
# proxy would share its address and lock each other out).
AXES_CLIENT_IP_CALLABLE = "hotline.client_address.client_ip"

# Days an API token stays valid; a password change or deactivation revokes it sooner.
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token class first: its "WWW-Authenticate: Token" makes a call
        # without credentials answer 401 (not 403).
        "communities.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "hotline.api.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "hotline.api.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "hotline.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hotline.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "接诉即办 API",
    "DESCRIPTION": "Street-office case management for the 12345 hotline.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are for the office's users and scripts, not the public.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # One schema name per choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "cases.transitions.Status",
        "SatisfactionEnum": "cases.models.Satisfaction",
        "ExclusionReasonEnum": "cases.models.ExclusionReason",
        "ImportJobStatusEnum": "cases.intake.models.ImportJob.Status",
        "ChannelEnum": "cases.models.Channel",
        "CommunityChannelEnum": "cases.models.COMMUNITY_CHANNELS",
        "CouncilMemberKindEnum": "governance.models.councils.MemberKind",
        # 吹哨 meetings (governance.meetings_api)
        "MeetingStatusEnum": "governance.meetings_transitions.MeetingStatus",
        "PartyKindEnum": "governance.models.meetings.PartyKind",
        "OrganisationKindEnum": "governance.models.meetings.OrganisationKind",
        # Governance projects.
        "ProjectKindEnum": "governance.models.projects.ProjectKind",
        "ProjectStatusEnum": "governance.projects_transitions.ProjectStatus",
        "ProjectActionEnum": "governance.projects_transitions.ProjectAction",
        "CaseActionEnum": "cases.transitions.Action",
        "ArticleKindEnum": "knowledge.models.ArticleKind",
        "SlipCloseReasonEnum": "governance.models.slips.SlipCloseReason",
        # A milestone and a meeting decision share one choice set (未完成 / 已完成): one name.
        "OpenDoneStatusEnum": "governance.projects_transitions.MilestoneStatus",
        "MilestoneActionEnum": "governance.projects_transitions.MilestoneAction",
    },
}

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport,
# so the embedded default runs a real worker and beat with no external server.
# Days an uploaded 12345 file (every caller's name and phone) is kept.
INTAKE_FILE_RETENTION_DAYS = int(os.environ.get("INTAKE_FILE_RETENTION_DAYS", "90"))
# Days of a compound's cases shown beside a case (the caller's context, cases.context).
CASE_CONTEXT_COMPOUND_DAYS = int(os.environ.get("CASE_CONTEXT_COMPOUND_DAYS", "90"))

REDIS_URL = os.environ.get("REDIS_URL", "")
# Django's cache (rate limits of the public pages): Redis when REDIS_URL is
# set, shared by every web process; otherwise each process's own memory.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

# The public 急难愁盼 slip page (governance): slips and status look-ups each
# client address may send per hour (0: no limit).
SLIP_RATE_PER_HOUR = int(os.environ.get("SLIP_RATE_PER_HOUR", "5"))
SLIP_STATUS_RATE_PER_HOUR = int(os.environ.get("SLIP_STATUS_RATE_PER_HOUR", "20"))
# Each of a slip's photos (at most three), before it is re-encoded.
SLIP_PHOTO_MAX_BYTES = int(os.environ.get("SLIP_PHOTO_MAX_MB", "5")) * 1024 * 1024
CELERY_QUEUE_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND: str | None = REDIS_URL
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = None
    for folder in ("queue", "processed", "control"):
        (CELERY_QUEUE_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_error_without_traceback": {"()": "hotline.log_filters.ClientErrorWithoutTraceback"},
        "redact_tokens": {"()": "hotline.log_filters.RedactTokens"},
    },
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # runserver's access log, as Django's default, with display tokens redacted.
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["client_error_without_traceback", "redact_tokens"]},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# How often every staff page asks for the bell's unread count (seconds).
NOTIFICATION_POLL_SECONDS = int(os.environ.get("NOTIFICATION_POLL_SECONDS", "20"))
# The supervision group's records (supervision.orders, .checks, .rechecks).
# A 不满意 callback's 二次督办 is due this many working days after the callback.
SUPERVISION_SECOND_ORDER_WORKING_DAYS = int(os.environ.get("SUPERVISION_SECOND_ORDER_WORKING_DAYS", "2"))
# The daily check proposes replies shorter than this many characters.
SUPERVISION_SHORT_REPLY_CHARS = int(os.environ.get("SUPERVISION_SHORT_REPLY_CHARS", "15"))
# 回头看: this percentage of last week's closed cases, and at least this many.
SUPERVISION_RECHECK_PERCENT = int(os.environ.get("SUPERVISION_RECHECK_PERCENT", "5"))
SUPERVISION_RECHECK_MINIMUM = int(os.environ.get("SUPERVISION_RECHECK_MINIMUM", "5"))
# Outbound notifications (supervision.channels). Links in messages start with SITE_URL.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# E-mail over SMTP when EMAIL_HOST is set; otherwise written as files to var/mail/
# (the embedded default needs no mail server).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hotline@localhost")
EMAIL_TIMEOUT = 10

# Similar cases (cases.similarity): how many days apart two complaints at the
# same compound or address may be, and the lowest text score shown as a likely
# duplicate (0..1; README "Community intake and similar cases").
SIMILAR_CASE_DAYS = int(os.environ.get("SIMILAR_CASE_DAYS", "30"))
SIMILAR_CASE_MIN_SCORE = float(os.environ.get("SIMILAR_CASE_MIN_SCORE", "0.2"))
