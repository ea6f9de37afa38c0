"""URLs of cert_plugin (namespace ``cert_plugin``), mounted at the site root by the host."""

from django.urls import URLPattern, URLResolver

app_name = "cert_plugin"

urlpatterns: list[URLPattern | URLResolver] = []
