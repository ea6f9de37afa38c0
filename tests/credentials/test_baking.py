"""Baking a credential into a PNG, and reading it back out of PNGs and PDFs from anyone."""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from cert_plugin.credentials import baking
from cert_plugin.rendering import pdf
from cert_plugin.rendering.base import Attachment

TOKEN = "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJpZCI6InVybjp1dWlkOjEifQ.c2lnbmF0dXJl"


def _png(info: PngInfo | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def _chunk_types(png: bytes) -> list[bytes]:
    types, position = [], 8
    while position < len(png):
        length = struct.unpack(">I", png[position:position + 4])[0]
        types.append(png[position + 4:position + 8])
        position += 12 + length
    return types


def _attached(token: str, name: str = "credential.jwt", variant: str | None = "pdf/a-3b") -> bytes:
    return pdf.render_pdf("<p>certificate</p>", pdf_variant=variant,
                          attachments=[Attachment(name, token.encode(), "application/vc+jwt")])


def test_a_baked_png_reads_back_and_still_opens_the_same():
    plain = _png()

    baked = baking.bake_png(plain, TOKEN)

    assert baking.png_credential(baked) == TOKEN
    assert _chunk_types(baked)[:2] == [b"IHDR", b"iTXt"]
    with Image.open(io.BytesIO(baked)) as image, Image.open(io.BytesIO(plain)) as original:
        assert image.tobytes() == original.tobytes()
        assert image.text == {"openbadgecredential": TOKEN}


def test_baking_again_replaces_the_credential_never_doubles_it():
    baked = baking.bake_png(baking.bake_png(_png(), "first.token.x"), TOKEN)

    assert _chunk_types(baked).count(b"iTXt") == 1
    assert baking.png_credential(baked) == TOKEN


def test_other_text_chunks_are_kept():
    info = PngInfo()
    info.add_itxt("Title", "A certificate")
    baked = baking.bake_png(_png(info), TOKEN)

    with Image.open(io.BytesIO(baked)) as image:
        image.load()
        assert image.text == {"openbadgecredential": TOKEN, "Title": "A certificate"}


def test_a_compressed_chunk_baked_by_another_tool_is_read():
    info = PngInfo()
    info.add_itxt("openbadgecredential", TOKEN, zip=True)
    assert baking.png_credential(_png(info)) == TOKEN


def test_a_chunk_whose_crc_is_wrong_is_not_believed():
    baked = bytearray(baking.bake_png(_png(), TOKEN))
    position = 8 + 25 + 8  # signature, IHDR (13 bytes + 12), then the iTXt's length and type
    baked[position + 30] ^= 0x01
    assert baking.png_credential(bytes(baked)) is None


@pytest.mark.parametrize("junk", [b"", b"\x89PNG\r\n\x1a\n", b"\x89PNG\r\n\x1a\n" + b"\xff" * 40,
                                  b"\xff\xd8\xff\xe0 a JPEG", os.urandom(4096), b"%PDF-1.7\n%%EOF",
                                  b"%PDF-" + os.urandom(2000)])
def test_junk_answers_none(junk):
    assert baking.png_credential(junk) is None
    assert baking.pdf_credential(junk) is None


def test_a_bomb_in_a_png_is_not_inflated():
    bomb = zlib.compress(b"A" * (20 * 1024 * 1024))
    body = b"openbadgecredential\0\1\0\0\0" + bomb
    png = _png()
    forged = png[:33] + struct.pack(">I", len(body)) + b"iTXt" + body + \
        struct.pack(">I", zlib.crc32(b"iTXt" + body)) + png[33:]
    assert baking.png_credential(forged) is None


def test_bake_png_refuses_what_is_not_a_png():
    with pytest.raises(ValueError, match="not a PNG"):
        baking.bake_png(b"GIF89a", TOKEN)


@pytest.mark.parametrize("variant", ["pdf/a-3b", None])
def test_the_pdf_attachment_reads_back(variant):
    assert baking.pdf_credential(_attached(TOKEN, variant=variant)) == TOKEN


def test_a_pdf_without_it_or_with_another_attachment_answers_none():
    assert baking.pdf_credential(pdf.render_pdf("<p>no attachment</p>")) is None
    assert baking.pdf_credential(_attached(TOKEN, name="notes.txt")) is None


def test_a_truncated_pdf_answers_none():
    content = _attached(TOKEN)
    assert baking.pdf_credential(content[: len(content) // 2]) is None


@pytest.mark.parametrize(("data", "kind"), [(b"\x89PNG\r\n\x1a\nrest", "png"), (b"%PDF-1.7", "pdf"),
                                            (b"\xef\xbb\xbf%PDF-1.4", "pdf"), (b"\xff\xd8\xff", None),
                                            (b"GIF89a", None), (b"", None), (b"PNG", None)])
def test_file_kind_goes_by_the_first_bytes(data, kind):
    assert baking.file_kind(data) == kind
