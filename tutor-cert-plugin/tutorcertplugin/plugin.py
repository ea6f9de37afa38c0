"""Tutor plugin for cert_plugin: ``tutor plugins enable cert_plugin``.

What it adds (docs/integrations/tutor.md says the same for operators):

- the openedx image: the cert-plugin package, installed within the platform's own pins, and the
  Debian/Ubuntu libraries and fonts rendering needs;
- LMS and Studio settings: ``CERT_PLUGIN`` keys set one by one, after the plugin's own defaults;
- ``tutor local do init``: the plugin's migrations;
- a celery beat service that relays the task outbox every minute and queues the expiry reminders
  once a day (Tutor runs no beat of its own);
- with tutor-mfe: the cert-plugin-frontend npm package, installed into the learning and
  learner-dashboard MFE images only, and its widgets in those MFEs' plugin slots: only slots that
  exist in the Open edX release line the installed Tutor builds (Tutor 21: Ulmo, Tutor 22: Verawood),
  and a widget that needs one of the MFE's own hooks only on a line whose hook the plugin knows.

Every patch lives in ``patches/<patch name>`` so it can be read as it will be rendered.
"""

from __future__ import annotations

import os
import typing as t
from glob import glob

from tutor import env as tutor_env
from tutor import hooks
from tutor.__about__ import __version_suffix__

from . import __version__

HERE = os.path.abspath(os.path.dirname(__file__))

# Values operators change with `tutor config save --set NAME=value`. None means "not set": the key is
# not written into CERT_PLUGIN, so the plugin's own default (or run-time derivation) applies.
hooks.Filters.CONFIG_DEFAULTS.add_items(
    [
        ("CERT_PLUGIN_VERSION", __version__),
        # What `pip install` gets in the image: a version spec, a wheel URL, or a git URL.
        ("CERT_PLUGIN_PIP_REQUIREMENT", "cert-plugin"),
        # Install within edx-platform's pinned versions (requirements/edx/base.txt) so nothing the
        # platform pins is upgraded underneath it.
        ("CERT_PLUGIN_HONOUR_PLATFORM_PINS", True),
        # What `npm install` gets in the learning and learner-dashboard MFE images: the MFE widgets'
        # package (frontend/ in this repository, the same version as the plugin), as a version spec,
        # a tarball URL or a git URL.
        ("CERT_PLUGIN_MFE_NPM_PACKAGE", "cert-plugin-frontend@{{ CERT_PLUGIN_VERSION }}"),
        ("CERT_PLUGIN_ISSUER_NAME", None),
        ("CERT_PLUGIN_BASE_URL", None),
        ("CERT_PLUGIN_VERIFY_RATE", None),
        ("CERT_PLUGIN_STORAGE", None),
        # A PEM file inside the containers; takes precedence over CERT_PLUGIN_SIGNING_KEY.
        ("CERT_PLUGIN_SIGNING_KEY_PATH", None),
        ("CERT_PLUGIN_PDF_SIGNING_PKCS12", None),
        ("CERT_PLUGIN_PDF_SIGNING_PASSPHRASE", None),
        # Any other CERT_PLUGIN key, e.g. {"EVENTS_OUT": true, "NOTIFY": {...}}; each key set on its own.
        ("CERT_PLUGIN_EXTRA_SETTINGS", {}),
        # celery beat: a service of its own (one scheduler, whatever the number of workers).
        ("CERT_PLUGIN_BEAT", True),
        ("CERT_PLUGIN_RELAY_EVERY_SECONDS", 60),
        ("CERT_PLUGIN_REMINDERS_EVERY_SECONDS", 86400),
        (
            "CERT_PLUGIN_APT_PACKAGES",
            [
                "libpango-1.0-0",
                "libpangoft2-1.0-0",  # WeasyPrint's text layout
                "fonts-dejavu-core",  # Latin, Arabic and Hebrew glyphs
                "fonts-noto-cjk",  # Chinese and Japanese names print as glyphs, not boxes
            ],
        ),
    ]
)

# Generated once per installation by `tutor config save` and kept in config.yml with Tutor's other
# secrets: the Ed25519 key that signs certificate snapshots. Rotating it is safe (every public key
# that ever signed is kept by the plugin, so older certificates keep verifying).
hooks.Filters.CONFIG_UNIQUE.add_items(
    [
        ("CERT_PLUGIN_SIGNING_KEY", "{{ 'ed25519'|cert_plugin_private_key }}"),
    ]
)


def _private_key(kind: str) -> str:
    """A new private key, PEM (PKCS#8), for a CONFIG_UNIQUE default; pycryptodome ships with Tutor."""
    if kind != "ed25519":
        raise ValueError(f"cert_plugin_private_key: unsupported key type {kind!r} (only 'ed25519')")
    from Crypto.PublicKey import ECC

    return str(ECC.generate(curve="Ed25519").export_key(format="PEM"))


