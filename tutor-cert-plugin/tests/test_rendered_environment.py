"""The Tutor plugin, rendered by the real Tutor and tutor-mfe (no Docker).

Each test enables the plugin in a fresh TUTOR_ROOT, runs ``tutor config save`` (with the
``--set`` values an operator would use) and reads what Tutor wrote into ``env/``: the LMS and
Studio settings, the openedx Dockerfile, docker-compose, Kubernetes and the MFEs' env.config.jsx.

``make test-tutor`` runs this file once per supported Open edX release line, each time in a venv
holding that line's Tutor and tutor-mfe (requirements-<line>.txt): Ulmo (Tutor 21) and Verawood
(Tutor 22). ``LINE`` is the line of the Tutor running the tests; where the lines differ, the tests
say so with ``BY_LINE`` and assert each line's side.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tutor.__about__ import __package_version__ as TUTOR_VERSION

TUTOR = [str(Path(sys.executable).with_name("tutor"))]  # the console script of the venv running the tests
REPOSITORY = Path(__file__).resolve().parents[2]
# Tutor's major version names the Open edX release line it builds (tutor/env.py: get_release).
LINE = {"21": "ulmo", "22": "verawood"}.get(TUTOR_VERSION.split(".")[0], "")
# What differs between the lines, read in each Tutor's templates (build/openedx/Dockerfile) and
# tutor-mfe's hooks. The base image is the same, so are the apt package names the plugin installs.
BY_LINE: dict[str, dict[str, Any]] = {
    "ulmo": {"ubuntu": "22.04", "python": "3.11", "upgrades_after_lock": (), "frontend_base_apps": False},
    "verawood": {
        "ubuntu": "22.04",
        "python": "3.12",
        # Tutor 22 upgrades certifi past the platform's pin (compromised emSign roots) after
        # installing requirements/edx/base.txt and before the plugin's patch.
        "upgrades_after_lock": ("certifi",),
        # tutor-mfe 22 can serve some MFEs as frontend-base apps (FRONTEND_APPS).
        "frontend_base_apps": True,
    },
}
LMS_SLOTS = (
    "org.openedx.frontend.learning.progress_tab_certificate_status_side_panel.v1",
    "org.openedx.frontend.learning.progress_tab_certificate_status_main_body.v1",
)
DASHBOARD_SLOT = "org.openedx.frontend.learner_dashboard.widget_sidebar.v1"


def tutor(root: Path, *args: str, stderr: bool = False) -> str:
    env = {**os.environ, "TUTOR_ROOT": str(root), "TUTOR_PLUGINS_ROOT": str(root / "plugins")}
    done = subprocess.run([*TUTOR, *args], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"tutor {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr if stderr else done.stdout


def configure(root: Path, *settings: str, plugins: tuple[str, ...] = ("mfe", "cert_plugin")) -> Path:
    tutor(root, "plugins", "enable", *plugins)
    if "mfe" not in plugins:  # Tutor enables tutor-mfe by default on a new root
        tutor(root, "plugins", "disable", "mfe")
    tutor(root, "config", "save", *[arg for value in settings for arg in ("--set", value)])
    return root / "env"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return configure(
        tmp_path_factory.mktemp("tutor"),
        'CERT_PLUGIN_ISSUER_NAME=Northwind "Institute" of Technology',
        "CERT_PLUGIN_VERIFY_RATE=60/m",
        'CERT_PLUGIN_EXTRA_SETTINGS={"EVENTS_OUT": true, "NOTIFY": {"EXPIRY_REMINDER_DAYS": [30, 7]}}',
    )


@pytest.fixture(scope="module")
def defaults_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return configure(tmp_path_factory.mktemp("tutor-defaults"))


def settings_text(env: Path, service: str) -> str:
    return (env / "apps" / "openedx" / "settings" / service / "production.py").read_text()


def fragment(text: str) -> str:
    """Our part of a rendered settings module: from the plugin's marker to the next patch."""
    start = text.index("# cert_plugin (tutor-cert-plugin)")
    return text[start : text.index("# end of cert_plugin (tutor-cert-plugin)", start)]


