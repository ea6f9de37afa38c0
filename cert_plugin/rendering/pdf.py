"""HTML document -> PDF with WeasyPrint, behind a fetcher that reaches nothing outside.

WeasyPrint's default fetcher reads ``file://`` paths and makes HTTP requests; in a template
that course staff edit in the browser that is a server-side request forgery and a file
disclosure (an injected ``<link rel="attachment" href="file:///etc/passwd">`` ends up inside
the PDF). :class:`_Sandbox` resolves only ``data:`` URIs and ``asset:<name>`` (the
template's own uploaded files, passed in by the caller). Every other reference is refused
and logged on ``cert_plugin.rendering``, and the render continues without it, as it would
with a broken image.

Missing glyphs: WeasyPrint (67 and later) draws ``.notdef`` boxes for characters no installed
font covers and logs a warning on the ``weasyprint`` logger. :func:`render_pdf` captures those
warnings for its own render (by thread) and repeats them at WARNING on ``cert_plugin.rendering``
with the characters, so a certificate with boxes instead of a name does not go unnoticed.
WeasyPrint 66 leaves a blank and logs nothing; there :mod:`.missing_glyphs` finds the same
characters in the laid-out document.

Any WeasyPrint failure, including its ``FatalURLFetchingError`` (a ``BaseException``, since
WeasyPrint 68), becomes :class:`RenderError`.

Two WeasyPrint APIs are served: the platform's pins hold WeasyPrint at 66, whose ``url_fetcher``
is a function returning a dict; 68 and later take a ``URLFetcher`` object. :func:`_fetcher`
builds whichever the installed release takes around the same :class:`_Sandbox` policy
(docs/decisions/0006-platform-pins.rst).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

import pydyf  # type: ignore[import-untyped]  # WeasyPrint's PDF writer
import weasyprint
import weasyprint.urls as weasyprint_urls
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from cert_plugin.rendering import missing_glyphs
from cert_plugin.rendering.base import Asset, Attachment, RenderError

__all__ = ["Asset", "Attachment", "RenderError", "font_configuration", "render_pdf"]

logger = logging.getLogger("cert_plugin.rendering")

#: The base URL of every document: relative references resolve to nothing fetchable.
BASE_URL = "about:blank"
_ASSET_SCHEME = "asset:"
_NOTDEF_PREFIX = ".notdef glyph"
# WeasyPrint, Pango and fontconfig are not written for concurrent renders sharing one font
# configuration: renders in one process take turns (each takes ~0.1 s).
_RENDER_LOCK = threading.Lock()


def _fresh_lock_in_child() -> None:  # a forked render (rendering/limits.py) must not inherit a held lock
    global _RENDER_LOCK
    _RENDER_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_lock_in_child)


def fork_guard() -> threading.Lock:
    """What a forked render (rendering/limits.py) holds while forking: no in-process render runs then."""
    return _RENDER_LOCK


@functools.cache
def font_configuration() -> FontConfiguration:
    """The process's one WeasyPrint font configuration (created on first use)."""
    return FontConfiguration()


class _Sandbox:
    """Resolves ``data:`` URIs and the template's assets; refuses (and logs) everything else.

    :meth:`resolve` is the whole policy; :func:`_fetcher` wraps it in the URL fetcher API of the
    installed WeasyPrint, so no request ever leaves through WeasyPrint's own fetcher.
    """

    def __init__(self, assets: Mapping[str, Asset]) -> None:
        self._assets = dict(assets)
        self.refused: list[str] = []

    def resolve(self, url: str) -> tuple[bytes, str]:
        """``(body, content type)`` of an allowed URL; raises ``ValueError`` for any other."""
        if url[:5].lower() == "data:":
            return _decode_data_uri(url)
        if url[:len(_ASSET_SCHEME)].lower() == _ASSET_SCHEME:
            name = unquote(url[len(_ASSET_SCHEME):])
            asset = self._assets.get(name)
            if asset is not None:
                return asset.content, asset.mime
            logger.warning("Certificate template refers to a missing asset %r", name)
            self.refused.append(url)
            raise ValueError(f"no asset named {name!r}")
        shown = url if len(url) <= 200 else url[:200] + "..."
        logger.warning("Refused to fetch %s: certificate templates may use only data: URIs "
                       "and their own assets", shown)
        self.refused.append(url)
        raise ValueError(f"refused to fetch {shown}")


