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
- ``UNSTUCK_MODELS_FILE``: expected-course models fitted by ``unstuck fit`` (default: shipped).
- ``UNSTUCK_THRESHOLDS_FILE``: the clinic's copy of the detection thresholds (default: shipped).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from unstuck.web.env import envbool, envint, envlist, envstr
from unstuck.web.storage import private_dir, private_sqlite_file, sqlite_options

DATA_DIR = Path(envstr("UNSTUCK_DATA_DIR", "unstuck-data")).resolve()
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
ALLOWED_HOSTS = envlist("UNSTUCK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

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
]
INSTALLED_APPS += ["unstuck.web.idempotency"]  # one-time form tokens (saves happen once)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'unstuck.sqlite3'}"),
        conn_max_age=envint("UNSTUCK_DB_CONN_MAX_AGE", 60),
    )
}
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
# Login throttling (unstuck.web.accounts.throttle): failures per user name and address.
LOGIN_FAILURE_LIMIT = envint("UNSTUCK_LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_SECONDS = envint("UNSTUCK_LOGIN_LOCKOUT_SECONDS", 15 * 60)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("UNSTUCK_SESSION_SECONDS", 8 * 60 * 60)
SESSION_COOKIE_SECURE = envbool("UNSTUCK_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = envstr("UNSTUCK_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
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
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