def _python_literal(value: t.Any) -> str:
    """Render a config value as a Python literal in a settings file (quotes, newlines, dicts)."""
    return repr(value)


def _shell_word(value: t.Any) -> str:
    """Render a config value as one word of a Dockerfile RUN line: single-quoted for a POSIX shell
    (a URL's ``&``, ``$``, ``#`` or ``'`` stays part of the word). A newline would end the Dockerfile
    instruction, so it is refused rather than rendered."""
    text = str(value)
    if "\n" in text or "\r" in text:
        raise ValueError(f"cert_plugin_sh: a newline cannot be part of a Dockerfile RUN word: {text!r}")
    return "'" + text.replace("'", "'\"'\"'") + "'"


hooks.Filters.ENV_TEMPLATE_FILTERS.add_items(
    [
        ("cert_plugin_private_key", _private_key),
        ("cert_plugin_py", _python_literal),
        ("cert_plugin_sh", _shell_word),
    ]
)

# The plugin's tables: Tutor's own lms init runs the full `migrate` too; this keeps the plugin's
# migrations explicit, and `tutor local do init --limit=cert_plugin` runs just them.
hooks.Filters.CLI_DO_INIT_TASKS.add_item(
    ("lms", "./manage.py lms migrate cert_plugin --noinput"),
    priority=hooks.priorities.LOW,
)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


for _path in sorted(glob(os.path.join(HERE, "patches", "*"))):
    hooks.Filters.ENV_PATCHES.add_item((os.path.basename(_path), _read(_path)))

# The same CERT_PLUGIN keys in the LMS and in Studio (both load the plugin).
_SETTINGS = _read(os.path.join(HERE, "settings", "cert_plugin_settings.py.j2"))
_BEAT = _read(os.path.join(HERE, "settings", "lms_beat_schedule.py.j2"))
_END = "\n# end of cert_plugin (tutor-cert-plugin)\n"
hooks.Filters.ENV_PATCHES.add_items(
    [
        ("openedx-lms-common-settings", _SETTINGS + _BEAT + _END),
        ("openedx-cms-common-settings", _SETTINGS + _END),
    ]
)

# MFE widgets, through tutor-mfe (optional: without it the rest of the plugin works alone).
try:
    from tutormfe.hooks import PLUGIN_SLOTS
except ImportError:  # pragma: no cover - tutor-mfe not installed
    PLUGIN_SLOTS = None


def release_line() -> str:
    """The Open edX release line this Tutor builds: "ulmo" (Tutor 21), "verawood" (Tutor 22), "master"
    (Tutor Nightly, which has a version suffix), or "" for a Tutor newer than this plugin knows.

    The same rule as Tutor's own plugin index (tutor/plugins/indexes.py: the version suffix, else
    tutor.env.get_current_open_edx_release_name()). tutor-mfe builds the MFEs' branch of that line:
    MFE_COMMON_VERSION defaults to OPENEDX_COMMON_VERSION (release/ulmo.*, release/verawood.*).
    """
    if __version_suffix__:
        return "master"
    try:
        return tutor_env.get_current_open_edx_release_name()
    except KeyError:  # a Tutor release after this plugin
        return ""


LEARNING = "org.openedx.frontend.learning."
DASHBOARD = "org.openedx.frontend.learner_dashboard."
# The slot ids each release line's MFEs have, as checked in frontend-app-learning and
# frontend-app-learner-dashboard (src/plugin-slots/<Slot>/index.jsx on release/ulmo,
# release/verawood and master; the table in docs/integrations/open-edx-frontend.md, which the
# tests compare with this one). Only the slots a certificate widget could use are listed.
_ULMO_SLOTS = frozenset(
    {
        LEARNING + "progress_tab_certificate_status_side_panel.v1",
        LEARNING + "progress_tab_certificate_status_main_body.v1",
        LEARNING + "progress_certificate_status.v1",
        DASHBOARD + "course_card_action.v1",
        DASHBOARD + "widget_sidebar.v1",
    }
)
SLOTS_BY_LINE: dict[str, frozenset[str]] = {
    "ulmo": _ULMO_SLOTS,
    # course_tab_links.v1 first exists in Verawood. The plugin does not use it: the wheel's dynamic
    # course tab ("Certificate", cert_plugin.course_tab) is already in that tab list on every line,
    # so a slot link would show the tab twice.
    "verawood": _ULMO_SLOTS | {LEARNING + "course_tab_links.v1"},
    "master": _ULMO_SLOTS | {LEARNING + "course_tab_links.v1"},
}


