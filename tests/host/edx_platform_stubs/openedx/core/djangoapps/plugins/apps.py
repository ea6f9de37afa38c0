"""Stand-in for openedx/core/djangoapps/plugins/apps.py (openedx/openedx-platform).

Same behaviour as the platform's ``PluginsConfig``: its ``ready()`` connects
every plugin's ``signals_config`` receivers for the running service, chosen
by ``ROOT_URLCONF`` (``lms.urls`` is the LMS, anything else Studio), through
edx-django-utils' real ``connect_plugin_receivers``.
"""

from django.apps import AppConfig
from django.conf import settings
from edx_django_utils.plugins import PluginSettings, connect_plugin_receivers

from openedx.core.djangoapps.plugins.constants import ProjectType, SettingsType


class PluginsConfig(AppConfig):
    """Application configuration for plugins."""

    name = "openedx.core.djangoapps.plugins"

    plugin_app = {
        PluginSettings.CONFIG: {
            ProjectType.LMS: {SettingsType.PRODUCTION: {PluginSettings.RELATIVE_PATH: "settings.production"}},
            ProjectType.CMS: {SettingsType.PRODUCTION: {PluginSettings.RELATIVE_PATH: "settings.production"}},
        }
    }

    def ready(self):
        """Connect plugin receivers to their signals."""
        if settings.ROOT_URLCONF == "lms.urls":
            project_type = ProjectType.LMS
        else:
            project_type = ProjectType.CMS

        connect_plugin_receivers(project_type)
