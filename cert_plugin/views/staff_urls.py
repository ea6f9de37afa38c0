"""Course staff pages, under ``/certs/staff/`` (namespace ``cert_plugin``)."""

from django.urls import URLPattern, URLResolver, path

from cert_plugin.views import staff

urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:course_key>/", staff.dashboard, name="staff-dashboard"),
]
