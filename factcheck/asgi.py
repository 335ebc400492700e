"""The ASGI entry point (an ASGI server). Defaults to the production settings: a server
that imports this module is a deployment, and refuses to start half-configured
(factcheck/settings/production.py). ``manage.py`` (runserver, ``make run``) stays on the
development settings; set DJANGO_SETTINGS_MODULE to choose otherwise.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings.production")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
application = get_asgi_application()
