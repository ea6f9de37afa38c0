"""Stand-in for openedx/envs/common.py (openedx/openedx-platform): settings shared by the LMS and Studio.

Only what booting a plugin needs, with the platform's names and value shapes.
What matters here is the same as there: ``PLATFORM_NAME`` is a lazy
translation (``gettext_lazy``) that cannot be read while settings load,
``LMS_ROOT_URL`` is ``None`` until production settings give it a value,
and requests run in a transaction (``ATOMIC_REQUESTS``).

Differences on purpose: the database is SQLite at the path in
``OPENEDX_BOOT_SQLITE`` (the platform's default is MySQL), and there is no
``Derived``/``derive_settings`` machinery (each service's common settings set
``ROOT_URLCONF`` directly, as releases before the settings simplification did).
"""

import os

from django.utils.translation import gettext_lazy as _

DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
SECRET_KEY = "dev key"
ALLOWED_HOSTS = ["*"]
SITE_ID = 1

USE_I18N = True
LANGUAGE_CODE = "en"

PLATFORM_NAME = _("Your Platform Name Here")
LMS_ROOT_URL = None

DATABASES = {
    "default": {
        "ATOMIC_REQUESTS": True,
        "CONN_MAX_AGE": 0,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("OPENEDX_BOOT_SQLITE", ":memory:"),
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = os.environ.get("OPENEDX_BOOT_MEDIA", "/tmp/openedx-boot-media")
MEDIA_URL = "/media/"
STATIC_URL = "/static/"

TEMPLATES = [
    {
        "NAME": "django",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