def run_after_platform(text: str, **platform: Any) -> dict[str, Any]:
    """Execute our settings fragment in a namespace holding what the platform's layers left."""
    namespace: dict[str, Any] = dict(platform)
    exec(compile(fragment(text), "production.py", "exec"), namespace)
    return namespace


# --- the release line -------------------------------------------------------------------------


def test_the_venv_holds_the_tutor_of_the_line_asked_for_and_it_builds_that_line(env: Path) -> None:
    assert LINE, f"Tutor {TUTOR_VERSION} builds no release line this plugin supports"
    asked = os.environ.get("TUTOR_LINE")  # set by `make test-tutor`
    assert asked in (None, LINE), f"make test-tutor asked for {asked}, the venv holds Tutor {TUTOR_VERSION}"
    root = env.parent
    assert tutor(root, "config", "printvalue", "OPENEDX_COMMON_VERSION").startswith(f"release/{LINE}.")
    # tutor-mfe builds the MFEs' branch of the same line, the one the slot ids were checked on.
    assert tutor(root, "config", "printvalue", "MFE_COMMON_VERSION").startswith(f"release/{LINE}.")
    from tutorcertplugin.plugin import release_line

    assert release_line() == LINE, "the plugin picks its MFE slots for the line Tutor builds"


def test_a_tutor_newer_than_the_plugin_gets_only_slots_every_known_line_has(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tutorcertplugin import plugin

    def unknown_release() -> str:
        raise KeyError("23")  # what tutor.env.get_release raises for a major it does not know

    monkeypatch.setattr(plugin.tutor_env, "get_current_open_edx_release_name", unknown_release)
    assert plugin.release_line() == ""
    common = plugin.slots_of("")
    assert common == plugin.SLOTS_BY_LINE["ulmo"] & plugin.SLOTS_BY_LINE["verawood"]
    assert f"{plugin.LEARNING}course_tab_links.v1" not in common


# --- LMS and Studio settings --------------------------------------------------------------------


@pytest.mark.parametrize("service", ["lms", "cms"])
def test_settings_are_set_key_by_key_after_the_platform_built_its_settings(env: Path, service: str) -> None:
    text = settings_text(env, service)
    assert text.index(f"from {service}.envs.production import *") < text.index(
        "# cert_plugin (tutor-cert-plugin)"
    ), "the keys must be set after the platform's production settings (and its add_plugins) ran"
    assert not re.search(r"^CERT_PLUGIN\s*=\s*\{\s*\S", text, re.M), "the dict itself is never replaced"

    existing = {"BASE_URL": "https://lms.example.org", "STORAGE": "certificates"}
    namespace = run_after_platform(text, CERT_PLUGIN=existing)
    assert namespace["CERT_PLUGIN"] is existing, "the plugin's dict is updated in place"
    assert existing["BASE_URL"] == "https://lms.example.org"
    assert existing["STORAGE"] == "certificates"
    assert existing["ISSUER_NAME"] == 'Northwind "Institute" of Technology'
    assert existing["VERIFY_RATE"] == "60/m"
    assert existing["EVENTS_OUT"] is True
    assert existing["NOTIFY"] == {"EXPIRY_REMINDER_DAYS": [30, 7]}


def test_unset_values_are_not_written_so_the_plugin_derives_them(defaults_env: Path) -> None:
    text = fragment(settings_text(defaults_env, "lms"))
    for key in ("ISSUER_NAME", "BASE_URL", "VERIFY_RATE", "STORAGE", "PDF_SIGNING"):
        assert f'CERT_PLUGIN["{key}"]' not in text
    namespace = run_after_platform(settings_text(defaults_env, "lms"))  # no CERT_PLUGIN yet: created
    assert set(namespace["CERT_PLUGIN"]) == {"SIGNING_KEY"}


def test_each_installation_gets_its_own_ed25519_signing_key_unless_one_is_set(
    env: Path, defaults_env: Path
) -> None:
    from Crypto.PublicKey import ECC

    first = run_after_platform(settings_text(env, "lms"))["CERT_PLUGIN"]["SIGNING_KEY"]
    second = run_after_platform(settings_text(defaults_env, "lms"))["CERT_PLUGIN"]["SIGNING_KEY"]
    assert ECC.import_key(first).curve == "Ed25519"
    assert first != second
    # Studio signs nothing new but must load the same key as the LMS.
    assert run_after_platform(settings_text(env, "cms"))["CERT_PLUGIN"]["SIGNING_KEY"] == first
    operator_key = "-----BEGIN PRIVATE KEY-----\noperator\n-----END PRIVATE KEY-----"
    kept = run_after_platform(settings_text(env, "lms"), CERT_PLUGIN={"SIGNING_KEY": operator_key})
    assert kept["CERT_PLUGIN"]["SIGNING_KEY"] == operator_key


def test_a_signing_key_file_is_read_at_start_and_a_missing_one_says_what_to_do(tmp_path: Path) -> None:
    key = tmp_path / "cert-signing.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nfrom file\n-----END PRIVATE KEY-----\n")
    text = settings_text(
        configure(
            tmp_path / "root",
            f"CERT_PLUGIN_SIGNING_KEY_PATH={key}",
            "CERT_PLUGIN_PDF_SIGNING_PKCS12=/secrets/cert.p12",
            "CERT_PLUGIN_PDF_SIGNING_PASSPHRASE=s3cret",
        ),
        "lms",
    )
    settings = run_after_platform(text)["CERT_PLUGIN"]
    assert settings["SIGNING_KEY"].startswith("-----BEGIN PRIVATE KEY-----\nfrom file")
    assert settings["PDF_SIGNING"] == {"PKCS12": "/secrets/cert.p12", "PASSPHRASE": "s3cret"}

    key.unlink()
    django_exceptions = type(sys)("django.core.exceptions")
    django_exceptions.ImproperlyConfigured = type("ImproperlyConfigured", (Exception,), {})  # type: ignore[attr-defined]
    sys.modules.setdefault("django", type(sys)("django"))
    sys.modules.setdefault("django.core", type(sys)("django.core"))
    sys.modules["django.core.exceptions"] = django_exceptions
    try:
        with pytest.raises(Exception, match=r"CERT_PLUGIN_SIGNING_KEY_PATH .* cannot be read") as raised:
            run_after_platform(text)
        assert type(raised.value).__name__ == "ImproperlyConfigured"
        assert "mount the PEM file" in str(raised.value)
    finally:
        for name in ("django.core.exceptions", "django.core", "django"):
            sys.modules.pop(name, None)


