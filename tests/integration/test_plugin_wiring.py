"""Installing the wheel into Open edX needs no edit of edx-platform: the plugin
framework (edx-django-utils) finds the app, its URLs, settings and receivers."""

from __future__ import annotations

import re
import types

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from edx_django_utils import plugins
from openedx_events.learning.signals import COURSE_PASSING_STATUS_UPDATED, PERSISTENT_GRADE_SUMMARY_CHANGED

from cert_plugin import conf


@pytest.mark.parametrize("project", ["lms.djangoapp", "cms.djangoapp"])
def test_entry_points_name_the_app(project):
    assert "cert_plugin.apps.CertPluginConfig" in plugins.get_plugin_apps(project)


@pytest.fixture
def only_our_plugin(monkeypatch):
    """The plugin framework sees just this app (other installed plugins need edx-platform)."""
    from django.apps import apps

    ours = apps.get_app_config("cert_plugin")
    monkeypatch.setattr(plugins.registry, "get_plugin_app_configs", lambda project_type: [ours])


def test_plugin_framework_mounts_our_urls_under_our_namespace(only_our_plugin):
    patterns = plugins.get_plugin_url_patterns("lms.djangoapp")
    ours = [p for p in patterns if getattr(p, "namespace", None) == "cert_plugin"]
    assert len(ours) == 1


@pytest.mark.parametrize("settings_type", ["common", "test", "production"])
def test_plugin_settings_give_cert_plugin_defaults(settings_type):
    lms_settings = types.ModuleType("lms_settings")
    lms_settings.LMS_ROOT_URL = "https://lms.example.org"
    lms_settings.PLATFORM_NAME = "Example University"
    lms_settings.ENV_TOKENS = {"CERT_PLUGIN": {"VERIFY_RATE": "10/m"}}
    from importlib import import_module

    import_module(f"cert_plugin.settings.{settings_type}").plugin_settings(lms_settings)
    assert lms_settings.CERT_PLUGIN["BASE_URL"] == "https://lms.example.org"
    assert lms_settings.CERT_PLUGIN["ISSUER_NAME"] == "Example University"
    assert lms_settings.CERT_PLUGIN["HOST"] == "cert_plugin.host.openedx.OpenEdxHost"
    assert (lms_settings.CERT_PLUGIN.get("VERIFY_RATE") == "10/m") == (settings_type == "production")


def test_open_edx_connects_the_same_receivers_once(only_our_plugin):
    before = (len(COURSE_PASSING_STATUS_UPDATED.receivers), len(PERSISTENT_GRADE_SUMMARY_CHANGED.receivers))
    plugins.connect_plugin_receivers("lms.djangoapp")  # what edx-platform does at start-up
    plugins.connect_plugin_receivers("lms.djangoapp")
    after = (len(COURSE_PASSING_STATUS_UPDATED.receivers), len(PERSISTENT_GRADE_SUMMARY_CHANGED.receivers))
    assert after == before  # same dispatch_uids as AppConfig.ready(): never connected twice


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ({"BASE_URL": "lms.example.org"}, 'CERT_PLUGIN["BASE_URL"]'),
        ({"VERIFY_RATE": "lots"}, 'CERT_PLUGIN["VERIFY_RATE"]'),
        ({"SIGNING_KEY": "hunter2"}, 'CERT_PLUGIN["SIGNING_KEY"]'),
        ({"HOST": 42}, 'CERT_PLUGIN["HOST"]'),
        ({"AUTO_REISSUE_ON_NAME_CHANGE": "yes"}, 'CERT_PLUGIN["AUTO_REISSUE_ON_NAME_CHANGE"]'),
        ({"BASE_URL": "https://x.org", "COLOUR": "red"}, "unknown key(s) COLOUR"),
    ],
)
def test_malformed_settings_fail_naming_the_key(value, named):
    with override_settings(CERT_PLUGIN=value):
        with pytest.raises(ImproperlyConfigured, match=re.escape(named)):
            conf.validate()
        with pytest.raises(SystemCheckError, match=r"cert_plugin\.E001"):
            call_command("check")


def test_settings_defaults_apply_to_missing_keys():
    with override_settings(CERT_PLUGIN={"BASE_URL": "https://lms.example.org"}):
        effective = conf.get()
    assert effective.BASE_URL == "https://lms.example.org"
    assert effective.VERIFY_RATE == "30/m"
    assert effective.HOST == "cert_plugin.host.openedx.OpenEdxHost"
