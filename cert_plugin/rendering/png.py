"""PNG images of certificates, rasterized from their PDF (WeasyPrint has no PNG output).

The PNG is the PDF's first page drawn by pdfium, so it looks exactly like the PDF. PNG
encoding costs more than rasterizing; zlib level 3 gives files within a few percent of the
default level's size in about half the time.

Every PNG says its resolution (a ``pHYs`` chunk), so an image editor or a print dialog prints
it at A4 size rather than guessing 72 or 96 dpi. :func:`thumbnail` scales a PNG down for the
pages that show certificates small, in 256 colours (a fifth of the bytes of full colour at that
size, and no visible difference on a certificate); its ``pHYs`` keeps the page's physical size.

A PNG may carry its text alternative, what the picture shows in words, as the PNG keyword
``Description`` (an ``iTXt`` chunk, UTF-8): the same words the pages give the image as ``alt``.
Its smaller copies keep it.
"""

from __future__ import annotations

import io
import threading

import pypdfium2
from PIL import Image, PngImagePlugin

__all__ = ["DESCRIPTION", "description_of", "page_count", "pdf_to_png", "thumbnail"]

MIN_DPI = 72
DESCRIPTION = "Description"  # the PNG keyword of the picture's text alternative
MAX_DPI = 600
_COMPRESS_LEVEL = 3
# pdfium is not thread-safe: one rasterization at a time per process.
_PDFIUM_LOCK = threading.Lock()


def pdf_to_png(pdf: bytes, *, dpi: int = 150, description: str = "") -> bytes:
    """The first page of ``pdf`` as PNG bytes at ``dpi`` (72 to 600; A4 at 150 dpi is 1754x1240),
    with ``description`` as its text alternative (when given)."""
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not MIN_DPI <= dpi <= MAX_DPI:
        raise ValueError(f"dpi must be a whole number from {MIN_DPI} to {MAX_DPI}, not {dpi!r}")
    with _PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(pdf)
        try:
            if len(document) == 0:
                raise ValueError("the PDF has no pages")
            page = document[0]
            try:
                bitmap = page.render(scale=dpi / 72, draw_annots=True)
                image = bitmap.to_pil()
            finally:
                page.close()
        finally:
            document.close()
    if image.mode not in {"RGB", "L"}:
        image = image.convert("RGB")
    return _encode(image, dpi, description)


def thumbnail(png: bytes, *, width: int) -> bytes:
    """``png`` scaled down to ``width`` pixels wide (its proportions kept; never scaled up)."""
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be a whole number of pixels, not {width!r}")
    with Image.open(io.BytesIO(png)) as source:
        original = source.size[0]
        dpi = float(source.info.get("dpi", (150, 150))[0]) or 150.0
        description = str(source.info.get(DESCRIPTION) or "")
        image = source.convert("RGB") if source.mode not in {"RGB", "L"} else source.copy()
    if width < original:
        height = max(1, round(image.size[1] * width / original))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
        dpi = dpi * width / original
    if image.mode == "RGB":
        image = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    return _encode(image, dpi, description)


def description_of(png: bytes) -> str:
    """The text alternative a PNG carries (its ``Description``), or an empty string."""
    with Image.open(io.BytesIO(png)) as image:
        return str(image.info.get(DESCRIPTION) or "")


def _encode(image: Image.Image, dpi: float, description: str = "") -> bytes:
    buffer = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if description:
        info.add_itxt(DESCRIPTION, description, lang="", tkey="")
    image.save(buffer, format="PNG", optimize=False, compress_level=_COMPRESS_LEVEL, dpi=(dpi, dpi),
               pnginfo=info)
    return buffer.getvalue()


def page_count(pdf: bytes) -> int:
    """How many pages ``pdf`` has (a certificate template must fit on one)."""
    with _PDFIUM_LOCK:
        document = pypdfium2.PdfDocument(pdf)
        try:
            return len(document)
        finally:
            document.close()