# --- celery beat ------------------------------------------------------------------------------


def test_the_lms_beat_schedule_is_what_the_platforms_celery_app_reads(env: Path) -> None:
    from celery import Celery

    platform_schedule = {"platform-task": {"task": "lms.some_task", "schedule": 300.0}}
    namespace = run_after_platform(
        settings_text(env, "lms"),
        CELERYBEAT_SCHEDULE=platform_schedule,
        CELERY_DEFAULT_QUEUE="edx.lms.core.default",
        BROKER_URL="redis://redis:6379/0",
    )
    assert namespace["CELERYBEAT_SCHEDULE"] is platform_schedule
    assert "platform-task" in platform_schedule

    # The platform configures its Celery app like this (openedx/core/lib/celery/__init__.py).
    app = Celery("proj")
    app.config_from_object(type("Settings", (), {k: v for k, v in namespace.items() if k.isupper()}))
    schedule = app.conf.beat_schedule
    assert schedule["cert-plugin-relay-outbox"] == {
        "task": "cert_plugin.tasks.relay_outbox",
        "schedule": 60.0,
    }
    assert schedule["cert-plugin-expiry-reminders"] == {
        "task": "cert_plugin.tasks.send_expiry_reminders",
        "schedule": 86400.0,
    }
    assert app.conf.task_default_queue == "edx.lms.core.default"
    assert "CELERYBEAT_SCHEDULE" not in fragment(settings_text(env, "cms")), "Studio schedules nothing"