def slots_of(line: str) -> frozenset[str]:
    """Slot ids of a release line; for an unknown line, only the slots every known line has."""
    return SLOTS_BY_LINE.get(line) or frozenset.intersection(*SLOTS_BY_LINE.values())


# (MFE, slot id, widget id, component). The components come from the cert-plugin-frontend package,
# imported in the mfe-env-config-runtime-definitions-<mfe> patches (patches/ directory), which the
# mfe-dockerfile-post-npm-install-<mfe> patches install into those two MFEs' images.
MFE_WIDGETS: list[tuple[str, str, str, str]] = [
    (
        "learning",
        LEARNING + "progress_tab_certificate_status_side_panel.v1",
        "cert_plugin_progress_side_panel",
        "CertPluginProgressSidePanel",
    ),
    (
        "learning",
        LEARNING + "progress_tab_certificate_status_main_body.v1",
        "cert_plugin_progress_main_body",
        "CertPluginProgressMainBody",
    ),
    (
        "learner-dashboard",
        DASHBOARD + "widget_sidebar.v1",
        "cert_plugin_my_certificates",
        "CertPluginMyCertificates",
    ),
    (
        "learner-dashboard",
        DASHBOARD + "course_card_action.v1",
        "cert_plugin_course_card_action",
        "CertPluginCourseCardAction",
    ),
]
# Widgets built with one of the MFE's own hooks, which differ between release lines: the lines whose
# hook the runtime-definitions patch knows (it branches on CERT_PLUGIN_RELEASE_LINE). The course card
# slot passes only `cardId`; its course id comes from the learner dashboard's src/hooks: Ulmo
# `reduxHooks.useCardCourseRunData(cardId).courseId`, Verawood and master
# `useCourseData(cardId)?.courseRun?.courseId`. On any other line the widget is left out. Every other
# widget needs no props nor MFE-internal module, so it serves every line where its slot exists.
WIDGET_LINES: dict[str, frozenset[str]] = {
    "cert_plugin_course_card_action": frozenset({"ulmo", "verawood", "master"}),
}


def widgets_of(line: str) -> list[tuple[str, str, str, str]]:
    """The widgets a release line's MFEs get: the slot exists in the line and, for a widget built with
    a line-specific hook, the plugin knows that line's hook."""
    return [
        widget
        for widget in MFE_WIDGETS
        if widget[1] in slots_of(line) and line in WIDGET_LINES.get(widget[2], frozenset({line}))
    ]


RELEASE_LINE = release_line()
# What this Tutor's MFEs get.
MFE_SLOTS = widgets_of(RELEASE_LINE)
# The runtime-definitions patches pick the line's hooks with it; not a setting (config.yml's values
# would shadow it: do not `--set` it).
hooks.Filters.ENV_TEMPLATE_VARIABLES.add_item(("CERT_PLUGIN_RELEASE_LINE", RELEASE_LINE))


def _insert(widget_id: str, component: str) -> str:
    return f"""{{
          op: PLUGIN_OPERATIONS.Insert,
          widget: {{
            id: '{widget_id}',
            type: DIRECT_PLUGIN,
            priority: 60,
            RenderWidget: {component},
          }},
        }}"""


if PLUGIN_SLOTS is not None:
    PLUGIN_SLOTS.add_items(
        [(mfe, slot, _insert(widget_id, component)) for mfe, slot, widget_id, component in MFE_SLOTS]
    )


@hooks.Actions.CONFIG_LOADED.add()
def _warn_about_frontend_base_dashboard(config: t.Any) -> None:
    """tutor-mfe 22 (Verawood) can serve the learner dashboard as a frontend-base app (FRONTEND_APPS,
    off by default). That app reads no env.config.jsx, so the dashboard widgets are not there;
    the plugin does not opt into tutor-mfe's compatibility shim (env.config.compat.jsx renders no
    per-MFE definitions, so the widgets' components would be undefined). Say so rather than stay
    silent."""
    try:
        from tutormfe.hooks import FRONTEND_APPS  # tutor-mfe 22 and later
    except ImportError:
        return
    dashboard = FRONTEND_APPS.apply({}).get("learner-dashboard", {})
    if dashboard.get("enabled") and "learner-dashboard" in {widget[0] for widget in MFE_SLOTS}:
        from tutor import fmt

        fmt.echo_alert(
            "cert_plugin: the learner dashboard is a frontend-base app here (tutor-mfe FRONTEND_APPS), "
            "which reads no env.config.jsx: the 'My certificates' card and the course cards' "
            "certificate action are not added to it. "
            "Learners still reach their certificates at /certs/ and from the course's Certificate tab."
        )
