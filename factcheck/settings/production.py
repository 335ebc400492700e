"""Production: PostgreSQL, Elasticsearch, RQ workers on Redis. Refuses to start without a real secret."""

from django.core.exceptions import ImproperlyConfigured

from . import env
from .base import *  # noqa: F403

if not env.SECRET_KEY or env.SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value in production.")
SECRET_KEY = env.SECRET_KEY
DEBUG = env.env_bool("DEBUG", False)
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_TRUSTED_ORIGINS = env.env_list("CSRF_TRUSTED_ORIGINS")