def test_a_beat_service_runs_the_schedule_in_docker_compose_and_kubernetes(env: Path) -> None:
    import yaml

    compose = yaml.safe_load((env / "local" / "docker-compose.prod.yml").read_text())
    beat = compose["services"]["cert-plugin-beat"]
    assert beat["command"][:3] == ["celery", "--app=lms.celery", "beat"]
    assert beat["environment"]["DJANGO_SETTINGS_MODULE"] == "lms.envs.tutor.production"
    assert beat["image"] == compose["services"]["lms-worker"]["image"]
    assert any(volume.startswith("../apps/openedx/settings/lms:") for volume in beat["volumes"])

    deployments = [doc for doc in yaml.safe_load_all((env / "k8s" / "deployments.yml").read_text()) if doc]
    k8s_beat = next(doc for doc in deployments if doc["metadata"]["name"] == "cert-plugin-beat")
    assert k8s_beat["spec"]["replicas"] == 1
    assert k8s_beat["spec"]["template"]["spec"]["containers"][0]["args"][:3] == [
        "celery",
        "--app=lms.celery",
        "beat",
    ]


def test_beat_can_be_left_to_the_operator(tmp_path: Path) -> None:
    env = configure(tmp_path, "CERT_PLUGIN_BEAT=false")
    assert "cert-plugin-beat" not in (env / "local" / "docker-compose.prod.yml").read_text()
    assert "CELERYBEAT_SCHEDULE" not in settings_text(env, "lms")


# --- the openedx image ------------------------------------------------------------------------


def test_the_image_gets_the_rendering_libraries_as_root_in_the_stage_production_builds_on(env: Path) -> None:
    dockerfile = (env / "build" / "openedx" / "Dockerfile").read_text()
    minimal = dockerfile[dockerfile.index("AS minimal") : dockerfile.index("AS python\n")]
    assert "FROM minimal AS production" in dockerfile, "the production image is built on that stage"
    assert "USER" not in minimal, "the stage runs as root, so apt can install"
    for package in (
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "fonts-dejavu-core",
        "fonts-noto-cjk",
        "libharfbuzz-subset0",
    ):
        assert package in minimal, package
    # The package names are Ubuntu 22.04's (jammy); a new base image must be checked against them.
    assert f"FROM docker.io/ubuntu:{BY_LINE[LINE]['ubuntu']} AS minimal" in dockerfile


def test_the_images_python_is_one_cert_plugin_supports(env: Path) -> None:
    dockerfile = (env / "build" / "openedx" / "Dockerfile").read_text()
    found = re.search(r"^ARG PYTHON_VERSION=(\d+\.\d+)\.\d+$", dockerfile, re.M)
    assert found
    assert found.group(1) == BY_LINE[LINE]["python"]
    setup = (REPOSITORY / "setup.py").read_text()
    assert f"Programming Language :: Python :: {found.group(1)}" in setup, "cert_plugin runs on it"


def run_command(dockerfile_run: str) -> str:
    """The shell command of a Dockerfile RUN instruction: its --mount options dropped."""
    return re.sub(r"^RUN\s+(--mount=\S+\s+\\\n\s*)*", "", dockerfile_run)


