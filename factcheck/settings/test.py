"""The test suite's settings: fast hashing, inline tasks, loopback fetches only."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, TASKS

SECRET_KEY = "test-only-secret-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS["default"] = {
    "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    "ENQUEUE_ON_COMMIT": False,
}
FACTCHECK_VAR_DIR = Path(tempfile.mkdtemp(prefix="factcheck-test-var-"))
MEDIA_ROOT = FACTCHECK_VAR_DIR / "media"
FACTCHECK_FETCH_ALLOW_HOSTS = ["127.0.0.1", "localhost"]
FACTCHECK_EMBEDDER = "test"
FACTCHECK_HTTP_DELAY = 0.0
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    # High, so that tests never trip a limit by accident; a test of a limit sets its own.
    "DEFAULT_THROTTLE_RATES": {
        scope: "10000/min" for scope in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    },
}

# Static files come straight from the app folders; collectstatic is a production step.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

# The admin in a browser would call releases.wagtail.org and Gravatar: tests reach loopback only.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
