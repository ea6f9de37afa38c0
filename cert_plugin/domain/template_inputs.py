"""What staff upload and set for a template or a branding: images, options, colours.

Owns the checks of uploaded assets (size, type sniffed from the bytes, names),
the template's options (honors rules, colours, logo) and the merge of a
version's assets with new uploads. Pure checks over the models it is given:
writes nothing.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree import ElementTree

from PIL import Image

from cert_plugin.domain.shared import BrandingError, TemplateError
from cert_plugin.models import CertificateTemplateVersion
from cert_plugin.rendering.base import Asset
from cert_plugin.text import storable_problem

MAX_ASSET_BYTES = 2 * 1024 * 1024  # per uploaded file; a certificate PDF must stay under 2 MB


MAX_ASSET_PIXELS = 25_000_000  # per raster image: 25 megapixels decode to at most 100 MB (RGBA)


ASSET_TYPES = {"image/png", "image/jpeg", "image/svg+xml", "image/webp", "image/gif"}


_ASSET_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


_SIGNATURES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}


AssetInput = bytes | tuple[bytes, str] | None  # content (type read from it), (content, mime); None removes


def refuse_unstorable(value: str, *, label: str, max_length: int | None = None,
                      error: type[Exception] = TemplateError) -> None:
    """Raise ``error`` when ``value`` cannot be stored on every database (NUL, longer than its column).

    Called before anything is written, so a refused save leaves nothing half-written and never
    reaches the database as a 500 (PostgreSQL refuses NUL in text and jsonb; PostgreSQL and
    MariaDB refuse a value longer than its column).
    """
    problem = storable_problem(value, label=label, max_length=max_length)
    if problem:
        raise error(problem)


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
        check_image(name, content, mime)
        files[name] = (content, mime)
    return files


_PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}


_TRAILERS = {"image/png": b"IEND\xaeB`\x82", "image/gif": b";"}  # what such a file ends with


def check_image(name: str, content: bytes, mime: str) -> None:
    """Refuse an upload that does not decode as the image it claims, or is past the pixel budget.

    A raster image is decoded with Pillow (its size is read from the header
    first, so a decompression bomb is refused before it is decoded); a PNG or
    GIF must end where its format ends (no HTML or script after the image, a
    polyglot). An SVG is refused if it declares entities or carries anything
    but drawing: scripts, event handlers, foreign objects, links out.
    """
    if mime == "image/svg+xml":
        _check_svg(name, content)
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.format != _PILLOW_FORMATS.get(mime):
                    raise TemplateError(f"Asset {name!r} does not decode as a {mime} image.")
                width, height = image.size
                if width * height > MAX_ASSET_PIXELS:
                    raise TemplateError(
                        f"Asset {name!r} is {width}x{height} pixels; the limit is "
                        f"{MAX_ASSET_PIXELS // 1_000_000} megapixels. Scale it down and upload it again.")
                image.load()
    except TemplateError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TemplateError(f"Asset {name!r} is past the limit of {MAX_ASSET_PIXELS // 1_000_000} "
                            "megapixels. Scale it down and upload it again.") from None
    except Exception:  # noqa: BLE001  (Pillow's errors for a broken or hostile file are many)
        raise TemplateError(f"Asset {name!r} does not decode as a {mime} image.") from None
    trailer = _TRAILERS.get(mime)
    if trailer and not content.rstrip(b"\0").endswith(trailer):
        raise TemplateError(f"Asset {name!r} has data after its image; upload the image alone.")


_SVG_FORBIDDEN = {"script", "foreignobject", "iframe", "object", "embed", "audio", "video", "handler",
                  "listener"}


def _check_svg(name: str, content: bytes) -> None:
    refused = TemplateError(f"Asset {name!r} is not a plain SVG drawing (it has scripts, event handlers, "
                            "entities, embedded documents or links to other files); export it again "
                            "as plain SVG or as a PNG.")
    if b"<!DOCTYPE" in content.upper() or b"<!ENTITY" in content.upper():
        raise refused
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError:
        raise TemplateError(f"Asset {name!r} is not a well-formed SVG image.") from None
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag in _SVG_FORBIDDEN:
            raise refused
        for key, value in element.attrib.items():
            attribute = key.rsplit("}", 1)[-1].lower()
            if attribute.startswith("on"):
                raise refused
            if attribute == "href" and not value.strip().startswith(("#", "data:image/")):
                raise refused
            if "url(" in value.replace(" ", "").lower().replace("url(#", ""):
                raise refused
        if tag == "style" and "url(" in (element.text or "").replace(" ", "").lower().replace("url(#", ""):
            raise refused


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
        person = {"name": str(item["name"]).strip(), "title": str(item.get("title", "")).strip(),
                  "signature": image}
        refuse_unstorable(person["name"], label=f"Signatory {position}'s name")
        refuse_unstorable(person["title"], label=f"Signatory {position}'s title")
        signatories.append(person)
    if signatories:
        clean["signatories"] = signatories
    honors = []
    for position, rule in enumerate(options.get("honors") or [], 1):
        try:
            minimum, text = float(rule[0]), str(rule[1]).strip()
        except (TypeError, ValueError, IndexError, KeyError):
            raise TemplateError(_HONORS_RULE) from None
        if not (0 < minimum <= 1) or not text:
            raise TemplateError(_HONORS_RULE)
        refuse_unstorable(text, label=f"Honors rule {position}'s text")
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
