"""Production: PostgreSQL, Redis (cache and RQ task queue), Elasticsearch or the embedded
engine chosen on purpose, HTTPS only.

Contract: these settings refuse to start (``ImproperlyConfigured``, naming the variable)
rather than fall back silently to what suits a laptop. Without ``SECRET_KEY``,
``DATABASE_URL``, ``REDIS_URL``, ``ALLOWED_HOSTS`` or ``FACTCHECK_SEARCH_BACKEND``, with
``DEBUG`` on, or with the inline ("immediate") task backend, nothing starts: a web
process on SQLite, a per-process LocMem cache (rate limits that reset per gunicorn
worker) or a per-container embedded index is a deployment that looks fine and is wrong.

``manage.py check --deploy --fail-level WARNING`` is clean with a full environment (CI
runs it). Two switches relax HTTPS on purpose, each documented in docs/deployment.md:

* ``SECURE_SSL_REDIRECT=false``: a TLS-terminating proxy redirects HTTP to HTTPS itself
  (or a local trial on http://127.0.0.1). The check that asks for the redirect
  (security.W008) is silenced only then, because the operator has said who redirects.
* ``SECURE_HSTS_PRELOAD`` stays off unless set: the preload flag invites anyone to put the
  domain on the browsers' preload list, a commitment a newsroom makes itself, so its
  check (security.W021) is silenced while it is off.

Build mode (``FACTCHECK_BUILD=1``): the image runs ``collectstatic`` with these settings,
where no database, Redis or secret exists. The flag swaps in a placeholder secret, the
dummy database engine (any query fails loudly), a dummy cache and an empty
``ALLOWED_HOSTS`` (every request is answered 400), so a process started with it by
mistake serves nothing. Never set it on a running service.
"""

from django.core.exceptions import ImproperlyConfigured

from . import env
from .base import *  # noqa: F403
from .base import _TASK_BACKENDS, INSTALLED_APPS, STORAGES

BUILD = env.env_bool("FACTCHECK_BUILD", False)


def _required(name: str, why: str) -> str:
    value = env.env_str(name).strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production: {why}")
    return value


if env.env_bool("DEBUG", False):
    raise ImproperlyConfigured(
        "DEBUG must be off in production: it shows settings and tracebacks to anyone."
    )
DEBUG = False

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

if BUILD:
    SECRET_KEY = "build-only-placeholder-never-serves-requests"
    DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    ALLOWED_HOSTS = []
else:
    SECRET_KEY = _required("SECRET_KEY", "a long random value (50+ characters).")
    if SECRET_KEY.startswith("dev-only"):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in production: the development key is public."
        )
    _required("DATABASE_URL", "e.g. postgres://user:password@db:5432/factcheck.")
    # The cache (rate limits, page cache) and the RQ queues: shared by every process.
    REDIS_URL = _required("REDIS_URL", "the cache and the task queue, e.g. redis://redis:6379/0.")
    ALLOWED_HOSTS = env.env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must be set in production: the public host names, comma-separated."
        )
    _search = _required(
        "FACTCHECK_SEARCH_BACKEND",
        "elasticsearch (with ELASTICSEARCH_URL), or embedded for a single machine.",
    )
    if _search == "elasticsearch":
        _required("ELASTICSEARCH_URL", "the search backend is elasticsearch.")

    _tasks = env.env_str("FACTCHECK_TASKS_BACKEND").strip() or "rq"
    if _tasks in ("immediate", _TASK_BACKENDS["immediate"]):
        raise ImproperlyConfigured(
            "FACTCHECK_TASKS_BACKEND must be rq or database in production: immediate runs "
            "crawls and indexing inside web requests."
        )
    TASKS = {"default": {"BACKEND": _TASK_BACKENDS.get(_tasks, _tasks)}}
    if _tasks == "rq":
        if "django_rq" not in INSTALLED_APPS:
            INSTALLED_APPS.append("django_rq")
        RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    # CACHES: base.py uses Redis whenever REDIS_URL is set, and it is set (above).

# --- HTTPS -------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.env_bool("SECURE_SSL_REDIRECT", True)
# The container's HEALTHCHECK speaks plain HTTP to 127.0.0.1.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
try:
    SECURE_HSTS_SECONDS = int(env.env_str("SECURE_HSTS_SECONDS", "31536000") or 31536000)
except ValueError:
    raise ImproperlyConfigured("SECURE_HSTS_SECONDS must be a number of seconds.") from None
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env.env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_TRUSTED_ORIGINS = env.env_list("CSRF_TRUSTED_ORIGINS")

SILENCED_SYSTEM_CHECKS = list(globals().get("SILENCED_SYSTEM_CHECKS", []))
if not SECURE_SSL_REDIRECT:
    SILENCED_SYSTEM_CHECKS.append("security.W008")
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
