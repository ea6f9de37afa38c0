"""WSGI entry point of the demo LMS."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "devhost.settings")

application = get_wsgi_application()
