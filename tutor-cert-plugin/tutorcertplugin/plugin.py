"""Tutor plugin for cert_plugin: ``tutor plugins enable cert_plugin``.

What it adds (docs/integrations/tutor.md says the same for operators):

- the openedx image: the cert-plugin package, installed within the platform's own pins, and the
  Debian/Ubuntu libraries and fonts rendering needs;
- LMS and Studio settings: ``CERT_PLUGIN`` keys set one by one, after the plugin's own defaults;
- ``tutor local do init``: the plugin's migrations;
- a celery beat service that relays the task outbox every minute and queues the expiry reminders
  once a day (Tutor runs no beat of its own);
- with tutor-mfe: widgets in the learning and learner-dashboard MFEs' plugin slots (Ulmo ids).

Every patch lives in ``patches/<patch name>`` so it can be read as it will be rendered.
"""

from __future__ import annotations

import os
import typing as t
from glob import glob

from tutor import hooks

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


hooks.Filters.ENV_TEMPLATE_FILTERS.add_items(
    [
        ("cert_plugin_private_key", _private_key),
        ("cert_plugin_py", _python_literal),
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

# Slot ids of the Ulmo release line (Tutor 21's tutor-mfe builds the MFEs' release/ulmo branches).
# Checked against frontend-app-learning and frontend-app-learner-dashboard release/ulmo:
# src/plugin-slots/<Slot>/index.jsx. The widgets are defined in the
# mfe-env-config-runtime-definitions-<mfe> patches (patches/ directory).
MFE_SLOTS: list[tuple[str, str, str, str]] = [
    (
        "learning",
        "org.openedx.frontend.learning.progress_tab_certificate_status_side_panel.v1",
        "cert_plugin_progress_side_panel",
        "CertPluginProgressSidePanel",
    ),
    (
        "learning",
        "org.openedx.frontend.learning.progress_tab_certificate_status_main_body.v1",
        "cert_plugin_progress_main_body",
        "CertPluginProgressMainBody",
    ),
    (
        "learner-dashboard",
        "org.openedx.frontend.learner_dashboard.widget_sidebar.v1",
        "cert_plugin_my_certificates",
        "CertPluginMyCertificates",
    ),
]


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
