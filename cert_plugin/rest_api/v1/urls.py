"""REST API v1 URLs (included under ``certs/api/v1/`` in the ``cert_plugin`` namespace)."""

from django.urls import URLPattern, URLResolver, path

from cert_plugin.rest_api.v1 import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("verify/<str:code>/", views.VerifyView.as_view(), name="api-verify"),
]
