"""Consulta's one settings file. Everything that differs between machines comes from the environment.

DATABASE_URL   database; a SQLite file `consulta.sqlite3` in CONSULTA_HOME when unset,
               PostgreSQL (postgres://user@host:5432/name) in production.
SECRET_KEY     required when DEBUG is off; with DEBUG on and no key, one is generated once
               and kept in CONSULTA_HOME/.consulta-secret-key.
DEBUG          1/0, default 0.
ALLOWED_HOSTS  comma-separated host names; default loopback only.
EMAIL_BACKEND  a Django mail backend path; default SMTP (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
               EMAIL_HOST_PASSWORD, EMAIL_USE_TLS), console output when DEBUG is on.
SITE_URL       the public address, used in e-mails and calendar files; default http://127.0.0.1:8000.
CONSULTA_HOME  folder for local state (SQLite file, generated secret); default the working directory.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from consulta.lib.env import BadSetting, env_bool, env_int, env_list, stored_secret

BASE_DIR = Path(__file__).resolve().parent
HOME_DIR = Path(os.environ.get("CONSULTA_HOME") or Path.cwd()).resolve()

try:
    DEBUG = env_bool("DEBUG", False)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
except BadSetting as problem:
    raise ImproperlyConfigured(str(problem)) from None

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (production). "
            "For a local trial run `consulta demo`, which turns DEBUG on."
        )
    SECRET_KEY = stored_secret(HOME_DIR / ".consulta-secret-key")

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{HOME_DIR / 'consulta.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 600),
        # A kept connection is checked before reuse: after a database restart the next
        # request reconnects instead of failing.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, health-checking a kept connection only after it sat idle for
    # DATABASE_HEALTH_CHECK_AFTER_IDLE seconds (consulta/serving/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "consulta.serving.postgresql"
    DATABASES["default"]["HEALTH_CHECK_AFTER_IDLE"] = env_int("DATABASE_HEALTH_CHECK_AFTER_IDLE", 1)
    # An unreachable server fails a request in seconds (503) instead of holding a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # The hottest queries (consulta.lib.compiled) are prepared once per connection; Django's
    # own cursors bind on the client and are never prepared. DATABASE_PREPARED_STATEMENTS=0
    # turns it off, e.g. behind a PgBouncer in transaction mode older than 1.21.
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # Django's admin, whose site asks administrators for a two-factor code (consulta.accounts).
    "consulta.accounts.admin_apps.ConsultaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "consulta.consultations",
    "consulta.meetings",
    "consulta.registrations",
    "consulta.feedback",
    "consulta.revisions",
    "consulta.synthesis",
    "consulta.definitions",
    "consulta.demo",
    "consulta.front",
    "consulta.serving",
    "consulta.access",
    "consulta.api",
    "ninja",
    "consulta.audit",
    "consulta.jobs",
    "django_tasks",
    "django_tasks_db",
    "consulta.accounts",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
]

MIDDLEWARE = [
    # browser_only.*: the middleware of that name, skipped for the REST API (see the module).
    "django.middleware.security.SecurityMiddleware",
    "consulta.serving.static.StaticFilesMiddleware",
    "consulta.serving.middleware.DatabaseUnavailableMiddleware",
    "consulta.serving.page_cache.PublicPageCache",
    "consulta.serving.browser_only.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "consulta.serving.browser_only.ViewerZoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "consulta.serving.browser_only.AuthenticationMiddleware",
    "consulta.serving.browser_only.OTPMiddleware",
    "consulta.audit.middleware.remember_client_address",
    "consulta.serving.browser_only.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "consulta.serving.content_security.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

# Everything a page loads comes from Consulta itself; no inline script runs. Inline style
# attributes stay allowed because the Django admin uses a few.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Served over HTTPS in production: HTTPS=1 (the default when DEBUG is off) turns on secure
# cookies, the redirect to HTTPS and HSTS (HSTS_SECONDS, default one year). A TLS-terminating
# proxy must set X-Forwarded-Proto.
try:
    HTTPS = env_bool("HTTPS", not DEBUG)
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000) if HTTPS else 0
except BadSetting as problem:
    raise ImproperlyConfigured(str(problem)) from None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# Load balancers probe /healthz over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Joining the browsers' HSTS preload list cannot be undone quickly: a deployment decision, not a
# default, so Django's reminder about it is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

ROOT_URLCONF = "consulta.urls"
WSGI_APPLICATION = "consulta.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "consulta.front.context.language_links",
            ],
        },
    },
]

# Organisers get the admin permissions of consulta.permissions.ORGANISER_ADMIN_PERMISSIONS from
# their organiser roles, without groups to maintain (consulta/access/backends.py).
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username before any password is checked (see "Accounts").
    "consulta.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "consulta.access.backends.OrganiserPermissions",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The five languages of the model consultation; content falls back to English.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = HOME_DIR / "static"
# Collected by `consulta serve`, served by WhiteNoise with hashed names, compressed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "consulta.serving.static.StaticFilesStorage"},
}
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

try:
    # Seconds each worker serves anonymous visitors a kept copy of a public page (0: never).
    PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 5)
except BadSetting as problem:
    raise ImproperlyConfigured(str(problem)) from None

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "consulta@localhost")

LOGIN_URL = "admin:login"

SITE_URL = (os.environ.get("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
try:
    # Registration attempts one client (IP address) may make per hour before being refused.
    REGISTRATIONS_PER_CLIENT_PER_HOUR = env_int("REGISTRATIONS_PER_CLIENT_PER_HOUR", 30)
except BadSetting as problem:
    raise ImproperlyConfigured(str(problem)) from None
VIEWER_ZONE_COOKIE = "consulta_tz"

# The largest file an organiser may upload to an importer (feedback answers, Zoom reports).
IMPORT_MAX_BYTES = 5 * 1024 * 1024

# Background jobs (consulta/jobs): a queue in Consulta's own database, run by `consulta worker`.
# A failed attempt is retried after each of these delays (seconds), then shown as failed.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
JOBS_RETRY_DELAYS = (60, 300, 1800, 7200)

# --- Accounts (consulta/accounts): hashing, lock-out, two-factor, sessions ------------------
# Argon2 hashes new passwords; the others only check old hashes, upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# A login lasts at most 8 hours, and ends when the browser closes.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# django-axes: 5 failed logins for one username from one address lock that pair out for 30
# minutes (consulta.accounts.views.locked_out: the same page whether the account exists).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "consulta.accounts.views.locked_out"
# Logs name neither the username nor the address (axes' default, kept on purpose).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address"]
# django-otp: the name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "Consulta"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "consulta.lib.logs.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
