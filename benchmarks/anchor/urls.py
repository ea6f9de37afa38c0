"""The plugin's verify URLs, so the one wrk script drives both projects."""

from __future__ import annotations

from django.urls import path

from benchmarks.anchor import views

urlpatterns = [
    path("certs/verify/", views.form),
    path("certs/verify/<str:code>/", views.page),
    path("certs/api/v1/verify/<str:code>/", views.answer),
]
