"""Production (``add_plugins(..., SettingsType.PRODUCTION)``): the operator's YAML.

How the operator's ``CERT_PLUGIN`` reaches the settings depends on the release:

- current ``lms/envs/production.py`` (and ``cms/``) copies every top-level YAML
  key into the settings module (``vars().update(_YAML_TOKENS)``), so
  ``settings.CERT_PLUGIN`` already *is* the YAML dict; ``ENV_TOKENS`` and
  ``AUTH_TOKENS`` remain as aliases of the same YAML for older plugins;
- older releases kept the YAML in ``ENV_TOKENS`` (and secrets in ``AUTH_TOKENS``)
  and copied only the keys they knew, so ``CERT_PLUGIN`` is merged from there.

Both are handled; either dict may be absent. Keys the operator leaves out keep
their defaults (read at run time by :mod:`cert_plugin.conf`).
"""

from typing import Any

from cert_plugin.settings.common import plugin_settings as common_settings


def plugin_settings(settings: Any) -> None:
    common_settings(settings)
    merged = settings.CERT_PLUGIN
    for tokens_name in ("ENV_TOKENS", "AUTH_TOKENS"):
        tokens = getattr(settings, tokens_name, None)
        value = tokens.get("CERT_PLUGIN") if isinstance(tokens, dict) else None
        if value is None or value is merged or not isinstance(merged, dict):
            continue  # nothing to add, or already malformed: conf.validate() stops start-up saying so
        if not isinstance(value, dict):
            merged = value  # likewise: start-up stops with "CERT_PLUGIN must be a dict"
            continue
        merged = {**merged, **value}
    settings.CERT_PLUGIN = merged
