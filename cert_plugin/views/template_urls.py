"""The template editor, under ``/certs/templates/`` (namespace ``cert_plugin``)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
