"""The built-in certificate templates shipped with the plugin.

Their sources live in ``templates/cert_plugin/builtin/`` (an HTML body fragment and a
stylesheet each; the institutional colours are the custom properties at the top of each
stylesheet). When a release changes one, issuing records a new immutable version;
certificates issued earlier keep rendering with the version they were issued with.

Both templates use the optional assets ``logo`` (a monogram of the issuer's initial is
drawn when there is none) and ``background``; signature images come with the signatories.
Default asset files, when a release ships any, live in ``builtin/assets/`` and are given
to every built-in template under their file name without extension.
"""

from __future__ import annotations

import copy
import mimetypes
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

__all__ = [
    "ASSET_NAMES", "BUILTIN_NAME", "PORTRAIT_NAME", "BuiltinTemplate", "builtin_source", "builtin_templates",
]

BUILTIN_NAME = "Default (A4 landscape)"
PORTRAIT_NAME = "Classic (A4 portrait)"
_FOLDER = "templates/cert_plugin/builtin"

#: Asset names the built-in templates refer to (all optional: each has a fallback).
ASSET_NAMES: tuple[str, ...] = ("logo", "background")

#: Template options of the built-ins: no signatories until staff add some (the certificate
#: then reads "Issued by <institution>"), and the usual honors thresholds.
_DEFAULT_OPTIONS: dict[str, Any] = {
    "signatories": [],
    "honors": [[0.9, "With distinction"], [0.8, "With merit"]],
}


@dataclass(frozen=True)
class BuiltinTemplate:
    """A certificate template shipped with the plugin."""

    name: str  # the template's name, unique among built-ins
    orientation: str  # "landscape" or "portrait"
    html: str  # the body fragment (sandboxed Django template)
    css: str  # its stylesheet
    assets: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # name -> (content, mime)
    options: dict[str, Any] = field(default_factory=dict)  # signatories, honors rules


def _folder() -> Traversable:
    return resources.files("cert_plugin").joinpath(_FOLDER)


def _read(name: str) -> str:
    return _folder().joinpath(name).read_text(encoding="utf-8")


def _default_assets() -> dict[str, tuple[bytes, str]]:
    folder = _folder().joinpath("assets")
    if not folder.is_dir():
        return {}
    assets = {}
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.is_file() and not entry.name.startswith("."):
            stem = entry.name.rsplit(".", 1)[0]
            mime = mimetypes.guess_type(entry.name)[0] or "application/octet-stream"
            assets[stem] = (entry.read_bytes(), mime)
    return assets


def _template(name: str, orientation: str) -> BuiltinTemplate:
    return BuiltinTemplate(name=name, orientation=orientation, html=_read(f"{orientation}.html"),
                           css=_read(f"{orientation}.css"), assets=_default_assets(),
                           options=copy.deepcopy(_DEFAULT_OPTIONS))


def builtin_templates() -> list[BuiltinTemplate]:
    """Every built-in template, the default (A4 landscape) first."""
    return [_template(BUILTIN_NAME, "landscape"), _template(PORTRAIT_NAME, "portrait")]


def builtin_source() -> tuple[str, str, str, str]:
    """(name, orientation, html, css) of the built-in default template."""
    return BUILTIN_NAME, "landscape", _read("landscape.html"), _read("landscape.css")