def _decode_data_uri(url: str) -> tuple[bytes, str]:
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
    return body, "; ".join([mime, *params[1:]])


# WeasyPrint 68 replaced the url_fetcher function (returning a dict) by a URLFetcher class whose
# fetch() returns a URLFetcherResponse, and no longer accepts a function. The platform's pins
# (tinycss2<1.5) hold WeasyPrint at 66, so both APIs are served, chosen by what is installed.
_URLFetcher: Any = getattr(weasyprint_urls, "URLFetcher", None)
# WeasyPrint >= 68 can stop a render with this BaseException; before, every failure is an Exception.
_FATAL_FETCH: type[BaseException] = getattr(weasyprint_urls, "FatalURLFetchingError", Exception)


def _fetcher(sandbox: _Sandbox) -> Any:
    """The ``url_fetcher`` argument for ``weasyprint.HTML``, in the installed WeasyPrint's API."""
    if _URLFetcher is None:
        return functools.partial(_fetch_as_dict, sandbox)
    return _SandboxFetcher(sandbox)


def _fetch_as_dict(sandbox: _Sandbox, url: str) -> dict[str, Any]:
    """WeasyPrint < 68: a fetcher is a function returning ``string``, ``mime_type``, ``encoding``."""
    body, content_type = sandbox.resolve(url)
    mime, _semicolon, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        key, _equals, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"')
    return {"string": body, "mime_type": mime.strip(), "encoding": charset, "redirected_url": url}


if _URLFetcher is not None:

    class _SandboxFetcher(_URLFetcher):
        """WeasyPrint >= 68: a ``URLFetcher`` whose ``fetch`` asks the sandbox, never the network."""

        def __init__(self, sandbox: _Sandbox) -> None:
            super().__init__(timeout=1, allowed_protocols=("data", "asset"), allow_redirects=False,
                             fail_on_errors=False)
            self._sandbox = sandbox

        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Any:
            body, content_type = self._sandbox.resolve(url)
            return weasyprint_urls.URLFetcherResponse(url, body, {"Content-Type": content_type})


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
               pdf_variant: str | None = "pdf/a-3b", attachments: Sequence[Attachment] = ()) -> bytes:
    """Render a complete HTML document (from ``html.render_document``) to PDF bytes.

    Fonts are subset and embedded; images keep their own resolution. The PDF is tagged, for
    screen readers: a structure tree of headings, paragraphs and figures with their alternative
    text, in reading order, with the document's language and ``MarkInfo``; backgrounds and
    borders are marked as artifacts. With ``pdf_variant`` (default PDF/A-3b, for archiving) a
    failure to write that variant is logged and the PDF is written plain. ``attachments`` are
    embedded as PDF/A-3 associated files (the catalog's ``/AF`` and ``EmbeddedFiles``). Raises
    :class:`RenderError` when WeasyPrint fails.
    """
    sandbox = _Sandbox(assets or {})
    try:
        with _RENDER_LOCK, _capture_missing_glyphs() as missing:
            pdf = _write(document_html, _fetcher(sandbox), pdf_variant, missing, tuple(attachments))
    except (RenderError, MemoryError):  # MemoryError: a render past its limit (rendering/limits.py)
        raise
    except (Exception, _FATAL_FETCH) as exc:  # any WeasyPrint failure, for staff
        logger.exception("Certificate PDF rendering failed")
        raise RenderError(f"the certificate could not be rendered to PDF: {exc}") from exc
    for message in dict.fromkeys(missing):
        logger.warning("Certificate rendered with a missing glyph (a box or a blank instead of a "
                       "character): %s",
                       message)
    return pdf


