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
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
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
FACTCHECK_EMBEDDER = env.EMBEDDER
FACTCHECK_FETCH_ALLOW_HOSTS = env.FETCH_ALLOW_HOSTS
FACTCHECK_VAR_DIR = VAR_DIR

_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKENDS.get(env.TASKS_BACKEND, env.TASKS_BACKEND)}}
if env.TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": env.REDIS_URL or "redis://127.0.0.1:6379/0"}}

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
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "search": "60/min", "match": "30/min"},
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
