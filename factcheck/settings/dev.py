"""Local development: `make run` uses these settings."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)

# Static files come straight from the app folders; collectstatic is a production step.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
