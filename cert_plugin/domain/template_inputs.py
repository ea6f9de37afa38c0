"""What staff upload and set for a template or a branding: images, options, colours.

Owns the checks of uploaded assets (size, type sniffed from the bytes, names),
the template's options (honors rules, colours, logo) and the merge of a
version's assets with new uploads. Pure checks over the models it is given:
writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cert_plugin.models import CertificateTemplateVersion
from cert_plugin.rendering.base import Asset

if TYPE_CHECKING:
    pass
from cert_plugin.domain.shared import BrandingError, TemplateError

MAX_ASSET_BYTES = 2 * 1024 * 1024  # per uploaded file; a certificate PDF must stay under 2 MB


ASSET_TYPES = {"image/png", "image/jpeg", "image/svg+xml", "image/webp", "image/gif"}


_ASSET_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


_SIGNATURES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}


AssetInput = bytes | tuple[bytes, str] | None  # content (type read from it), (content, mime); None removes


def version_assets(version: CertificateTemplateVersion | None) -> dict[str, tuple[bytes, str]]:
    if version is None:
        return {}
    return {asset.name: (bytes(asset.content), asset.mime) for asset in version.assets.all()}


def _sniff(content: bytes) -> str:
    for magic, mime in _SIGNATURES.items():
        if content.startswith(magic):
            return mime
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    head = content[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "image/svg+xml"
    return "application/octet-stream"


def merge_assets(base: Mapping[str, tuple[bytes, str]],
                 changes: Mapping[str, AssetInput] | None) -> dict[str, tuple[bytes, str]]:
    files = dict(base)
    for raw_name, value in (changes or {}).items():
        name = str(raw_name).strip()
        if value is None:
            files.pop(name, None)
            continue
        if not _ASSET_NAME.match(name):
            raise TemplateError(f"Asset name {name!r} must start with a letter and use only lower-case "
                                "letters, digits and _ (it is written {{ assets.NAME }} in the template).")
        content, mime = value if isinstance(value, tuple) else (value, "")
        content = bytes(content)
        mime = (mime or _sniff(content)).split(";")[0].strip().lower()
        if mime not in ASSET_TYPES:
            raise TemplateError(f"Asset {name!r} is not a PNG, JPEG, GIF, WebP or SVG image.")
        if len(content) > MAX_ASSET_BYTES:
            raise TemplateError(f"Asset {name!r} is {len(content) // 1024} KB; the limit is "
                                f"{MAX_ASSET_BYTES // (1024 * 1024)} MB per file.")
        if _sniff(content) != mime:
            raise TemplateError(f"Asset {name!r} does not contain a {mime} image.")
        files[name] = (content, mime)
    return files


_HONORS_RULE = 'Each honors rule is [minimum grade 0..1, text], e.g. [0.9, "With distinction"].'


def clean_template_options(options: Mapping[str, Any] | None, asset_names: Iterable[str]) -> dict[str, Any]:
    names = set(asset_names)
    options = dict(options or {})
    unknown = sorted(set(options) - {"signatories", "honors", "colors"})
    if unknown:
        raise TemplateError(f"Unknown template option(s) {', '.join(unknown)}; "
                            "known: colors, honors, signatories.")
    clean: dict[str, Any] = {}
    colors = clean_colors(options.get("colors"))  # defined in the branding section
    if colors:
        clean["colors"] = colors
    signatories = []
    for position, item in enumerate(options.get("signatories") or [], 1):
        if not isinstance(item, Mapping) or not str(item.get("name", "")).strip():
            raise TemplateError(f"Signatory {position} needs a name.")
        image = str(item.get("signature", "") or "").strip()
        if image and image not in names:
            raise TemplateError(f"Signatory {position} uses the signature image {image!r}, "
                                "which is not uploaded.")
        signatories.append({"name": str(item["name"]).strip(), "title": str(item.get("title", "")).strip(),
                            "signature": image})
    if signatories:
        clean["signatories"] = signatories
    honors = []
    for rule in options.get("honors") or []:
        try:
            minimum, text = float(rule[0]), str(rule[1]).strip()
        except (TypeError, ValueError, IndexError, KeyError):
            raise TemplateError(_HONORS_RULE) from None
        if not (0 < minimum <= 1) or not text:
            raise TemplateError(_HONORS_RULE)
        honors.append([minimum, text])
    if honors:
        clean["honors"] = sorted(honors, reverse=True)
    return clean


def pdf_assets(files: Mapping[str, tuple[bytes, str]]) -> dict[str, Asset]:
    return {name: Asset(content=content, mime=mime) for name, (content, mime) in files.items()}


_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


_COLOR_NAMES = ("primary", "accent")


def clean_color(value: Any, label: str) -> str:
    text = str(value or "").strip().lower()
    if text and not _HEX_COLOR.match(text):
        raise BrandingError(f"The {label} colour must be written as #rrggbb, e.g. #1f4e79 (not {text!r}).")
    return text


def clean_colors(colors: Any) -> dict[str, str]:
    """A template's ``colors`` option: {"primary", "accent"}, each ``#rrggbb``; TemplateError otherwise."""
    if colors in (None, "", {}):
        return {}
    if not isinstance(colors, Mapping) or set(colors) - set(_COLOR_NAMES):
        raise TemplateError('The colors option is {"primary": "#rrggbb", "accent": "#rrggbb"}.')
    clean = {}
    for name in _COLOR_NAMES:
        try:
            value = clean_color(colors.get(name), name)
        except BrandingError as exc:
            raise TemplateError(str(exc)) from None
        if value:
            clean[name] = value
    return clean
