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
import shlex
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
# The learner dashboard's src/hooks/index.js differs too (frontend-app-learner-dashboard
# release/ulmo 2b1c56e8, release/verawood 28a5e70a): "dashboard_hooks" is the export the course card
# action needs, "dashboard_hooks_stub" a stand-in exporting what that line's module exports for it
# (and not the other line's name), so a config built for the wrong line fails when it runs.
ULMO_DASHBOARD_HOOKS = """\
export const reduxHooks = {
  useCardCourseRunData: (cardId) => ({ courseId: `course-v1:Northwind+${cardId}+2026` }),
};
export const apiHooks = {};
export const utilHooks = {};
"""
VERAWOOD_DASHBOARD_HOOKS = """\
export const useCourseData = (cardId) => ({ courseRun: { courseId: `course-v1:Northwind+${cardId}+2026` } });
export const utilHooks = {};
export const useCourseTrackingEvent = () => () => {};
"""
BY_LINE: dict[str, dict[str, Any]] = {
    "ulmo": {
        "ubuntu": "22.04",
        "python": "3.11",
        "upgrades_after_lock": (),
        "frontend_base_apps": False,
        "dashboard_hooks": "reduxHooks",
        "dashboard_hooks_stub": ULMO_DASHBOARD_HOOKS,
    },
    "verawood": {
        "ubuntu": "22.04",
        "python": "3.12",
        # Tutor 22 upgrades certifi past the platform's pin (compromised emSign roots) after
        # installing requirements/edx/base.txt and before the plugin's patch.
        "upgrades_after_lock": ("certifi",),
        # tutor-mfe 22 can serve some MFEs as frontend-base apps (FRONTEND_APPS).
        "frontend_base_apps": True,
        "dashboard_hooks": "useCourseData",
        "dashboard_hooks_stub": VERAWOOD_DASHBOARD_HOOKS,
    },
}
LMS_SLOTS = (
    "org.openedx.frontend.learning.progress_tab_certificate_status_side_panel.v1",
    "org.openedx.frontend.learning.progress_tab_certificate_status_main_body.v1",
)
DASHBOARD_SLOT = "org.openedx.frontend.learner_dashboard.widget_sidebar.v1"
CARD_ACTION_SLOT = "org.openedx.frontend.learner_dashboard.course_card_action.v1"
# The MFE widgets' npm package (frontend/ in this repository) and the MFEs whose images install it.
NPM_PACKAGE = "cert-plugin-frontend"
WIDGET_MFES = ("learning", "learner-dashboard")


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
    # The course card slot is in every line, but its widget needs the dashboard's own hook for a
    # card's course id, which the plugin knows only for the lines it knows: left out.
    assert CARD_ACTION_SLOT in common
    assert [widget[1] for widget in plugin.widgets_of("")] == [*LMS_SLOTS, DASHBOARD_SLOT]
    for line in ("ulmo", "verawood", "master"):
        assert {widget[1] for widget in plugin.widgets_of(line)} == {
            *LMS_SLOTS,
            DASHBOARD_SLOT,
            CARD_ACTION_SLOT,
        }


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
    """The shell command of a Dockerfile RUN instruction, as Docker hands it to the shell: lines
    continued with a backslash joined (also inside quotes, which the shell alone would keep), its
    --mount options dropped."""
    return re.sub(r"^RUN\s+(--mount=\S+\s+)*", "", re.sub(r"\\\n", "", dockerfile_run))


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
    assert emitted == {*LMS_SLOTS, DASHBOARD_SLOT, CARD_ACTION_SLOT}, (
        "the same four slots on Ulmo and Verawood"
    )
    assert emitted <= slots_per_line_in_the_frontend_doc()[LINE], f"only slots {LINE} has"
    for slot in LMS_SLOTS:
        assert f"addPlugins(config, '{slot}'" in learning
    for slot in (DASHBOARD_SLOT, CARD_ACTION_SLOT):
        assert f"addPlugins(config, '{slot}'" in dashboard
    # course_tab_links.v1: not a slot of Ulmo; on Verawood a slot link would repeat the wheel's
    # dynamic "Certificate" course tab, which the learning MFE already lists on every line.
    course_tab_links = "org.openedx.frontend.learning.course_tab_links.v1"
    assert (course_tab_links in slots_per_line_in_the_frontend_doc()[LINE]) is (LINE == "verawood")
    assert "course_tab_links" not in config
    assert "progress_certificate_status.v1" not in config, (
        "renders nothing when platform certificates are off"
    )
    # Each MFE takes the components from the package, before the slot operations that name them.
    for block, components in (
        (learning, ("CertPluginProgressSidePanel", "CertPluginProgressMainBody")),
        (dashboard, ("CertPluginMyCertificates", "CertPluginCourseCardAction")),
    ):
        for component in components:
            assert block.index(f"const {component} =") < block.index(f"RenderWidget: {component}")
    for other, block in blocks.items():
        if other not in WIDGET_MFES:
            assert "CertPlugin" not in block, other
    # The package only inside the two MFEs' blocks (their images install it; tutor-mfe requires
    # import() there); nothing MFE-internal in the learning MFE.
    assert config.count(f"await import('{NPM_PACKAGE}')") == 2
    assert (
        learning.count(f"await import('{NPM_PACKAGE}')")
        == dashboard.count(f"await import('{NPM_PACKAGE}')")
        == 1
    )
    assert set(re.findall(r"await import\('([^']+)'\)", learning)) == {NPM_PACKAGE}
    assert set(re.findall(r"await import\('([^']+)'\)", dashboard)) == {NPM_PACKAGE, "./src/hooks"}
    assert not re.search(r"^\s*import .* from ", config, re.M), "no static import: tutor-mfe's try block"
    # The course card's course id comes from this line's own dashboard hook.
    hooks_used = re.findall(r"const \{ (\w+): \w+ \} = await import\('\./src/hooks'\)", dashboard)
    assert hooks_used == [BY_LINE[LINE]["dashboard_hooks"]]
    other_line_hook = {"reduxHooks": "useCourseData", "useCourseData": "reduxHooks"}[hooks_used[0]]
    assert other_line_hook not in dashboard