def _write(document_html: str, fetcher: Any, pdf_variant: str | None, missing: list[str],
           attachments: tuple[Attachment, ...]) -> bytes:
    options: dict[str, Any] = {
        "optimize_images": False,  # keep images at their own resolution and encoding
        "dpi": None,
        "jpeg_quality": None,
        "full_fonts": False,  # subset fonts
        "uncompressed_pdf": False,
        # Tagged (WeasyPrint 66 and later): the structure tree a screen reader reads. Conformance
        # stays PDF/A-3b, which WeasyPrint 66 and 70 both write (70 could also claim 3a).
        "pdf_tags": True,
    }
    document = HTML(string=document_html, base_url=BASE_URL, url_fetcher=fetcher)
    if pdf_variant:
        try:
            return _write_pdf(document, missing, attachments, pdf_variant=pdf_variant, **options)
        except Exception:
            logger.exception("Writing %s failed; writing a plain PDF instead", pdf_variant)
    return _write_pdf(document, missing, attachments, **options)


def _write_pdf(document: HTML, missing: list[str], attachments: tuple[Attachment, ...],
               **options: Any) -> bytes:
    """``document.write_pdf``; where WeasyPrint does not report missing glyphs, they are looked up."""
    extra: dict[str, Any] = {}
    if attachments:  # fresh WeasyPrint objects per write: WeasyPrint records each one's checksum on it
        extra = {"attachments": [_weasy_attachment(item) for item in attachments],
                 "finisher": functools.partial(_associate, attachments)}
    if not missing_glyphs.NEEDED:
        pdf: bytes = document.write_pdf(font_config=font_configuration(), **options, **extra)
        return pdf
    laid_out = document.render(font_config=font_configuration(), **options)
    missing.extend(missing_glyphs.unknown_glyph_messages(laid_out))
    written: bytes = laid_out.write_pdf(**options, **extra)
    return written


def _weasy_attachment(item: Attachment) -> Any:
    """The installed WeasyPrint's ``Attachment`` (66 and later take ``relationship``) for ``item``."""
    return weasyprint.Attachment(string=item.content, name=item.name, description=item.description or None,
                                 relationship=item.relationship)


def _associate(attachments: tuple[Attachment, ...], _document: Any, pdf: Any) -> None:
    """WeasyPrint's finisher: make each attachment a PDF/A-3 associated file, alike in every release.

    WeasyPrint guesses the embedded file's MIME type from its name (66: by the file extension
    only, so ``.jwt`` is ``application/octet-stream``), adds ``/AF`` only when writing PDF/A-3,
    and (70) lists the same file in ``/AF`` twice. Here each attachment's stream gets its own
    MIME type as ``/Subtype``, its file specification its ``/AFRelationship``, and the catalog's
    ``/AF`` names each file once.
    """
    wanted = {f"<{hashlib.md5(item.content, usedforsecurity=False).hexdigest()}>": item
              for item in attachments}
    streams: dict[bytes, Attachment] = {}  # the embedded file stream's reference -> its attachment
    for item in pdf.objects:
        extra = getattr(item, "extra", None)
        if isinstance(extra, dict) and extra.get("Type") == "/EmbeddedFile":
            match = wanted.get(str(extra.get("Params", {}).get("CheckSum")))
            if match is not None:
                extra["Subtype"] = "/" + match.mime.replace("/", "#2f")
                streams[item.reference] = match
    associated = list(pdf.catalog.get("AF", []))
    for item in pdf.objects:
        if isinstance(item, pydyf.Dictionary) and item.get("Type") == "/Filespec":
            match = streams.get(item.get("EF", {}).get("F"))
            if match is not None:
                item["AFRelationship"] = "/" + match.relationship
                associated.append(item.reference)
    if associated:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(associated))
