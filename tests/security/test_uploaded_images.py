"""Issue 13, point 5: uploaded images are decoded, kept within a pixel budget, and not polyglots.

Before, an upload was checked by its first bytes only: a 140 KB 12000x12000 PNG
cost 396 MB per render, a 20000x20000 one was accepted and silently dropped from
the certificate, and a file with PNG or GIF magic followed by HTML was accepted.
"""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image

from cert_plugin import api

HTML = ('<h1>{{ learner_name }}</h1>'
        '{% if assets.logo %}<img src="{{ assets.logo }}" style="height: 20mm">{% endif %}')


def _image(size=(120, 60), fmt="PNG", mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (31, 78, 121) if mode == "RGB" else 1).save(buffer, fmt)
    return buffer.getvalue()


def _huge_png(width: int, height: int) -> bytes:
    """A small file that decodes to widthxheight pixels (one-bit grey, all zero)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    row = b"\0" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("content", "words"), [
    (_huge_png(12000, 12000), "megapixels"),
    (_huge_png(20000, 20000), "megapixels"),
    (_image() + b"<html><script>alert(1)</script></html>", "data after its image"),
    (_image(fmt="GIF", mode="P") + b"<html><script>alert(1)</script></html>", "data after its image"),
    (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "does not decode"),
    (b"GIF89a<html><script>alert(1)</script></html>", "does not decode"),
    (b"\xff\xd8\xff" + b"<html></html>", "does not decode"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "not a plain SVG"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "not a plain SVG"),
    ((b"<svg xmlns='http://www.w3.org/2000/svg' xmlns:x='http://www.w3.org/1999/xlink'>"
     b"<image x:href='http://169.254.169.254/'/></svg>"), "not a plain SVG"),
    ((b"<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY a 'aaaa'>]><svg xmlns='http://www.w3.org/2000/svg'>"
     b"<text>&a;</text></svg>"), "not a plain SVG"),
])
def test_a_hostile_or_oversized_image_is_refused_with_a_clear_message(db, content, words):
    with pytest.raises(api.TemplateError, match=words):
        api.create_template("Hostile asset", html=HTML, assets={"logo": content})
    with pytest.raises(api.BrandingError, match=words):
        api.set_branding("Northwind", assets={"logo": content})


@pytest.mark.parametrize("content", [
    _image(), _image(fmt="JPEG"), _image(fmt="GIF", mode="P"), _image(fmt="WEBP"), _image((5000, 5000)),
    (b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'><defs><linearGradient id='g'/></defs>"
    b"<rect width='10' height='10' fill='url(#g)'/></svg>"),
])
def test_ordinary_images_are_still_accepted(db, content):
    template = api.create_template("Logo", html=HTML, assets={"logo": content})

    assert bytes(template.current_version.assets.get(name="logo").content) == content
