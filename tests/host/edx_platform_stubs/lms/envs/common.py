"""Stand-in for lms/envs/common.py (openedx/openedx-platform): the LMS's common settings.

Built the way the platform builds them: everything shared comes from
``openedx.envs.common`` (with the lazy ``PLATFORM_NAME``), then the LMS's own
apps and middleware, and, at import time, the plugins through edx-django-utils'
real functions: ``INSTALLED_APPS.extend(get_plugin_apps(ProjectType.LMS))`` and
``add_plugins(__name__, ProjectType.LMS, SettingsType.COMMON)``, while the app
registry does not exist yet. ``INSTALLED_APPS`` holds only the platform apps a
plugin needs to boot (the platform's own plugins app among them).
"""

from edx_django_utils.plugins import add_plugins, get_plugin_apps
from openedx.core.djangoapps.plugins.constants import ProjectType, SettingsType
from openedx.envs.common import *  # noqa: F403

SERVICE_VARIANT = "lms"
ROOT_URLCONF = "lms.urls"  # the platform: Derived(lambda settings: f"{settings.SERVICE_VARIANT}.urls")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "waffle",
    "openedx.core.djangoapps.plugins",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

############## Plugin Django Apps #########################

INSTALLED_APPS.extend(get_plugin_apps(ProjectType.LMS))
add_plugins(__name__, ProjectType.LMS, SettingsType.COMMON)
