import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings.dev")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
application = get_asgi_application()
