import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings.dev")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
application = get_wsgi_application()