def test_the_image_installs_the_plugin_within_the_versions_the_image_already_has(
    env: Path, tmp_path: Path
) -> None:
    dockerfile = (env / "build" / "openedx" / "Dockerfile").read_text()
    stage = dockerfile[
        dockerfile.index("AS python-requirements") : dockerfile.index("AS nodejs-requirements")
    ]
    before, ours = stage[: stage.index("# cert_plugin")], stage[stage.index("# cert_plugin") :]
    assert "requirements/edx/base.txt -r" in before, "after the platform's requirements"
    # What Tutor installs over the platform's lock before the plugin: on Verawood a newer certifi.
    # Constraints taken from the lock would take it back down; the installed versions keep it.
    upgraded = re.findall(r'\$PIP_COMMAND install "(certifi)>=', before)
    assert tuple(upgraded) == BY_LINE[LINE]["upgrades_after_lock"]
    run = ours[ours.index("RUN ") : ours.index("\n\n") if "\n\n" in ours else len(ours)]
    assert "base.txt" not in run, "constraints come from what is installed, not from the older lock"

    # Run the rendered command with a stand-in for `uv pip` that answers `freeze` like the image's
    # venv (uv and pip both print name==version, git installs as URLs) and records the install.
    freeze = tmp_path / "freeze.txt"
    freeze.write_text(
        "certifi==2026.10.19\nDjango==5.2.10\nlxml==5.3.2\ndjango-redis==5.4.0\n"
        "edx-name-affirmation @ git+https://github.com/openedx/edx-name-affirmation@abc123\n"
        "-e git+https://example.org/x.git@abc#egg=x\nuwsgi==2.0.24\n"
    )
    pip = tmp_path / "pip"
    pip.write_text(
        '#!/bin/sh\ncase "$1" in\n  freeze) cat "$FREEZE" ;;\n'
        '  install) shift; echo "$@" > "$OUT/args";'
        ' [ "$1" = --constraint ] && cp "$2" "$OUT/constraints" ;;\n'
        "esac\n"
    )
    pip.chmod(0o755)
    command = run_command(run).replace("/tmp/", f"{tmp_path}/")
    shell_env = {**os.environ, "PIP_COMMAND": str(pip), "FREEZE": str(freeze), "OUT": str(tmp_path)}
    subprocess.run(["sh", "-c", command], env=shell_env, check=True)
    assert (tmp_path / "args").read_text().split()[-1] == "cert-plugin"
    assert (tmp_path / "constraints").read_text().split() == [
        "certifi==2026.10.19",
        "Django==5.2.10",
        "lxml==5.3.2",
        "django-redis==5.4.0",
        "uwsgi==2.0.24",
    ]
    assert not list(tmp_path.glob("cert-plugin-*.txt")), "its temporary files are removed"

    # A freeze that yields nothing stops the build rather than install without constraints.
    freeze.write_text("")
    (tmp_path / "args").unlink()
    failed = subprocess.run(["sh", "-c", command], env=shell_env, check=False)
    assert failed.returncode != 0
    assert not (tmp_path / "args").exists()


def test_the_pip_requirement_is_configurable(tmp_path: Path) -> None:
    env = configure(
        tmp_path, "CERT_PLUGIN_PIP_REQUIREMENT=cert-plugin==1.4.0", "CERT_PLUGIN_HONOUR_PLATFORM_PINS=false"
    )
    dockerfile = (env / "build" / "openedx" / "Dockerfile").read_text()
    assert "$PIP_COMMAND install 'cert-plugin==1.4.0'" in dockerfile
    assert "cert-plugin-platform-pins" not in dockerfile


# --- init -------------------------------------------------------------------------------------


def test_init_runs_the_plugins_migrations_in_the_lms(tmp_path: Path) -> None:
    code = (
        "from tutor import hooks, plugins\n"
        "from tutor.commands import jobs  # noqa: F401  (declares the core init tasks)\n"
        "hooks.Actions.CORE_READY.do()  # discovers the installed plugins\n"
        "plugins.load_all(['mfe', 'cert_plugin'])\n"
        "ours = hooks.Contexts.app('cert_plugin').name\n"
        "for service, task in hooks.Filters.CLI_DO_INIT_TASKS.iterate_from_context(ours):\n"
        "    print(service, '|', task)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TUTOR_ROOT": str(tmp_path)},
    )
    assert done.stdout.strip().splitlines() == ["lms | ./manage.py lms migrate cert_plugin --noinput"]


# --- MFE slots --------------------------------------------------------------------------------


