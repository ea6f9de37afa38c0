"""Stand-in for lms/urls.py (openedx/openedx-platform): the LMS's root URLconf.

As there, the plugins' URLs are added with edx-django-utils' real
``urlpatterns.extend(get_plugin_url_patterns(ProjectType.LMS))``, after the
platform's own (here a single stand-in page) and before the course home API.
"""

from django.http import HttpResponse
from django.urls import path
from edx_django_utils.plugins import get_plugin_url_patterns
from openedx.core.djangoapps.plugins.constants import ProjectType


def _heartbeat(request):
    return HttpResponse("ok")


urlpatterns = [
    path("heartbeat", _heartbeat, name="heartbeat"),
]

urlpatterns.extend(get_plugin_url_patterns(ProjectType.LMS))
