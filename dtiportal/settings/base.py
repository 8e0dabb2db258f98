"""Settings shared by every environment. Values that differ between machines come from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean from the environment; anything but a clear yes/no is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false)")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "targets",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dtiportal.middleware.RequestLogMiddleware",
    "dtiportal.middleware.ReplicaPinMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # counts failures and refuses logins while locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after 5 failures for the same user name from the same address, that pair is locked
# for an hour (an administrator can unlock it in the admin, "Access attempts", or `axes_reset`).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0"))  # 1 behind one reverse proxy

# Sessions end when the browser closes and after 8 hours at most.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# Content-Security-Policy: scripts only from the portal itself (no inline code, no CDN). Plotly writes
# inline styles into the charts, so style attributes are allowed; scripts are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024  # a 10 MB evidence file plus the form
# A refused request loses what the user typed, so the largest form the portal shows must fit: an entry form
# with every indicator × level of a locality (5 fields a row), every text at its limit (targets/limits.py),
# weighs under 2 MB and has about 1,200 fields (tests/integration/security/test_hostile_input.py checks it).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

ROOT_URLCONF = "dtiportal.urls"
WSGI_APPLICATION = "dtiportal.wsgi.application"

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
                "targets.navigation.context",
            ],
        },
    },
]

# DATABASE_URL selects the database: a SQLite file in the project by default, PostgreSQL in production/CI.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite (the `make run` default) lets one writer in at a time. Simultaneous saves must wait their turn
    # and then answer (saved, or the conflict message), never fail with "database is locked" (issue #14):
    # - IMMEDIATE: a transaction takes the write lock when it begins, so two transactions that read and then
    #   write cannot deadlock (SQLite answers that case with an immediate "locked", without waiting);
    # - timeout: how long a connection waits for the lock (the busy timeout), in seconds;
    # - WAL: readers never block the writer, nor the writer the readers.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
        "init_command": "PRAGMA journal_mode=WAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
# A read replica (PostgreSQL streaming replication): DATABASE_REPLICA_URL adds it and the router that sends
# reads there unless they must be current (dtiportal/routers.py; docs/deploy.md, "More than one host").
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60"))
        ),
        "TEST": {"MIRROR": "default"},  # tests read the test database through it
    }
    DATABASE_ROUTERS = ["dtiportal.routers.ReplicaRouter"]
# After a write, the same browser reads from the primary for this long (the replica's lag is well below it).
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # the Django 6 default, adopted now

# The cache holds computed dashboard figures and open-data files under a data version that every write
# service changes (targets/cache.py), so it never serves figures from before an approval. It must be
# shared by every process serving the site: a directory by default (all gunicorn workers of one machine);
# several machines need a cache server (CACHE_BACKEND=redis or memcached, CACHE_LOCATION=its URL).
# CACHE_BACKEND=locmem suits one process only; dummy turns caching off.
_CACHE_BACKENDS = {
    "file": "django.core.cache.backends.filebased.FileBasedCache",
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "dummy": "django.core.cache.backends.dummy.DummyCache",
    "redis": "django.core.cache.backends.redis.RedisCache",
    "memcached": "django.core.cache.backends.memcached.PyMemcacheCache",
}


def code_version(root: Path = BASE_DIR) -> str:
    """A digest of the code that shapes what is cached (the apps' Python, the templates, the compiled
    translations): a new release never reads rows, cells or pages its predecessor formatted and left in a
    cache that outlives it (a directory, Redis)."""
    import hashlib

    digest = hashlib.sha256()
    for folder, pattern in (
        ("targets", "*.py"),
        ("reports", "*.py"),
        ("dtiportal", "*.py"),
        ("templates", "*.html"),
        ("locale", "*.mo"),
    ):
        for path in sorted((root / folder).rglob(pattern)):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_settings(backend: str, location: str | None = None, database: dict | None = None) -> dict:
    """CACHES["default"] for a backend name of `_CACHE_BACKENDS` (an unknown name is refused), its keys
    prefixed by the identity of `database` (default: DATABASES["default"])."""
    import hashlib
    import tempfile

    if backend not in _CACHE_BACKENDS:
        raise ImproperlyConfigured(f"CACHE_BACKEND={backend!r}: use one of {', '.join(_CACHE_BACKENDS)}")
    db = database if database is not None else DATABASES["default"]
    identity = f"{db.get('ENGINE')}|{db.get('HOST')}|{db.get('PORT')}|{db.get('NAME')}"
    default_location = {
        "file": str(Path(tempfile.gettempdir()) / "dtiportal-cache"),
        "locmem": "dtiportal",
    }
    options = {}
    if backend in ("file", "locmem"):
        # Django's default (300) is far below what the dashboards keep at national scale (figures, content and
        # rows per locality, page and language, each write's new versions): past it, every write to the cache
        # culled a third of the entries, so warm pages went cold (the load test's dashboards p95 476 → 334 ms
        # with room enough; docs/performance.md). A file cache lists its directory on every write, so not
        # unbounded either. Redis (CACHE_URL) has no such limit.
        entries = os.environ.get("CACHE_MAX_ENTRIES", "5000")
        if not entries.isdigit() or int(entries) < 1:
            raise ImproperlyConfigured(
                f"CACHE_MAX_ENTRIES={entries!r}: a whole number of entries, at least 1"
            )
        options["MAX_ENTRIES"] = int(entries)
    return {
        "BACKEND": _CACHE_BACKENDS[backend],
        "LOCATION": location or default_location.get(backend, ""),
        "TIMEOUT": int(os.environ.get("CACHE_TIMEOUT", "3600")),
        "OPTIONS": options,
        # Two sites (or two checkouts) on one machine share the default directory, not their entries; nor do
        # two releases of the code.
        "KEY_PREFIX": hashlib.sha256(identity.encode()).hexdigest()[:12] + "-" + code_version(),
    }


def cache_from_environment(environ: dict[str, str]) -> dict:
    """CACHES["default"] from the environment: `CACHE_URL=redis://host:6379/0` (or rediss://) selects Django's
    built-in Redis cache, shared by every host; else CACHE_BACKEND / CACHE_LOCATION (default: a directory)."""
    url = environ.get("CACHE_URL", "").strip()
    if url:
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ImproperlyConfigured(f"CACHE_URL={url!r}: use redis://host:port/db (or rediss://)")
        return cache_settings("redis", url)
    return cache_settings(environ.get("CACHE_BACKEND", "file"), environ.get("CACHE_LOCATION"))


CACHES = {"default": cache_from_environment(os.environ)}

# Background jobs (reports/jobs.py): django-tasks with its database backend, so the queue is a table of the
# portal's own database and nothing else needs installing; `manage.py db_worker` runs them (`make run`,
# compose's `worker`, the systemd unit in docs/deploy.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
# Finished job files (jobs/ under MEDIA_ROOT) are kept this many days (`manage.py prune_jobs`).
JOB_FILES_KEPT_DAYS = int(os.environ.get("JOB_FILES_KEPT_DAYS", "7"))
# An Excel import of more rows than this is checked and previewed in the request, and written by a background
# job (`targets.jobs`, kind "entry_import") once confirmed; a smaller one is written in the request.
ENTRY_IMPORT_JOB_ROWS = int(os.environ.get("ENTRY_IMPORT_JOB_ROWS", "200"))

# Every target's assessment at the live quarters is stored and kept current by the writes (issue #20,
# reports/assessments.py): the dashboards and the progress file read it instead of running the engine.
ASSESSMENTS_STORED = env_bool("ASSESSMENTS_STORED", True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.js from the plotly package, served as vendor/plotly.min.js (no CDN, no copy in the repository).
    "reports.staticfinders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Files served at the site's root by whitenoise: /favicon.ico, which browsers and tools ask for without a link.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "targets:home"  # each role lands on its own work
LOGOUT_REDIRECT_URL = "login"

DJANGO_TABLES2_TEMPLATE = "django_tables2/semantic.html"

# Where the catalogue and the source texts live (fixtures/ of the repository).
CATALOGUE_DIR = BASE_DIR / "fixtures"
