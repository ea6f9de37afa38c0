"""Settings for edx-platform's test environment."""

from cert_plugin.settings.common import plugin_settings as common_settings


def plugin_settings(settings):
    common_settings(settings)