def test_the_dashboard_definitions_branch_on_exactly_the_lines_whose_hook_the_plugin_knows() -> None:
    """The runtime-definitions patches as Tutor renders them for every line, the unknown one included:
    they define exactly the components of plugin.widgets_of(line), i.e. of the slot operations."""
    import jinja2
    from tutorcertplugin import plugin

    patches = Path(plugin.HERE) / "patches"
    expected_hooks = {
        "ulmo": ["reduxHooks"],
        "verawood": ["useCourseData"],
        "master": ["useCourseData"],
        "": [],
    }
    for line, hooks in expected_hooks.items():
        rendered = {
            mfe: jinja2.Environment(undefined=jinja2.StrictUndefined)
            .from_string((patches / f"mfe-env-config-runtime-definitions-{mfe}").read_text())
            .render(CERT_PLUGIN_RELEASE_LINE=line)
            for mfe in WIDGET_MFES
        }
        defined = {
            (mfe, name)
            for mfe, text in rendered.items()
            for name in re.findall(r"^const (CertPlugin\w+) =", text, re.M)
        }
        assert defined == {(mfe, component) for mfe, _, _, component in plugin.widgets_of(line)}, line
        dashboard = rendered["learner-dashboard"]
        assert (
            re.findall(r"^const \{ (\w+): \w+ \} = await import\('\./src/hooks'\);", dashboard, re.M) == hooks
        )
        assert ("./src/hooks" in dashboard) is bool(hooks), "no MFE-internal import for an unknown line"
        assert "./src/hooks" not in rendered["learning"]
    assert plugin.RELEASE_LINE == LINE


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
    warning = "the 'My certificates' card and the course cards' certificate action are not added to it"
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


# --- the MFE images -----------------------------------------------------------------------------


def mfe_dockerfile(env: Path) -> str:
    return (env / "plugins" / "mfe" / "build" / "mfe" / "Dockerfile").read_text()


def dockerfile_stages(dockerfile: str) -> dict[str, str]:
    """Each stage of a multi-stage Dockerfile by its name, from its FROM line to the next one."""
    stages = {}
    for part in re.split(r"^(?=FROM )", dockerfile, flags=re.M)[1:]:
        named = re.match(r"FROM \S+ AS ([\w.-]+)\n", part)
        assert named, part.splitlines()[0]
        stages[named.group(1)] = part
    return stages


