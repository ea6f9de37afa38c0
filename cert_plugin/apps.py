"""App configuration and Open edX plugin wiring (edx-django-utils ``plugin_app``).

Installed into Open edX via the ``lms.djangoapp``/``cms.djangoapp`` entry
points, the LMS mounts our URLs, merges our settings and connects our
receivers from ``plugin_app`` without any edit of edx-platform. In any other
Django host the same receivers connect in :meth:`ready` (same dispatch_uids,
so they never connect twice).

How :meth:`ready` tells the two apart, without importing edx-platform: in the
LMS and in Studio the platform's own plugins app
(``openedx.core.djangoapps.plugins``, always in their ``INSTALLED_APPS``) calls
``connect_plugin_receivers`` for the running service from its ``ready()``
(``lms.djangoapp`` when ``ROOT_URLCONF == "lms.urls"``, else ``cms.djangoapp``).
Our ``signals_config`` names the LMS only, so the LMS connects each receiver
once and Studio none. Wherever that app is not installed (the demo host, any
other Django project) nobody else connects them, so :meth:`ready` does.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.apps import AppConfig

_RECEIVERS = [
    {
        "receiver_func_name": "on_course_passing_status_updated",
        "signal_path": "openedx_events.learning.signals.COURSE_PASSING_STATUS_UPDATED",
        "dispatch_uid": "cert_plugin.receivers.course_passing_status_updated",
    },
    {
        "receiver_func_name": "on_persistent_grade_summary_changed",
        "signal_path": "openedx_events.learning.signals.PERSISTENT_GRADE_SUMMARY_CHANGED",
        "dispatch_uid": "cert_plugin.receivers.persistent_grade_summary_changed",
    },
    {
        "receiver_func_name": "on_block_completion_saved",
        "signal_path": "django.db.models.signals.post_save",
        "sender_path": "completion.models.BlockCompletion",
        "dispatch_uid": "cert_plugin.receivers.block_completion_saved",
    },
]
# The platform app whose ready() connects every plugin's signals_config: where it is installed
# (LMS, Studio), our ready() leaves the receivers to it (openedx/core/djangoapps/plugins/apps.py).
OPEN_EDX_PLUGINS_APP = "openedx.core.djangoapps.plugins"
_SETTINGS = {
    "common": {"relative_path": "settings.common"},
    "test": {"relative_path": "settings.test"},
    "production": {"relative_path": "settings.production"},
}


class CertPluginConfig(AppConfig):
    """cert_plugin's AppConfig."""

    name = "cert_plugin"
    label = "cert_plugin"
    verbose_name = "Certificates"
    default_auto_field = "django.db.models.BigAutoField"

    plugin_app: ClassVar[dict[str, Any]] = {
        "url_config": {
            "lms.djangoapp": {"namespace": "cert_plugin", "regex": r"^", "relative_path": "urls"},
        },
        "settings_config": {"lms.djangoapp": _SETTINGS, "cms.djangoapp": _SETTINGS},
        "signals_config": {
            "lms.djangoapp": {"relative_path": "receivers", "receivers": _RECEIVERS},
        },
    }

    def ready(self) -> None:
        from django.apps import apps

        from cert_plugin import conf, receivers

        conf.validate()
        if not apps.is_installed(OPEN_EDX_PLUGINS_APP):
            receivers.connect_all(_RECEIVERS)
        _forget_answers_on_change()



def _forget_answers_on_change() -> None:
    """A saved or deleted certificate drops the verify answers kept for it (issue 16)."""
    from django.db.models.signals import post_delete, post_save

    from cert_plugin import api
    from cert_plugin.models import Certificate

    for signal in (post_save, post_delete):
        signal.connect(api.certificate_changed, sender=Certificate,
                       dispatch_uid=f"cert_plugin.verify_answers.{signal is post_save}")