def slots_per_line_in_the_frontend_doc() -> dict[str, set[str]]:
    """The per-release table of docs/integrations/open-edx-frontend.md (checked in the MFE repos):
    for each line, the slot ids it marks "yes"."""
    doc = (REPOSITORY / "docs" / "integrations" / "open-edx-frontend.md").read_text()
    header = "| MFE | slot id (alias) | props | Ulmo | Verawood | master |"
    assert header in doc, "the table's columns moved: update this reader"
    lines: dict[str, set[str]] = {"ulmo": set(), "verawood": set(), "master": set()}
    for row in doc[doc.index(header) :].splitlines()[2:]:
        if not row.startswith("|"):
            break
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        slot = re.match(r"`([^`]+)`", cells[1])
        assert slot, row
        for line, cell in zip(lines, cells[3:6], strict=True):
            if cell.strip("*") == "yes":
                lines[line].add(slot.group(1))
    return lines


def test_the_plugins_slot_table_is_the_one_checked_in_the_mfe_repositories() -> None:
    from tutorcertplugin.plugin import SLOTS_BY_LINE

    assert {line: set(slots) for line, slots in SLOTS_BY_LINE.items()} == slots_per_line_in_the_frontend_doc()


def rendered_blocks(env: Path) -> dict[str, str]:
    config = (env / "plugins" / "mfe" / "build" / "mfe" / "env.config.jsx").read_text()
    return dict(re.findall(r"if \(process\.env\.APP_ID == '([\w-]+)'\) \{(.*?)\n    \}", config, re.S))


def test_the_mfe_config_inserts_the_widgets_into_slots_of_this_line_in_the_right_mfes(env: Path) -> None:
    config = (env / "plugins" / "mfe" / "build" / "mfe" / "env.config.jsx").read_text()
    blocks = rendered_blocks(env)
    learning, dashboard = blocks["learning"], blocks["learner-dashboard"]
    emitted = set(re.findall(r"addPlugins\(config, '([^']+)'", config))
    assert emitted == {*LMS_SLOTS, DASHBOARD_SLOT}, "the same three slots on Ulmo and Verawood"
    assert emitted <= slots_per_line_in_the_frontend_doc()[LINE], f"only slots {LINE} has"
    for slot in LMS_SLOTS:
        assert f"addPlugins(config, '{slot}'" in learning
    assert f"addPlugins(config, '{DASHBOARD_SLOT}'" in dashboard
    # course_tab_links.v1: not a slot of Ulmo; on Verawood a slot link would repeat the wheel's
    # dynamic "Certificate" course tab, which the learning MFE already lists on every line.
    course_tab_links = "org.openedx.frontend.learning.course_tab_links.v1"
    assert (course_tab_links in slots_per_line_in_the_frontend_doc()[LINE]) is (LINE == "verawood")
    assert "course_tab_links" not in config
    assert "progress_certificate_status.v1" not in config, (
        "renders nothing when platform certificates are off"
    )
    # Each MFE defines the components it uses, before the slot operations that name them.
    assert learning.index("const CertPluginProgressSidePanel") < learning.index(
        "RenderWidget: CertPluginProgressSidePanel"
    )
    assert dashboard.index("const CertPluginMyCertificates") < dashboard.index(
        "RenderWidget: CertPluginMyCertificates"
    )
    for other, block in blocks.items():
        if other not in ("learning", "learner-dashboard"):
            assert "CertPlugin" not in block, other
    # Only modules both MFEs ship on both lines, imported the way tutor-mfe's runtime definitions require.
    imports = set(re.findall(r"await import\('([^']+)'\)", learning + dashboard))
    assert imports == {"react", "@edx/frontend-platform", "@edx/frontend-platform/auth"}
    assert not re.search(r"^\s*import .* from '\./src", config, re.M), "no MFE-internal module"
    assert "/certs/api/v1/courses/" in learning
    assert "/certs/api/v1/me/certificates/" in dashboard


