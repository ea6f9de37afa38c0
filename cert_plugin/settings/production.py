"""Production: operators override CERT_PLUGIN through their YAML/env tokens."""

from typing import Any

from cert_plugin.settings.common import plugin_settings as common_settings


def plugin_settings(settings: Any) -> None:
    common_settings(settings)
    tokens = getattr(settings, "ENV_TOKENS", {}) or {}
    if isinstance(tokens.get("CERT_PLUGIN"), dict):
        settings.CERT_PLUGIN.update(tokens["CERT_PLUGIN"])
