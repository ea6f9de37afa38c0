"""Stand-in for openedx/core/djangoapps/plugins/constants.py (openedx/openedx-platform).

As there: the plugin constants of edx-django-utils re-exported, and the
platform's own ``ProjectType`` / ``SettingsType`` value classes.
"""

from edx_django_utils.plugins import PluginContexts, PluginSettings, PluginSignals, PluginURLs  # noqa: F401


class ProjectType:
    """The Django projects a plugin can extend (the entry point groups)."""

    LMS = "lms.djangoapp"
    CMS = "cms.djangoapp"


class SettingsType:
    """The settings files a plugin can extend."""

    PRODUCTION = "production"
    COMMON = "common"
    DEVSTACK = "devstack"
    TEST = "test"
