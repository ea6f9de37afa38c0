"""Stand-in for lms/envs/production.py (openedx/openedx-platform, current master).

As there: start from ``lms.envs.common`` (the plugins' COMMON settings already
applied), load the operator's YAML named by ``LMS_CFG`` and copy every
top-level key into this module (``vars().update``; a dict such as
``CERT_PLUGIN`` replaces the one common settings built, aliased with the
YAML), keep ``ENV_TOKENS``/``AUTH_TOKENS`` as aliases of the YAML for older
plugins, then ``add_plugins(__name__, ProjectType.LMS, SettingsType.PRODUCTION)``
through edx-django-utils' real function. The platform's many post-processing
steps in between (logging, storages, Celery queues...) are left out.
"""

import codecs
import os

import yaml
from django.core.exceptions import ImproperlyConfigured
from edx_django_utils.plugins import add_plugins
from openedx.core.djangoapps.plugins.constants import ProjectType, SettingsType

from .common import *  # noqa: F403


def get_env_setting(setting):
    """Get the environment setting or return exception."""
    try:
        return os.environ[setting]
    except KeyError:
        raise ImproperlyConfigured(f"Set the {setting} env variable") from None


CONFIG_FILE = get_env_setting("LMS_CFG")

with codecs.open(CONFIG_FILE, encoding="utf-8") as f:
    _YAML_TOKENS = yaml.safe_load(f) or {}
    vars().update({
        key: value
        for key, value in _YAML_TOKENS.items()
        if key not in [
            "FEATURES", "TRACKING_BACKENDS", "EVENT_TRACKING_BACKENDS", "JWT_AUTH", "CELERY_QUEUES",
            "REST_FRAMEWORK", "EVENT_BUS_PRODUCER_CONFIG", "DEFAULT_FILE_STORAGE", "STATICFILES_STORAGE",
        ]
    })

MIDDLEWARE.extend(_YAML_TOKENS.get("EXTRA_MIDDLEWARE_CLASSES", []))  # noqa: F405

# Defined solely for backwards compatibility with plugins that read them.
ENV_TOKENS = _YAML_TOKENS
AUTH_TOKENS = _YAML_TOKENS

# Load production.py in plugins
add_plugins(__name__, ProjectType.LMS, SettingsType.PRODUCTION)
