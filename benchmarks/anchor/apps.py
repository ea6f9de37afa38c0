from __future__ import annotations

from django.apps import AppConfig


class AnchorConfig(AppConfig):
    name = "benchmarks.anchor"
    label = "anchor"
    default_auto_field = "django.db.models.BigAutoField"