def our_npm_install(stage: str) -> str:
    """The plugin's RUN instruction in an MFE stage: from the RUN after its comment to the first line
    that does not continue."""
    start = stage.index("RUN ", stage.index("# cert_plugin (tutor-cert-plugin)"))
    lines = []
    for line in stage[start:].splitlines():
        lines.append(line)
        if not line.endswith("\\"):
            break
    return "\n".join(lines)


def test_only_the_learning_and_learner_dashboard_images_install_the_widgets_package(env: Path) -> None:
    from tutorcertplugin import __version__

    stages = dockerfile_stages(mfe_dockerfile(env))
    assert {"learning-common", "learner-dashboard-common", "account-common"} <= set(stages)
    ours = {name for name, stage in stages.items() if "cert_plugin" in stage or NPM_PACKAGE in stage}
    assert ours == {f"{mfe}-common" for mfe in WIDGET_MFES}, (
        "the two MFEs' stages (dev and prod build on them)"
    )
    # The package's default: its own version, the plugin's (frontend/package.json in this repository).
    default = tutor(env.parent, "config", "printvalue", "CERT_PLUGIN_MFE_NPM_PACKAGE").strip()
    assert default == f"{NPM_PACKAGE}@{__version__}"
    frontend = json.loads((REPOSITORY / "frontend" / "package.json").read_text())
    assert (frontend["name"], frontend["version"]) == (NPM_PACKAGE, __version__)
    for mfe in WIDGET_MFES:
        stage = stages[f"{mfe}-common"]
        run = our_npm_install(stage)
        # After the MFE's own `npm clean-install` from its lock, before its source is copied in.
        assert (
            stage.index("npm clean-install")
            < stage.index(run)
            < stage.index(f"COPY --from={mfe}-src / /openedx/app")
        )
        words = shlex.split(run_command(run))
        install = words.index("install")
        assert words[install - 1 : install + 6] == [
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--registry=$NPM_REGISTRY",
            f"{NPM_PACKAGE}@{__version__}",
        ]
        assert "--mount=type=cache,target=/root/.npm,sharing=shared" in run, "the npm cache tutor-mfe uses"


NPM_STAND_IN = """\
#!/bin/sh
# npm as the MFE image's build would run it: records its arguments, leaves node_modules as $AFTER says.
printf '%s\\n' "$@" > "$OUT/npm-args"
cp "$AFTER" node_modules/.package-lock.json
"""


