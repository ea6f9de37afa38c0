"""The LMS and Studio start with the plugin installed, with settings built the way Open edX builds them.

Each service boots in its own interpreter (``boot.py``) from the stand-in
settings modules in ``tests/host/edx_platform_stubs`` (each names the platform
or Tutor file it mirrors): ``openedx.envs.common`` with a lazy
``PLATFORM_NAME``; ``lms.envs.common`` / ``cms.envs.common`` extending
``INSTALLED_APPS`` with ``get_plugin_apps`` and calling ``add_plugins(COMMON)`` at
import time; ``*.envs.production`` loading the operator's YAML and calling
``add_plugins(PRODUCTION)``; ``*.envs.tutor.production`` assigning an
operator's partial ``CERT_PLUGIN`` last, as Tutor's patches do. The plugin
machinery is edx-django-utils' real one: the platform's plugins app connects
receivers in ``ready()``, the root URLconfs extend ``get_plugin_url_patterns``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
STUBS = HERE.parent / "host" / "edx_platform_stubs"

# What an operator's config.yml / lms.yml carries (Tutor renders the same keys).
OPERATOR_YAML = """\
LMS_ROOT_URL: https://lms.northwind.example
LMS_BASE: lms.northwind.example
CMS_BASE: studio.northwind.example
PLATFORM_NAME: Northwind Academy
"""
# The same, with a partial CERT_PLUGIN in the YAML: it replaces the dict the plugin's COMMON settings made.
OPERATOR_YAML_WITH_CERT_PLUGIN = OPERATOR_YAML + """\
CERT_PLUGIN:
  VERIFY_RATE: 20/m
"""

LMS = ("lms.envs.common", "lms.envs.production", "lms.envs.tutor.production")
STUDIO = ("cms.envs.common", "cms.envs.production", "cms.envs.tutor.production")
RECEIVERS = ("on_course_passing_status_updated", "on_persistent_grade_summary_changed",
             "on_block_completion_saved")


def boot(settings_module: str, workdir: Path, *, operator_yaml: str = OPERATOR_YAML,
         migrate: bool = False) -> dict:
    """Start one service in a fresh interpreter: its report, or a failure showing the service's traceback."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "config.yml"
    config.write_text(operator_yaml)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DEVHOST_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": settings_module,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(STUBS), os.environ.get("PYTHONPATH", "")])),
        "LMS_CFG": str(config),
        "CMS_CFG": str(config),
        "OPENEDX_BOOT_SQLITE": str(workdir / "edxapp.sqlite3"),
        "OPENEDX_BOOT_MEDIA": str(workdir / "media"),
    })
    if migrate:
        env["OPENEDX_BOOT_MIGRATE"] = "1"
    result = subprocess.run([sys.executable, str(HERE / "boot.py")], cwd=workdir, env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        pytest.fail(f"{settings_module} did not start (exit {result.returncode}):\n{result.stderr[-6000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def booted(tmp_path_factory):
    """Each configuration booted once for the module (a boot costs a few seconds)."""
    cache: dict[tuple[str, str], dict] = {}

    def get(settings_module: str, operator_yaml: str = OPERATOR_YAML) -> dict:
        key = (settings_module, operator_yaml)
        if key not in cache:
            workdir = tmp_path_factory.mktemp(settings_module.replace(".", "-"))
            cache[key] = boot(settings_module, workdir, operator_yaml=operator_yaml,
                              migrate=settings_module == "lms.envs.tutor.production")
        return cache[key]

    return get


@pytest.mark.parametrize("settings_module", LMS)
def test_the_lms_starts_with_the_plugin_urls_at_certs_in_its_namespace(booted, settings_module):
    report = booted(settings_module)

    assert "cert_plugin.apps.CertPluginConfig" in report["installed_apps"]
    assert report["verify_form_url"] == "/certs/verify/"
    assert report["resolved"] == {"namespace": "cert_plugin", "url_name": "verify-form"}
    assert report["middleware"] is True


@pytest.mark.parametrize("settings_module", LMS)
def test_the_lms_connects_each_receiver_exactly_once(booted, settings_module):
    receivers = booted(settings_module)["receivers"]

    assert receivers == {
        "on_course_passing_status_updated": ["any"],
        "on_persistent_grade_summary_changed": ["any"],
        "on_block_completion_saved": ["completion.models.BlockCompletion"],
    }


@pytest.mark.parametrize("settings_module", STUDIO)
def test_studio_starts_without_lms_receivers_or_urls(booted, settings_module):
    report = booted(settings_module)

    assert "cert_plugin.apps.CertPluginConfig" in report["installed_apps"]
    assert report["receivers"] == {name: [] for name in RECEIVERS}
    assert report["verify_form_url"] is None
    assert report["resolved"] is None


def test_under_tutor_a_partial_cert_plugin_dict_keeps_the_site_root_and_the_platform_name(booted):
    """Tutor writes the operator's CERT_PLUGIN after every plugin's settings; it names neither key."""
    report = booted("lms.envs.tutor.production")

    assert report["verify_rate"] == "10/m"  # the operator's key counts...
    assert report["base_url"] == "https://lms.northwind.example"  # ...and the keys left out keep defaults
    assert report["verify_url"] == "https://lms.northwind.example/certs/verify/ABCD-EFGH-JKMN-PQRS/"
    assert report["issuer_name"] == "Northwind Academy"


def test_a_partial_cert_plugin_dict_in_the_operators_yaml_keeps_the_defaults(booted):
    report = booted("lms.envs.production", OPERATOR_YAML_WITH_CERT_PLUGIN)

    assert report["verify_rate"] == "20/m"
    assert report["verify_url"] == "https://lms.northwind.example/certs/verify/ABCD-EFGH-JKMN-PQRS/"
    assert report["issuer_name"] == "Northwind Academy"


def test_with_common_settings_alone_the_issuer_is_the_lazy_platform_name_read_at_run_time(booted):
    report = booted("lms.envs.common")

    assert report["issuer_name"] == "Your Platform Name Here"  # the platform's gettext_lazy default
    assert report["base_url"] == ""  # LMS_ROOT_URL is None until production settings set it
    assert report["verify_url"] == "/certs/verify/ABCD-EFGH-JKMN-PQRS/"


def test_studio_under_tutor_sees_the_same_settings(booted):
    report = booted("cms.envs.tutor.production")

    assert report["verify_rate"] == "10/m"
    assert report["base_url"] == "https://lms.northwind.example"
    assert report["issuer_name"] == "Northwind Academy"
