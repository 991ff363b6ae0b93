"""Django settings for the Unstuck web application.

Everything is read from environment variables with defaults that work out of the box on one
machine: an SQLite file in the data folder, DEBUG off, a secret key generated once and kept
in the data folder (never committed).

- ``UNSTUCK_DATA_DIR``: where the SQLite file and the secret key live (default ``./unstuck-data``).
- ``DATABASE_URL``: e.g. ``postgresql://user@127.0.0.1:5432/unstuck`` (default: SQLite).
- ``UNSTUCK_SECRET_KEY``: overrides the generated key.
- ``UNSTUCK_DEBUG``: ``true`` only while developing.
- ``UNSTUCK_ALLOWED_HOSTS``: comma-separated host names (default: localhost names).
- ``UNSTUCK_INSTRUMENTS_DIR``: a folder of the clinic's own instrument definitions.
- ``UNSTUCK_LOCALE_DIR``: the clinic's translations of the client pages' own words.
- ``UNSTUCK_MODELS_FILE``: expected-course models fitted by ``unstuck fit`` (default: shipped).
- ``UNSTUCK_THRESHOLDS_FILE``: the clinic's copy of the detection thresholds (default: shipped).
- ``UNSTUCK_HTTPS``: ``true`` when served over HTTPS: HSTS, redirect to HTTPS, secure cookies.
- ``UNSTUCK_HSTS_SECONDS``: how long browsers keep to HTTPS (default one year, with HTTPS on).
- ``UNSTUCK_SESSION_IDLE_SECONDS``: sign out after this long without a request (default 1800).
- ``UNSTUCK_SESSION_SECONDS``: sign out this long after signing in, whatever (default 8 hours).
- ``UNSTUCK_TRUSTED_PROXIES``: reverse proxies (addresses or networks) whose X-Forwarded-For
  and X-Forwarded-Proto are believed (default: none).
- ``UNSTUCK_LOGIN_FAILURE_LIMIT`` / ``UNSTUCK_LOGIN_ADDRESS_FAILURE_LIMIT`` /
  ``UNSTUCK_LOGIN_LOCKOUT_SECONDS``: sign-in throttling (5 per account, 50 per address, 15 min).
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from csp.constants import NONCE, NONE, SELF

from unstuck.web.env import (
    SettingError,
    data_dir,
    database,
    envbool,
    envhosts,
    envint,
    envnetworks,
    envstr,
    envtimezone,
)
from unstuck.web.storage import private_dir, private_sqlite_file, sqlite_options

DATA_DIR = data_dir()
private_dir(DATA_DIR)  # the database, its backups and the secret key: the service's user only


def _secret_key() -> str:
    given = envstr("UNSTUCK_SECRET_KEY", "")
    if given:
        return given
    path = DATA_DIR / "secret-key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("UNSTUCK_DEBUG", False)
ALLOWED_HOSTS = envhosts("UNSTUCK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "unstuck.web.accounts",
    "unstuck.web.records",
    "unstuck.web.instruments",
    "unstuck.web.reviews",
    "unstuck.web.accounts.apps.SignInProtectionConfig",  # django-axes
    "csp",
    "unstuck.web.portal",
]
INSTALLED_APPS += ["unstuck.web.idempotency"]  # one-time form tokens (saves happen once)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Instruments uploaded through another server process (see records/instruments.py).
    "unstuck.web.records.instruments.FreshInstrumentsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A client page signs staff out before anything else looks at who is signed in.
    "unstuck.web.portal.middleware.ClientPagesSignOutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "unstuck.web.idempotency.once.ReplayMiddleware",  # a form sent twice: see once.py
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "unstuck.web.accounts.signals.AuditRefusedAccessMiddleware",
    "axes.middleware.AxesMiddleware",
    "unstuck.web.security.SessionTimeoutMiddleware",
    "unstuck.web.security.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    # After the headers above, so its redirect carries them too.
    "unstuck.web.accounts.own_password.NewPasswordFirstMiddleware",
]

ROOT_URLCONF = "unstuck.web.urls"
WSGI_APPLICATION = "unstuck.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
# Widgets and empty error lists written in Python, the same HTML as Django's templates.
FORM_RENDERER = "unstuck.web.form_renderer.QuickRenderer"

DATABASES = {"default": database(conn_max_age=envint("UNSTUCK_DB_CONN_MAX_AGE", 60, minimum=0))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several server processes and threads write to one file. WAL lets readers go on while one
    # writer writes; BEGIN IMMEDIATE takes the write lock when a transaction starts, so a
    # transaction never fails half-way upgrading a read lock ("database is locked" at once,
    # which no timeout helps); the busy timeout makes the next writer wait its turn.
    DATABASES["default"].setdefault("OPTIONS", {}).update(sqlite_options())
    private_sqlite_file(Path(DATABASES["default"]["NAME"]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Argon2 first: new and upgraded passwords are stored with it.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "caseload"
LOGOUT_REDIRECT_URL = "login"
# Login throttling (unstuck.web.accounts.throttle, django-axes) on every sign-in form:
# failures per account, and (a higher limit) per address.
LOGIN_FAILURE_LIMIT = envint("UNSTUCK_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = envint("UNSTUCK_LOGIN_ADDRESS_FAILURE_LIMIT", 50, minimum=1)
LOGIN_LOCKOUT_SECONDS = envint("UNSTUCK_LOGIN_LOCKOUT_SECONDS", 15 * 60, minimum=1)
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated).
TRUSTED_PROXIES = envnetworks("UNSTUCK_TRUSTED_PROXIES")
AUTHENTICATION_BACKENDS = [
    "unstuck.web.accounts.throttle.ClinicAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "unstuck.web.accounts.throttle.ClinicAxesHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(seconds=LOGIN_LOCKOUT_SECONDS)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "unstuck.web.accounts.throttle.client_address"
AXES_USERNAME_CALLABLE = "unstuck.web.accounts.throttle.account_name"
AXES_LOCKOUT_CALLABLE = "unstuck.web.accounts.throttle.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in Unstuck's own audit log
AXES_ENABLE_ADMIN = False  # its screens are replaced by one that audits (accounts/admin.py)

# One switch for a deployment behind HTTPS (the reverse proxy's or the server's own).
HTTPS = envbool("UNSTUCK_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = envint("UNSTUCK_HSTS_SECONDS", 365 * 24 * 60 * 60, minimum=0) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if TRUSTED_PROXIES:  # the proxy terminates TLS and says so; nobody else can reach the app
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("UNSTUCK_SESSION_SECONDS", 8 * 60 * 60, minimum=60)
SESSION_IDLE_SECONDS = envint("UNSTUCK_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_COOKIE_SECURE = HTTPS
if envstr("UNSTUCK_SECURE_COOKIES", "") and not HTTPS:  # its old name, for secure cookies only
    raise SettingError(
        "UNSTUCK_SECURE_COOKIES is no longer read: set UNSTUCK_HTTPS=true instead (secure "
        "cookies, HSTS and the redirect to HTTPS), and remove UNSTUCK_SECURE_COOKIES"
    )
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp) on every page: scripts and styles only from our own
# static files; the printable documents' one <style> block carries the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = envtimezone("UNSTUCK_TIME_ZONE", "Europe/London")
USE_I18N = True
# The clinic's translations of the client pages' own words (Django .po/.mo catalogs, made
# with `unstuck manage makemessages`/`compilemessages`); English is shipped.
LOCALE_PATHS = [folder] if (folder := envstr("UNSTUCK_LOCALE_DIR", "")) else []
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [Path(__file__).parent / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve the admin's files without collectstatic too
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

INSTRUMENTS_DIR = envstr("UNSTUCK_INSTRUMENTS_DIR", "")
MODELS_FILE = envstr("UNSTUCK_MODELS_FILE", "")
THRESHOLDS_FILE = envstr("UNSTUCK_THRESHOLDS_FILE", "")

# Never log questionnaire answers or notes: only warnings, to the console, from Django itself.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "refusals": {"()": "unstuck.web.log_filters.RefusalsInOneLine"},
        "links": {"()": "unstuck.web.log_filters.LinksHidden"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals", "links"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Client questionnaires (unstuck.web.portal) and email. UNSTUCK_EMAIL_HOST set: SMTP;
# UNSTUCK_EMAIL_DIR set: messages written as files there (the demo); neither: no email.
EMAIL_HOST = envstr("UNSTUCK_EMAIL_HOST", "")
EMAIL_PORT = envint("UNSTUCK_EMAIL_PORT", 587)
EMAIL_HOST_USER = envstr("UNSTUCK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envstr("UNSTUCK_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("UNSTUCK_EMAIL_TLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = envbool("UNSTUCK_EMAIL_SSL", EMAIL_PORT == 465)
EMAIL_TIMEOUT = envint("UNSTUCK_EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = envstr("UNSTUCK_EMAIL_FROM", "unstuck@localhost")
EMAIL_FILE_PATH = envstr("UNSTUCK_EMAIL_DIR", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
EMAIL_CONFIGURED = bool(EMAIL_HOST or EMAIL_FILE_PATH)
PORTAL_MESSENGER = envstr("UNSTUCK_MESSENGER", "unstuck.web.portal.messaging.EmailMessenger")
# Addresses written into messages: the staff app, and the client pages (may be another host).
SITE_URL = envstr("UNSTUCK_SITE_URL", "http://127.0.0.1:8000")
PORTAL_URL = envstr("UNSTUCK_PORTAL_URL", "")
PORTAL_FAILURE_LIMIT = envint("UNSTUCK_PORTAL_FAILURE_LIMIT", 20, minimum=1)
PORTAL_LOCKOUT_SECONDS = envint("UNSTUCK_PORTAL_LOCKOUT_SECONDS", 15 * 60, minimum=1)
# Host names that serve only the client pages (staff pages are a 404 there); see docs/portal.md.
PORTAL_HOSTS = [h.lower() for h in envhosts("UNSTUCK_PORTAL_HOSTS", [])]
ALLOWED_HOSTS += [h for h in PORTAL_HOSTS if h not in ALLOWED_HOSTS]
MIDDLEWARE.insert(1, "unstuck.web.portal.middleware.PortalHostMiddleware")