FRONTEND_BASE_DASHBOARD = """\
# An operator's plugin serving the learner dashboard as a frontend-base app (tutor-mfe 22).
from tutormfe.hooks import FRONTEND_APPS


@FRONTEND_APPS.add()
def _dashboard_on_frontend_base(apps):
    apps["learner-dashboard"] = {**apps["learner-dashboard"], "enabled": True}
    return apps
"""


def test_a_frontend_base_learner_dashboard_gets_a_warning_not_a_broken_build(
    defaults_env: Path, tmp_path: Path
) -> None:
    import tutormfe.hooks

    assert hasattr(tutormfe.hooks, "FRONTEND_APPS") is BY_LINE[LINE]["frontend_base_apps"]
    if not BY_LINE[LINE]["frontend_base_apps"]:
        return  # Ulmo: every MFE reads env.config.jsx; nothing else to check
    warning = "the 'My certificates' card is not added to it"
    # By default tutor-mfe 22 still builds the learner dashboard as a legacy MFE: the card is there
    # and nothing is said (the warning comes with the configuration, on every tutor command).
    assert warning not in tutor(defaults_env.parent, "config", "printvalue", "MFE_HOST", stderr=True)
    assert "CertPluginMyCertificates" in rendered_blocks(defaults_env)["learner-dashboard"]

    root = tmp_path / "frontend-base"
    (root / "plugins").mkdir(parents=True)
    (root / "plugins" / "frontend_base_dashboard.py").write_text(FRONTEND_BASE_DASHBOARD)
    tutor(root, "plugins", "enable", "mfe", "cert_plugin", "frontend_base_dashboard")
    assert warning in tutor(root, "config", "save", stderr=True)
    site = root / "env" / "plugins" / "mfe" / "build" / "mfe" / "site"
    assert (site / "package.json").exists(), "tutor-mfe renders the frontend-base site"
    # The plugin does not opt into tutor-mfe's compatibility shim: the per-MFE files it renders
    # (env.config.<mfe>.jsx) carry no per-MFE definitions, so the card's component would be undefined.
    assert sorted(site.glob("src/env.config.*.jsx")) == []


def test_without_tutor_mfe_the_rest_still_renders(tmp_path: Path) -> None:
    import yaml

    env = configure(tmp_path, plugins=("cert_plugin",))
    assert yaml.safe_load((tmp_path / "config.yml").read_text())["PLUGINS"] == ["cert_plugin"]
    assert "cert_plugin.tasks.relay_outbox" in settings_text(env, "lms")


# --- MFE config compiled by a real JS toolchain -----------------------------------------------
# tutor-mfe renders one env.config.jsx that every MFE image copies; each image's webpack build
# (@openedx/frontend-build 14.6.2 in the release/ulmo lock files, 14.6.6 in release/verawood)
# substitutes process.env.APP_ID and compiles the JSX with Babel's automatic runtime (frontend-build
# config/babel.config.js). esbuild, from the npm registry through package-lock.json (`npm ci`, run
# by `make test-tutor`), does the same here, on the file each line's tutor-mfe renders.

PLUGIN_DIR = Path(__file__).resolve().parents[1]
ESBUILD = PLUGIN_DIR / "node_modules" / ".bin" / "esbuild"
# Packages both MFEs depend on in release/ulmo and release/verawood alike (package.json of
# frontend-app-learning and frontend-app-learner-dashboard): what a widget may import. Anything
# else fails the build or, since the imports sit in tutor-mfe's try block, breaks the slots at
# run time.
MFE_PACKAGES = {"react", "@edx/frontend-platform", "@openedx/frontend-plugin-framework", "@openedx/paragon"}
WIDGET_IDS = {
    "learning": ("cert_plugin_progress_side_panel", "cert_plugin_progress_main_body"),
    "learner-dashboard": ("cert_plugin_my_certificates",),
}


def mfe_config(env: Path) -> Path:
    return env / "plugins" / "mfe" / "build" / "mfe" / "env.config.jsx"


