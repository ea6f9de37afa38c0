"""HTML document -> PDF with WeasyPrint, behind a fetcher that reaches nothing outside.

WeasyPrint's default fetcher reads ``file://`` paths and makes HTTP requests; in a template
that course staff edit in the browser that is a server-side request forgery and a file
disclosure (an injected ``<link rel="attachment" href="file:///etc/passwd">`` ends up inside
the PDF). :class:`_SandboxFetcher` resolves only ``data:`` URIs and ``asset:<name>`` (the
template's own uploaded files, passed in by the caller). Every other reference is refused
and logged on ``cert_plugin.rendering``, and the render continues without it, as it would
with a broken image.

Missing glyphs: WeasyPrint draws ``.notdef`` boxes for characters no installed font covers
and logs a warning on the ``weasyprint`` logger. :func:`render_pdf` captures those warnings
for its own render (by thread) and repeats them at WARNING on ``cert_plugin.rendering`` with
the characters, so a certificate with boxes instead of a name does not go unnoticed.

Any WeasyPrint failure, including its ``FatalURLFetchingError`` (a ``BaseException``),
becomes :class:`RenderError`.
"""

from __future__ import annotations

import base64
import functools
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from cert_plugin.rendering.base import Asset, RenderError

__all__ = ["Asset", "RenderError", "font_configuration", "render_pdf"]

logger = logging.getLogger("cert_plugin.rendering")

#: The base URL of every document: relative references resolve to nothing fetchable.
BASE_URL = "about:blank"
_ASSET_SCHEME = "asset:"
_NOTDEF_PREFIX = ".notdef glyph"
# WeasyPrint, Pango and fontconfig are not written for concurrent renders sharing one font
# configuration: renders in one process take turns (each takes ~0.1 s).
_RENDER_LOCK = threading.Lock()


@functools.cache
def font_configuration() -> FontConfiguration:
    """The process's one WeasyPrint font configuration (created on first use)."""
    return FontConfiguration()


class _SandboxFetcher(URLFetcher):
    """Resolves ``data:`` URIs and the template's assets; refuses (and logs) everything else."""

    def __init__(self, assets: Mapping[str, Asset]) -> None:
        super().__init__(timeout=1, allowed_protocols=("data", "asset"), allow_redirects=False,
                         fail_on_errors=False)
        self._assets = dict(assets)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            return _data_response(url)
        if url[:len(_ASSET_SCHEME)].lower() == _ASSET_SCHEME:
            name = unquote(url[len(_ASSET_SCHEME):])
            asset = self._assets.get(name)
            if asset is not None:
                return URLFetcherResponse(url, asset.content, {"Content-Type": asset.mime})
            logger.warning("Certificate template refers to a missing asset %r", name)
            self.refused.append(url)
            raise ValueError(f"no asset named {name!r}")
        shown = url if len(url) <= 200 else url[:200] + "..."
        logger.warning("Refused to fetch %s: certificate templates may use only data: URIs "
                       "and their own assets", shown)
        self.refused.append(url)
        raise ValueError(f"refused to fetch {shown}")


def _data_response(url: str) -> URLFetcherResponse:
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise ValueError("malformed data: URI")
    params = [part.strip() for part in header.split(";")]
    is_base64 = params[-1].lower() == "base64"
    if is_base64:
        params.pop()
    mime = params[0] or "text/plain"
    raw = unquote_to_bytes(payload)
    body = base64.b64decode(raw + b"=" * (-len(raw) % 4)) if is_base64 else raw
    content_type = "; ".join([mime, *params[1:]])
    return URLFetcherResponse(url, body, {"Content-Type": content_type})


class _GlyphWarnings(logging.Handler):
    """Collects WeasyPrint's missing-glyph warnings emitted by one thread."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            message = record.getMessage()
            if message.startswith(_NOTDEF_PREFIX):
                self.messages.append(message)


@contextmanager
def _capture_missing_glyphs() -> Iterator[list[str]]:
    handler = _GlyphWarnings()
    weasy_logger = logging.getLogger("weasyprint")
    weasy_logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        weasy_logger.removeHandler(handler)


def render_pdf(document_html: str, *, assets: Mapping[str, Asset] | None = None,
               pdf_variant: str | None = "pdf/a-3b") -> bytes:
    """Render a complete HTML document (from ``html.render_document``) to PDF bytes.

    Fonts are subset and embedded; images keep their own resolution. With ``pdf_variant``
    (default PDF/A-3b, for archiving) a failure to write that variant is logged and the PDF is
    written plain. Raises :class:`RenderError` when WeasyPrint fails.
    """
    fetcher = _SandboxFetcher(assets or {})
    try:
        with _RENDER_LOCK, _capture_missing_glyphs() as missing:
            pdf = _write(document_html, fetcher, pdf_variant)
    except RenderError:
        raise
    except (Exception, FatalURLFetchingError) as exc:  # any WeasyPrint failure, for staff
        logger.exception("Certificate PDF rendering failed")
        raise RenderError(f"the certificate could not be rendered to PDF: {exc}") from exc
    for message in dict.fromkeys(missing):
        logger.warning("Certificate rendered with a missing glyph (a box instead of a character): %s",
                       message)
    return pdf


def _write(document_html: str, fetcher: _SandboxFetcher, pdf_variant: str | None) -> bytes:
    options: dict[str, Any] = {
        "optimize_images": False,  # keep images at their own resolution and encoding
        "dpi": None,
        "jpeg_quality": None,
        "full_fonts": False,  # subset fonts
        "uncompressed_pdf": False,
    }
    document = HTML(string=document_html, base_url=BASE_URL, url_fetcher=fetcher)
    if pdf_variant:
        try:
            pdf: bytes = document.write_pdf(font_config=font_configuration(), pdf_variant=pdf_variant,
                                            **options)
            return pdf
        except Exception:
            logger.exception("Writing %s failed; writing a plain PDF instead", pdf_variant)
    plain: bytes = document.write_pdf(font_config=font_configuration(), **options)
    return plain
