"""Samverkan settings: everything comes from the environment (see README, "Inställningar").

A fresh clone runs with no configuration at all: SQLite under the data folder, in-process
background jobs, Swedish interface. Production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS,
HTTPS=true and JOBS_BACKEND=celery.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from samverkan.lib.env import (
    SettingError,
    env_bool,
    env_caches,
    env_choice,
    env_image,
    env_int,
    env_list,
    env_str,
    env_tile_url,
    env_url,
)

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data"))).resolve()

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 50:
            raise SettingError("SECRET_KEY must be at least 50 characters long")
        return key
    # Embedded default: a random key kept in the data folder so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "samverkan.accounts",
    "samverkan.jobs",
    "samverkan.partnerships",
    "samverkan.process",
    "samverkan.mapping",
    "samverkan.problems",
    "samverkan.documents",
    "samverkan.implementation",
    "samverkan.followup",
    "samverkan.fieldwork",
    "samverkan.api",
    "samverkan.operations",
    "samverkan.learning",
]

MIDDLEWARE = [
    # First: a body over MAX_UPLOAD_MB is refused before anything reads it.
    "samverkan.lib.upload_limit.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "samverkan.lib.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "samverkan.lib.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Unverified sessions of users who need a second factor reach only the code and
    # enrolment pages (accounts.two_factor).
    "samverkan.accounts.middleware.TwoFactorMiddleware",
    "samverkan.accounts.middleware.AuditUserMiddleware",
    # Logging out takes field-report drafts and the form's offline copy off the device.
    "samverkan.fieldwork.middleware.ClearDraftsOnLogoutMiddleware",
]

ROOT_URLCONF = "samverkan.urls"
WSGI_APPLICATION = "samverkan.wsgi.application"
ASGI_APPLICATION = "samverkan.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "samverkan.learning.context_processors.menu",
            ],
        },
    }
]

# Database: SQLite file in the data folder unless DATABASE_URL says otherwise.
_default_db = f"sqlite:///{DATA_DIR / 'samverkan.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _default_db)
if not DATABASE_URL.startswith(("sqlite:", "postgres:", "postgresql:")):
    raise SettingError("DATABASE_URL must be a sqlite:// or postgres:// URL")
# SQLite: WAL lets pages read while a job writes; a writer waits for another writer's
# transaction (a long import holds one) up to the busy timeout instead of failing at once with
# "database is locked". IMMEDIATE takes the write lock when a transaction begins, so a waiting
# writer never has to give up half-way (no deadlock between two upgrading readers).
SQLITE_BUSY_TIMEOUT_SECONDS = env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 60, minimum=1)
SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}; "
        # Only in shared-cache mode (the in-memory database the browser tests share between
        # the live server and the jobs) does a reader take table locks, and then it fails at
        # once with "table is locked" while a job writes; a database file ignores this.
        "PRAGMA read_uncommitted=1;"
    ),
    "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
    "transaction_mode": "IMMEDIATE",
}
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    # Answers only on the single sign-on callback, and only when OIDC_ENABLED (accounts.oidc).
    "samverkan.accounts.oidc.SamverkanOIDCBackend",
]
LOGIN_REDIRECT_URL = "partnerships:list"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login rate limit inside the window (see accounts/throttle.py): tries per account from one
# address, per account from all addresses together, and per address for all accounts.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_MAX_FAILURES_PER_ACCOUNT = env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 50, minimum=1)
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 50, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=60)
# How many reverse proxies (load balancer, nginx) stand in front of the app and append to
# X-Forwarded-For. 0: the client is REMOTE_ADDR and X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# Single sign-on with OpenID Connect (accounts/oidc.py; README "Enkel inloggning"). Off unless
# OIDC_ENABLED=true; then the client and the provider's issuer must be given (system checks in
# accounts/checks.py). The endpoints come from the provider's discovery document
# (OIDC_OP_DISCOVERY_URL, or the issuer's /.well-known/openid-configuration); an endpoint set
# here wins over the document's, and when every one is set the document is not read.
OIDC_ENABLED = env_bool("OIDC_ENABLED", False)
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "kommunens inloggning").strip()
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID").strip()
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET").strip()
# The ID token's issuer ("iss"): always checked, exactly as written (a trailing slash counts).
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER").strip()
OIDC_OP_DISCOVERY_URL = env_str("OIDC_OP_DISCOVERY_URL").strip()
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT").strip()
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT").strip()
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT").strip()
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT").strip()
OIDC_OP_END_SESSION_ENDPOINT = env_str("OIDC_OP_END_SESSION_ENDPOINT").strip()
OIDC_RP_SIGN_ALGO = env_choice(
    "OIDC_RP_SIGN_ALGO", "RS256", ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
)
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile").strip()
# The claim that identifies the person for good (the link to an account is issuer + this),
# and the claim that names a new account (only with OIDC_CREATE_USERS; never used to find one).
OIDC_SUBJECT_CLAIM = env_str("OIDC_SUBJECT_CLAIM", "sub").strip()
OIDC_USERNAME_CLAIM = env_str("OIDC_USERNAME_CLAIM", "preferred_username").strip()
# true: a person the provider lets through with no link gets a new account (never an existing
# one with the same name).
OIDC_CREATE_USERS = env_bool("OIDC_CREATE_USERS", False)
# true: the provider's own second factor (amr mfa, otp, hwk ...) counts as the account's
# second factor. Off: an account with an authenticator app gives its code after every sign-in.
OIDC_TRUST_PROVIDER_MFA = env_bool("OIDC_TRUST_PROVIDER_MFA", False)
# true: signing out after a single sign-on also ends the session at the provider
# (RP-initiated logout, its end_session_endpoint), and the provider sends the browser back.
OIDC_LOGOUT_AT_PROVIDER = env_bool("OIDC_LOGOUT_AT_PROVIDER", False)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False  # mozilla-django-oidc's own rule; ours is OIDC_CREATE_USERS
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
if OIDC_ENABLED:
    for _name in (
        "OIDC_OP_ISSUER",
        "OIDC_OP_DISCOVERY_URL",
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
        "OIDC_OP_END_SESSION_ENDPOINT",
    ):
        if globals()[_name]:
            env_url(_name, "")
    if not OIDC_USERNAME_CLAIM or not OIDC_SUBJECT_CLAIM:
        raise SettingError("OIDC_USERNAME_CLAIM and OIDC_SUBJECT_CLAIM must not be empty")
    if "openid" not in OIDC_RP_SCOPES.split():
        raise SettingError(f"OIDC_RP_SCOPES={OIDC_RP_SCOPES!r} must include openid")

# Two-factor codes (django-otp, TOTP): the name authenticator apps show for the account.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Samverkan").strip()

# Sessions end after a working day, and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

HTTPS = env_bool("HTTPS", False)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("Engelska"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files (signed decisions, minutes) are served only through views that check access.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "uploads")))
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 20, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Background jobs: "inprocess" runs them on a thread pool inside the web process (embedded
# default); "celery" sends them to Celery workers through the broker (production).
JOBS_BACKEND = env_choice("JOBS_BACKEND", "inprocess", ("inprocess", "celery"))
# A queued or running job older than this is failed (its process is gone or it hangs).
JOBS_TIMEOUT_MINUTES = env_int("JOBS_TIMEOUT_MINUTES", 120, minimum=1)
# /halsa/ asks the Celery workers at most this often per web process (seconds).
HEALTH_WORKER_CACHE_SECONDS = env_int("HEALTH_WORKER_CACHE_SECONDS", 10, minimum=0)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
# The cache holds the API's request counts per token (the rate limit) and map data. Each
# process has its own unless CACHE_URL names a Redis shared by all of them: set it in
# production, where gunicorn runs several processes (e.g. redis://127.0.0.1:6379/1).
CACHES = env_caches("CACHE_URL")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "samverkan@localhost")

# Public statistics APIs read by `manage.py fetch_statistics`; point them at a mirror or a
# test server when needed. Kolada's API v2, and SCB's PxWebApi v1 table BE0101N1
# (population per region and year, BefolkningNy).
KOLADA_API_URL = env_url("KOLADA_API_URL", "https://api.kolada.se/v2")
SCB_POPULATION_API_URL = env_url(
    "SCB_POPULATION_API_URL",
    "https://api.scb.se/OV0104/v1/doris/sv/ssd/START/BE/BE0101/BE0101A/BefolkningNy",
)
# Polisen's published events (``fetch_statistics polisen``; daily from Celery beat).
POLISEN_EVENTS_URL = env_url("POLISEN_EVENTS_URL", "https://polisen.se/api/events")
STATISTICS_API_TIMEOUT = env_int("STATISTICS_API_TIMEOUT", 30, minimum=1)

# The API's rate limit per token: at most API_RATE_LIMIT requests in each window of
# API_RATE_WINDOW_SECONDS (0 turns it off); over it, 429 with Retry-After. Counted in the
# default cache: set a shared cache in production so every worker counts the same requests.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600, minimum=0)
API_RATE_WINDOW_SECONDS = env_int("API_RATE_WINDOW_SECONDS", 60, minimum=1)

# Webhooks (api/webhooks.py): a POST to a registered address when a document version is issued
# or a decision registered. Only https unless WEBHOOK_ALLOW_HTTP (or DEBUG); never to an
# address that resolves to a private, loopback, link-local or otherwise internal network
# unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES (a receiver inside the kommun's own network).
# A failed delivery is tried again after WEBHOOK_RETRY_SECONDS, then five times as long each
# time (at most 12 hours between tries), WEBHOOK_MAX_ATTEMPTS tries in all.
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", False)
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6, minimum=1)
WEBHOOK_RETRY_SECONDS = env_int("WEBHOOK_RETRY_SECONDS", 60, minimum=1)

# Harvesting other instances' catalogues (learning/harvest.py) uses the same guard as webhooks:
# only https unless HARVEST_ALLOW_HTTP (or DEBUG), never an internal address unless
# HARVEST_ALLOW_PRIVATE_ADDRESSES (another instance inside the same network).
HARVEST_ALLOW_HTTP = env_bool("HARVEST_ALLOW_HTTP", False)
HARVEST_ALLOW_PRIVATE_ADDRESSES = env_bool("HARVEST_ALLOW_PRIVATE_ADDRESSES", False)

# Counts below this are suppressed in anything shared (statistical disclosure control).
SMALL_COUNT_THRESHOLD = env_int("SMALL_COUNT_THRESHOLD", 5, minimum=1)

# The sender's logo on the cover of every document (PDF and Word): a PNG or JPEG file, or
# unset for none. The sender's name is always printed; the logo is the municipality's own.
DOCUMENT_LOGO = env_image("DOCUMENT_LOGO")

# PDFs kept per process for markup printed again unchanged (documents/render.py); 0 turns the
# cache off. A lägesbild is a few hundred kilobytes.
DOCUMENT_PDF_CACHE_SIZE = env_int("DOCUMENT_PDF_CACHE_SIZE", 16, minimum=0)

# Where the public reports an accessibility problem in a published document or page: an
# e-mail address or a web address, shown on the accessibility statement (/tillganglighet/).
ACCESSIBILITY_CONTACT = env_str("ACCESSIBILITY_CONTACT", "")

# Background map for the incident map: a tile URL template, or empty for none. Without tiles
# the map still draws the area boundary, hot spots and places on a plain background, so a
# fresh clone contacts no outside server. Tile services require their attribution.
MAP_TILE_URL = env_tile_url("MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "").strip()
if MAP_TILE_URL and not MAP_TILE_ATTRIBUTION:
    raise SettingError(
        "MAP_TILE_ATTRIBUTION must be set when MAP_TILE_URL is, "
        "e.g. MAP_TILE_ATTRIBUTION='© OpenStreetMap contributors'"
    )
if len(MAP_TILE_ATTRIBUTION) > 300:
    raise SettingError("MAP_TILE_ATTRIBUTION is longer than 300 characters")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports each layout step at INFO; keep the logs for what matters.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
