"""Settings for edx-platform's test environment."""

from typing import Any

from cert_plugin.settings.common import plugin_settings as common_settings


def plugin_settings(settings: Any) -> None:
    common_settings(settings)