def test_the_widgets_package_is_installed_as_set_and_nothing_the_mfe_lock_installed_may_move(
    tmp_path: Path,
) -> None:
    # A signed tarball URL: `&`, `$`, `#` and `'` must reach npm as they are, through the shell.
    package = "https://files.example.org/npm/cert-plugin-frontend-0.1.0.tgz?expires=1767225600&sig=a'b$HOME#x"
    env = configure(tmp_path / "root", f"CERT_PLUGIN_MFE_NPM_PACKAGE={package}")
    stages = dockerfile_stages(mfe_dockerfile(env))
    runs = {our_npm_install(stages[f"{mfe}-common"]) for mfe in WIDGET_MFES}
    assert len(runs) == 1, "the same install in both MFEs"
    require_esbuild()  # node runs the check after npm

    # node_modules as the MFE's `npm clean-install` left it (npm's hidden lock file lists it).
    app = tmp_path / "app"
    (app / "node_modules").mkdir(parents=True)
    installed = {
        "node_modules/react": {"version": "18.3.1"},
        "node_modules/@openedx/paragon": {"version": "23.19.2"},
    }
    (app / "node_modules" / ".package-lock.json").write_text(json.dumps({"packages": installed}))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "npm").write_text(NPM_STAND_IN)
    (bin_dir / "npm").chmod(0o755)
    after = tmp_path / "after.json"
    command = run_command(runs.pop()).replace("/tmp/", f"{tmp_path}/")
    shell_env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "NPM_REGISTRY": "https://registry.example.org/",
        "OUT": str(tmp_path),
        "AFTER": str(after),
    }

    def build(packages: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        after.write_text(json.dumps({"packages": packages}))
        return subprocess.run(["sh", "-c", command], cwd=app, env=shell_env, capture_output=True, text=True)

    added = build({**installed, "node_modules/cert-plugin-frontend": {"version": "0.1.0"}})
    assert added.returncode == 0, added.stderr
    assert (tmp_path / "npm-args").read_text().splitlines() == [
        "install",
        "--no-audit",
        "--no-fund",
        "--no-save",
        "--registry=https://registry.example.org/",
        package,
    ]
    assert not list(tmp_path.glob("cert-plugin-npm-*")), "its temporary file is removed"

    # npm may replace an installed package to meet the package's peer range: the build stops.
    moved = build(
        {
            "node_modules/react": {"version": "19.0.0"},
            "node_modules/cert-plugin-frontend": {"version": "0.1.0"},
        }
    )
    assert moved.returncode != 0
    assert "moved node_modules/react from 18.3.1 to 19.0.0" in moved.stderr
    assert "moved node_modules/@openedx/paragon from 23.19.2 to nothing" in moved.stderr


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
# What else the plugin's definitions may import, per MFE: the widgets' package, which only these two
# MFEs' images install (mfe-dockerfile-post-npm-install-<mfe>), and the learner dashboard's own
# src/hooks (a course card's course id; ./src/hooks from env.config.jsx, which tutor-mfe copies to
# the MFE's root). Every other MFE: nothing.
WIDGET_MODULES = {"learning": {NPM_PACKAGE}, "learner-dashboard": {NPM_PACKAGE, "./src/hooks"}}
WIDGET_IDS = {
    "learning": ("cert_plugin_progress_side_panel", "cert_plugin_progress_main_body"),
    "learner-dashboard": ("cert_plugin_my_certificates", "cert_plugin_course_card_action"),
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


def foreign_imports(modules: set[str], app_id: str) -> set[str]:
    """Modules outside what the MFE has: its own dependencies, and what WIDGET_MODULES gives it
    (any other relative path is foreign)."""

    def package(module: str) -> str:
        parts = module.split("/")
        return "/".join(parts[:2]) if module.startswith("@") else parts[0]

    allowed = WIDGET_MODULES.get(app_id, set())
    return {module for module in modules if package(module) not in MFE_PACKAGES and module not in allowed}


@pytest.mark.parametrize("app_id", [*sorted(WIDGET_IDS), "account"])
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
    assert foreign_imports(modules, app_id) == set(), f"{app_id} does not have these modules"
    # tutor-mfe's own import, and ours where they are allowed (not vacuously: they are there).
    assert modules == {"@openedx/frontend-plugin-framework", *WIDGET_MODULES.get(app_id, set())}
    # The package is imported exactly where the rendered MFE Dockerfile installs it.
    installing = {
        name for name, stage in dockerfile_stages(mfe_dockerfile(env)).items() if NPM_PACKAGE in stage
    }
    assert (NPM_PACKAGE in modules) is (f"{app_id}-common" in installing)


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
        text.replace(
            anchor,
            "const { x } = await import('./src/progress-tab/utils');\n"
            # the learner dashboard's own module, not the learning MFE's
            "const { reduxHooks } = await import('./src/hooks');\n" + anchor,
            1,
        )
    )
    done, metafile = compile_for("learning", foreign, foreign.parent)
    assert done.returncode == 0, "an unresolvable import in the try block is no esbuild error..."
    found = foreign_imports(imported_modules(metafile), "learning")
    assert found == {"./src/progress-tab/utils", "./src/hooks"}, "...the import list check finds it"


# --- the compiled config, run ------------------------------------------------------------------
# The file each MFE's build compiles, bundled with stand-ins for what it imports (the plugin
# framework, the widgets' package, the learner dashboard's src/hooks of this line) and run by node:
# setConfig() must return the package's components in the right slots, and the course card action
# must get its course id through the hook this line's dashboard has.

PACKAGE_STAND_IN = """\
const component = (name) => Object.assign(() => null, { exportName: name });
export const ProgressTabSidePanel = component('ProgressTabSidePanel');
export const ProgressTabMainBody = component('ProgressTabMainBody');
export const MyCertificatesWidget = component('MyCertificatesWidget');
export const courseCardAction = (useCourseIdOfCard) => Object.assign(
  ({ cardId }) => useCourseIdOfCard(cardId), { exportName: 'courseCardAction' },
);
"""
FRAMEWORK_STAND_IN = """\
export const DIRECT_PLUGIN = 'direct';
export const PLUGIN_OPERATIONS = { Insert: 'insert' };
"""
RUN_CONFIG = """\
const { default: setConfig } = await import(process.argv[2]);
const errors = [];
console.error = (...args) => errors.push(args.map(String).join(' '));
const config = await setConfig();
const slots = Object.fromEntries(Object.entries(config.pluginSlots).map(([slot, slotConfig]) => [
  slot,
  {
    keepDefault: slotConfig.keepDefault,
    plugins: slotConfig.plugins.map(({ op, widget }) => ({
      op,
      id: widget.id,
      type: widget.type,
      component: widget.RenderWidget?.exportName ?? null,
      // A course card action, rendered for the second card: what the line's hook gave it.
      ...(slot.endsWith('.course_card_action.v1')
        ? { courseId: widget.RenderWidget({ cardId: 'card-1' }) } : {}),
    })),
  },
]));
process.stdout.write(JSON.stringify({ slots, errors }));
"""


def test_the_compiled_config_gives_each_slot_the_packages_widget_and_cards_their_course_by_the_lines_hook(
    env: Path, tmp_path: Path
) -> None:
    require_esbuild()
    app = tmp_path / "app"  # the MFE's root, where tutor-mfe copies env.config.jsx
    stand_ins = {
        "node_modules/@openedx/frontend-plugin-framework/index.js": FRAMEWORK_STAND_IN,
        f"node_modules/{NPM_PACKAGE}/index.js": PACKAGE_STAND_IN,
        "src/hooks/index.js": BY_LINE[LINE]["dashboard_hooks_stub"],
        "env.config.jsx": mfe_config(env).read_text(),
    }
    for path, text in stand_ins.items():
        (app / path).parent.mkdir(parents=True, exist_ok=True)
        (app / path).write_text(text)
    (tmp_path / "run.mjs").write_text(RUN_CONFIG)

    def insert(widget_id: str, component: str, **rendered: str) -> dict[str, Any]:
        return {"op": "insert", "id": widget_id, "type": "direct", "component": component, **rendered}

    expected: dict[str, dict[str, list[dict[str, Any]]]] = {
        "learning": {
            LMS_SLOTS[0]: [insert("cert_plugin_progress_side_panel", "ProgressTabSidePanel")],
            LMS_SLOTS[1]: [insert("cert_plugin_progress_main_body", "ProgressTabMainBody")],
        },
        "learner-dashboard": {
            DASHBOARD_SLOT: [insert("cert_plugin_my_certificates", "MyCertificatesWidget")],
            CARD_ACTION_SLOT: [
                insert(
                    "cert_plugin_course_card_action",
                    "courseCardAction",
                    courseId="course-v1:Northwind+card-1+2026",
                )
            ],
        },
        "account": {},
    }
    for app_id, slots in expected.items():
        bundle = tmp_path / f"{app_id}.mjs"
        subprocess.run(
            [
                str(ESBUILD),
                str(app / "env.config.jsx"),
                "--bundle",
                "--format=esm",
                "--platform=node",
                "--loader:.jsx=jsx",
                "--jsx=automatic",
                f"--define:process.env.APP_ID={json.dumps(app_id)}",
                f"--outfile={bundle}",
                "--log-level=error",
            ],
            check=True,
        )
        done = subprocess.run(
            ["node", str(tmp_path / "run.mjs"), bundle.as_uri()], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"the {app_id} config or its widgets failed:\n{done.stderr}"
        result = json.loads(done.stdout)
        assert result["errors"] == [], f"setConfig failed in {app_id}: {result['errors']}"
        assert result["slots"] == {
            slot: {"keepDefault": True, "plugins": plugins} for slot, plugins in slots.items()
        }, app_id