def require_esbuild() -> None:
    found = {"node": shutil.which("node") is not None, "esbuild": ESBUILD.exists()}
    missing = " and ".join(name for name, there in found.items() if not there)
    if missing:
        message = f"{missing} not found: run `npm ci` in tutor-cert-plugin/ (`make test-tutor` does)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(message)  # CI must compile the file, never silently skip it
        pytest.skip(message)


def compile_for(
    app_id: str, config: Path, out: Path
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Bundle env.config.jsx as the MFE's build would: the metafile lists what the output imports.

    Every import is left external (``--external:*``): esbuild keeps an import it cannot resolve
    inside a try block without an error, so the import list is checked from the metafile instead.
    """
    require_esbuild()
    meta = out / f"{app_id}.meta.json"
    done = subprocess.run(
        [
            str(ESBUILD),
            str(config),
            "--bundle",
            "--format=esm",
            "--loader:.jsx=jsx",
            "--jsx=automatic",
            f"--define:process.env.APP_ID={json.dumps(app_id)}",
            "--minify-syntax",  # folds the other MFEs' APP_ID branches away
            "--external:*",
            f"--metafile={meta}",
            f"--outfile={out / f'{app_id}.js'}",
            "--log-level=error",
            "--color=false",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return done, (json.loads(meta.read_text()) if done.returncode == 0 else {})


def imported_modules(metafile: dict[str, Any]) -> set[str]:
    return {imported["path"] for output in metafile["outputs"].values() for imported in output["imports"]}


def foreign_imports(modules: set[str]) -> set[str]:
    """Modules outside the MFE's own dependencies (relative paths included)."""

    def package(module: str) -> str:
        parts = module.split("/")
        return "/".join(parts[:2]) if module.startswith("@") else parts[0]

    return {module for module in modules if package(module) not in MFE_PACKAGES}


@pytest.mark.parametrize("app_id", sorted(WIDGET_IDS))
def test_each_mfes_env_config_compiles_and_imports_only_what_the_mfe_has(
    env: Path, tmp_path: Path, app_id: str
) -> None:
    done, metafile = compile_for(app_id, mfe_config(env), tmp_path)
    assert done.returncode == 0, f"esbuild could not compile env.config.jsx for {app_id}:\n{done.stderr}"
    compiled = (tmp_path / f"{app_id}.js").read_text()
    for other, widget_ids in WIDGET_IDS.items():
        for widget_id in widget_ids:
            assert (widget_id in compiled) is (other == app_id), f"{widget_id} in the {app_id} build"
    modules = imported_modules(metafile)
    assert foreign_imports(modules) == set(), f"{app_id} does not have these modules"
    assert {"react", "@edx/frontend-platform", "@edx/frontend-platform/auth"} <= modules
    assert "react/jsx-runtime" in modules, "JSX compiled with the automatic runtime, as frontend-build does"


def test_the_compile_check_catches_a_syntax_error_and_a_foreign_import(env: Path, tmp_path: Path) -> None:
    text = mfe_config(env).read_text()
    anchor = "const CertPluginProgressSidePanel ="
    assert anchor in text

    broken = tmp_path / "broken" / "env.config.jsx"
    broken.parent.mkdir()
    broken.write_text(text.replace(anchor, "const CertPluginBroken = () => <section></div>;\n" + anchor, 1))
    done, _ = compile_for("learning", broken, broken.parent)
    assert done.returncode != 0
    line = text[: text.index(anchor)].count("\n") + 1
    assert f"env.config.jsx:{line}:" in done.stderr, done.stderr

    foreign = tmp_path / "foreign" / "env.config.jsx"
    foreign.parent.mkdir()
    foreign.write_text(
        text.replace(anchor, "const { x } = await import('./src/progress-tab/utils');\n" + anchor, 1)
    )
    done, metafile = compile_for("learning", foreign, foreign.parent)
    assert done.returncode == 0, "an unresolvable import in the try block is no esbuild error..."
    found = foreign_imports(imported_modules(metafile))
    assert found == {"./src/progress-tab/utils"}, "...the import list check finds it"
