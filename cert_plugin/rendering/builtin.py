"""The built-in default certificate template shipped with the plugin.

Its source lives in ``templates/cert_plugin/builtin/``. When a release
changes it, issuing records a new immutable version; certificates issued
earlier keep rendering with the version they were issued with.
"""

from __future__ import annotations

from importlib import resources

BUILTIN_NAME = "Default (A4 landscape)"
_FOLDER = "templates/cert_plugin/builtin"


def _read(name: str) -> str:
    return resources.files("cert_plugin").joinpath(f"{_FOLDER}/{name}").read_text(encoding="utf-8")


def builtin_source() -> tuple[str, str, str, str]:
    """(name, orientation, html, css) of the built-in default template."""
    return BUILTIN_NAME, "landscape", _read("landscape.html"), _read("landscape.css")
