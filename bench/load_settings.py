"""Settings for ``bench/load.py``: the production settings, with throttling off.

The load benchmark measures what the server can do, so the per-client API and search
throttles (every bench client is 127.0.0.1, one bucket) are switched off by setting
every rate to ``None``, which DRF and ``factcheck.throttling`` read as "no limit".
``LOADBENCH_THROTTLES=1`` keeps the production rates (then 429s are expected and
counted apart from errors). Collected static files go to the bench's var dir, so the
benchmark never writes into the checkout's ``static_collected/``.

Everything else (PostgreSQL, Redis cache, the page cache, DEBUG off, manifest static
files) is ``factcheck.settings.production`` unchanged; ``bench/load.py`` provides the
environment it requires.
"""

import os

from factcheck.settings.production import *  # noqa: F403
from factcheck.settings.production import REST_FRAMEWORK, VAR_DIR

if os.environ.get("LOADBENCH_THROTTLES", "") != "1":
    REST_FRAMEWORK = {
        **REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            scope: None for scope in REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
        },
    }

STATIC_ROOT = VAR_DIR / "static"
