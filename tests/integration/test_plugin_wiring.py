"""Installing the wheel into Open edX needs no edit of edx-platform: the plugin
framework (edx-django-utils) finds the app, its URLs, settings and receivers."""

from __future__ import annotations

import io
import re
import types
import weakref
from importlib import import_module

import pytest
from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy
from edx_django_utils import plugins
from openedx_events.learning.signals import COURSE_PASSING_STATUS_UPDATED, PERSISTENT_GRADE_SUMMARY_CHANGED

from cert_plugin import conf, receivers


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


def _exploding_lazy(message):
    """A lazy setting that cannot be read yet, like the platform's PLATFORM_NAME while settings load."""
    def read():
        raise AppRegistryNotReady(f"read {message!r} while settings load")

    return lazy(read, str)()


@pytest.mark.parametrize("settings_type", ["common", "test", "production"])
def test_plugin_settings_never_read_the_lazy_platform_name(settings_type):
    lms_settings = types.ModuleType("lms_settings")
    lms_settings.PLATFORM_NAME = _exploding_lazy("Your Platform Name Here")
    lms_settings.LMS_ROOT_URL = None  # the platform's common value, until production settings set it
    lms_settings.MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]

    import_module(f"cert_plugin.settings.{settings_type}").plugin_settings(lms_settings)

    assert lms_settings.CERT_PLUGIN == {}  # nothing copied: defaults are read at run time (conf.get)
    assert lms_settings.MIDDLEWARE[-1] == "cert_plugin.middleware.DatabaseUnavailableMiddleware"


def test_production_settings_merge_the_yaml_of_older_releases():
    """Before the settings simplification the YAML stayed in ENV_TOKENS (secrets in AUTH_TOKENS)."""
    lms_settings = types.ModuleType("lms_settings")
    lms_settings.ENV_TOKENS = {"CERT_PLUGIN": {"VERIFY_RATE": "10/m"}}
    signing = {"PKCS12": "/secrets/p.p12", "PASSPHRASE": "x"}
    lms_settings.AUTH_TOKENS = {"CERT_PLUGIN": {"PDF_SIGNING": signing}}
    add_plugin_settings = import_module("cert_plugin.settings.common").plugin_settings
    add_plugin_settings(lms_settings)  # COMMON ran first, at import of common.py

    import_module("cert_plugin.settings.production").plugin_settings(lms_settings)

    merged = lms_settings.CERT_PLUGIN
    assert merged == {"VERIFY_RATE": "10/m", "PDF_SIGNING": signing}


def test_production_settings_keep_the_yaml_dict_that_current_releases_already_set():
    """Current production.py copies each YAML key into the settings; ENV_TOKENS aliases the same YAML."""
    yaml_tokens = {"CERT_PLUGIN": {"VERIFY_RATE": "10/m"}, "LMS_ROOT_URL": "https://lms.example.org"}
    lms_settings = types.ModuleType("lms_settings")
    lms_settings.CERT_PLUGIN = yaml_tokens["CERT_PLUGIN"]
    lms_settings.ENV_TOKENS = lms_settings.AUTH_TOKENS = yaml_tokens

    import_module("cert_plugin.settings.production").plugin_settings(lms_settings)

    assert lms_settings.CERT_PLUGIN == {"VERIFY_RATE": "10/m"}


def test_production_settings_leave_a_malformed_cert_plugin_for_start_up_to_name():
    lms_settings = types.ModuleType("lms_settings")
    lms_settings.ENV_TOKENS = {"CERT_PLUGIN": "VERIFY_RATE=10/m"}
    import_module("cert_plugin.settings.production").plugin_settings(lms_settings)

    with override_settings(CERT_PLUGIN=lms_settings.CERT_PLUGIN), \
            pytest.raises(ImproperlyConfigured, match="CERT_PLUGIN must be a dict"):
        conf.validate()


def test_base_url_and_issuer_default_to_the_platforms_settings_read_at_run_time():
    """Whatever dict a later settings layer assigned, keys it leaves out come from the platform."""
    with override_settings(CERT_PLUGIN={"VERIFY_RATE": "10/m"}, LMS_ROOT_URL="https://lms.example.org",
                           PLATFORM_NAME=gettext_lazy("Example University")):
        effective = conf.get()
    assert effective.BASE_URL == "https://lms.example.org"
    assert effective.ISSUER_NAME == "Example University"
    assert effective.VERIFY_RATE == "10/m"


def test_the_operators_base_url_and_issuer_win_over_the_platforms():
    with override_settings(CERT_PLUGIN={"BASE_URL": "https://certs.example.org", "ISSUER_NAME": "Northwind"},
                           LMS_ROOT_URL="https://lms.example.org", PLATFORM_NAME="Example University"):
        effective = conf.get()
    assert (effective.BASE_URL, effective.ISSUER_NAME) == ("https://certs.example.org", "Northwind")


def test_a_lazy_platform_name_is_read_in_the_sites_language_not_the_requests():
    """The issuer goes into certificate snapshots: a learner browsing in Portuguese must not change it."""
    with override_settings(CERT_PLUGIN={}, LANGUAGE_CODE="en", PLATFORM_NAME=gettext_lazy("Yes")), \
            translation.override("pt-br"):
        assert str(gettext_lazy("Yes")) == "Sim"  # the request's language translates it...
        assert conf.get().ISSUER_NAME == "Yes"  # ...the issuer is in the site's


def _connections(signal, func):
    """The lookup keys ((dispatch uid, sender id)) under which ``func`` is connected to ``signal``."""
    return [key for key, ref, *_ in signal.receivers
            if (ref() if isinstance(ref, weakref.ReferenceType) else ref) is func]


def test_outside_open_edx_ready_connects_each_receiver_once():
    """The demo host has no platform plugins app to connect them: AppConfig.ready() did, once each."""
    from completion.models import BlockCompletion
    from django.db.models.signals import post_save

    assert len(_connections(COURSE_PASSING_STATUS_UPDATED, receivers.on_course_passing_status_updated)) == 1
    assert len(_connections(PERSISTENT_GRADE_SUMMARY_CHANGED,
                            receivers.on_persistent_grade_summary_changed)) == 1
    [(_, sender_id)] = _connections(post_save, receivers.on_block_completion_saved)
    assert sender_id == id(BlockCompletion)


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


def _check_output(**settings_changes) -> str:
    """What ``manage.py check`` prints (it exits 0: warnings do not stop a deployment)."""
    out, err = io.StringIO(), io.StringIO()
    with override_settings(**settings_changes):
        call_command("check", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_check_warns_that_certificates_are_issued_unsigned_without_a_signing_key(settings):
    """Issue 14, point 15: without SIGNING_KEY the plugin used to issue unsigned certificates silently."""
    without_key = {key: value for key, value in settings.CERT_PLUGIN.items() if key != "SIGNING_KEY"}

    printed = _check_output(CERT_PLUGIN=without_key)

    assert "cert_plugin.W001" in printed
    assert 'CERT_PLUGIN["SIGNING_KEY"] is not set' in printed
    assert "openssl genpkey -algorithm ed25519" in printed  # the hint says how to fix it
    assert "cert_plugin.W001" in _check_output(CERT_PLUGIN={**without_key, "SIGNING_KEY": None})
    assert "cert_plugin.W001" not in _check_output(CERT_PLUGIN=settings.CERT_PLUGIN)
