"""Files that carry their own proof: the Open Badges 3.0 credential baked into a PNG or a PDF.

Pure functions on bytes; nothing here reads settings or models.

* **PNG** (Open Badges 3.0, "Baking", PNG): one ``iTXt`` chunk with the keyword
  ``openbadgecredential``, uncompressed (compression flag 0), no language tag, whose text is the
  VC-JWT, placed before the first ``IDAT``. :func:`bake_png` inserts it right after ``IHDR``
  by splicing chunks, so the image data is never decoded or encoded again (a 300 dpi PNG takes
  seconds to encode); a credential baked earlier is replaced, never doubled.
* **PDF**: the same VC-JWT as the PDF/A-3 associated file ``credential.jwt``
  (``/AFRelationship /Data``, MIME ``application/vc+jwt``), written by the renderer
  (``rendering/pdf.py``) before the PAdES signature, so that the signature covers it.

The readers (:func:`png_credential`, :func:`pdf_credential`) take files from anyone: they never
raise on junk (they answer ``None``), never inflate more than :data:`MAX_TOKEN_BYTES` and read a
PDF's object graph only along the catalog's name tree and ``/AF`` array.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from typing import Any

__all__ = [
    "KEYWORD",
    "MAX_TOKEN_BYTES",
    "MEDIA_TYPE",
    "PDF_ATTACHMENT_NAME",
    "bake_png",
    "file_kind",
    "pdf_credential",
    "png_credential",
]

KEYWORD = "openbadgecredential"  # the iTXt keyword Open Badges 3.0 names
PDF_ATTACHMENT_NAME = "credential.jwt"  # the PDF/A-3 associated file's name
MEDIA_TYPE = "application/vc+jwt"  # its MIME type (the embedded file stream's /Subtype)
MAX_TOKEN_BYTES = 64 * 1024  # a VC-JWT is a few kB; anything larger is not ours
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PDF_MARKER = b"%PDF-"
_PDF_MARKER_WITHIN = 1024  # readers accept a PDF header within the first kilobyte
_MAX_TREE_DEPTH = 8  # levels of /Kids in the EmbeddedFiles name tree
_MAX_TREE_NODES = 256  # name-tree nodes and file specifications looked at, in all


def file_kind(data: bytes) -> str | None:
    """``"png"`` or ``"pdf"`` by the file's first bytes (never its name or declared type), else None."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if _PDF_MARKER in data[:_PDF_MARKER_WITHIN]:
        return "pdf"
    return None


# --------------------------------------------------------------------------- PNG


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _chunks(png: bytes) -> Iterator[tuple[bytes, int, int, bool]]:
    """``(type, start of body, end of chunk, crc ok)`` of each chunk; stops at the first malformed one."""
    position = len(PNG_SIGNATURE)
    while position + 12 <= len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        body = position + 8
        end = body + length + 4
        if end > len(png):
            return
        crc = struct.unpack(">I", png[end - 4:end])[0]
        yield kind, body, end, crc == zlib.crc32(png[position + 4:end - 4])
        if kind == b"IEND":
            return
        position = end


def _itxt_credential(body: bytes) -> str | None:
    """The text of an ``openbadgecredential`` iTXt chunk body, or None for any other chunk."""
    keyword, null, rest = body.partition(b"\0")
    if not null or keyword != KEYWORD.encode("latin-1") or len(rest) < 2:
        return None
    compressed, method, rest = rest[0], rest[1], rest[2:]
    _language, _null, rest = rest.partition(b"\0")
    _translated, _null, text = rest.partition(b"\0")
    if compressed:
        if method != 0:
            return None
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, MAX_TOKEN_BYTES + 1)
        except zlib.error:
            return None
    if len(text) > MAX_TOKEN_BYTES:
        return None
    try:
        return text.decode("utf-8").strip() or None
    except UnicodeDecodeError:
        return None


def bake_png(png: bytes, token: str) -> bytes:
    """``png`` with ``token`` baked in as its one uncompressed ``openbadgecredential`` iTXt chunk.

    Raises ``ValueError`` when ``png`` is not a PNG (or has no ``IHDR`` first).
    """
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    chunks = list(_chunks(png))
    if not chunks or chunks[0][0] != b"IHDR":
        raise ValueError("a PNG file must start with its IHDR chunk")
    baked = _chunk(b"iTXt", KEYWORD.encode("latin-1") + b"\0\0\0" + b"\0" + b"\0" + token.encode("utf-8"))
    parts = [png[:chunks[0][2]], baked]
    for kind, body, end, _crc_ok in chunks[1:]:
        if kind == b"iTXt" and _itxt_credential(png[body:end - 4]) is not None:
            continue  # an earlier credential: replaced
        parts.append(png[body - 8:end])
    return b"".join(parts)


def png_credential(png: bytes) -> str | None:
    """The VC-JWT baked into a PNG (its first intact ``openbadgecredential`` iTXt chunk), or None."""
    if not isinstance(png, bytes | bytearray) or bytes(png[:8]) != PNG_SIGNATURE:
        return None
    for kind, body, end, crc_ok in _chunks(bytes(png)):
        if kind == b"iTXt" and crc_ok:
            token = _itxt_credential(png[body:end - 4])
            if token is not None:
                return token
    return None


# --------------------------------------------------------------------------- PDF


def pdf_credential(pdf: bytes) -> str | None:
    """The VC-JWT a PDF carries as its associated file ``credential.jwt``, or None.

    Looks in the catalog's ``EmbeddedFiles`` name tree, then its ``/AF`` array; reads the last
    revision (a PAdES signature is an incremental update). Never raises on a damaged, encrypted
    or hostile file: it answers None.
    """
    if file_kind(bytes(pdf[:_PDF_MARKER_WITHIN])) != "pdf":
        return None
    try:
        return _pdf_credential(bytes(pdf))
    except Exception:  # noqa: BLE001  (any parser failure, deep nesting included, means "none found")
        return None


def _pdf_credential(pdf: bytes) -> str | None:
    from pyhanko.pdf_utils.reader import PdfFileReader  # loaded only when a PDF is read

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    root = reader.root
    budget = [_MAX_TREE_NODES]
    specs: list[Any] = []
    names = _get(root, "/Names")
    tree = _get(names, "/EmbeddedFiles") if names is not None else None
    if tree is not None:
        specs.extend(spec for name, spec in _name_tree(tree, 0, budget) if _text(name) == PDF_ATTACHMENT_NAME)
    associated = _get(root, "/AF")
    if associated is not None:
        specs.extend(list(associated)[:_MAX_TREE_NODES])
    for spec in specs:
        token = _spec_token(spec, budget)
        if token is not None:
            return token
    return None


def _get(dictionary: Any, key: str) -> Any:
    """``dictionary[key]`` dereferenced, or None when it is not a dictionary or has no such key."""
    value: Any = None
    try:
        value = dictionary.get(key) if hasattr(dictionary, "get") else None
    except Exception:  # noqa: BLE001  (a dangling reference)
        return None
    return value.get_object() if hasattr(value, "get_object") else value


def _name_tree(node: Any, depth: int, budget: list[int]) -> Iterator[tuple[Any, Any]]:
    budget[0] -= 1
    if depth > _MAX_TREE_DEPTH or budget[0] < 0:
        return
    pairs = _get(node, "/Names")
    if pairs is not None:
        flat = list(pairs)[:2 * _MAX_TREE_NODES]
        for index in range(0, len(flat) - 1, 2):
            yield flat[index], flat[index + 1]
    kids = _get(node, "/Kids")
    for kid in list(kids or [])[:_MAX_TREE_NODES]:
        yield from _name_tree(kid.get_object() if hasattr(kid, "get_object") else kid, depth + 1, budget)


def _text(value: Any) -> str:
    value = value.get_object() if hasattr(value, "get_object") else value
    if isinstance(value, bytes):
        return value.decode("latin-1", "replace")
    return str(value)


def _spec_token(spec: Any, budget: list[int]) -> str | None:
    budget[0] -= 1
    if budget[0] < 0:
        return None
    spec = spec.get_object() if hasattr(spec, "get_object") else spec
    name = _get(spec, "/UF") or _get(spec, "/F")
    if name is None or _text(name) != PDF_ATTACHMENT_NAME:
        return None
    files = _get(spec, "/EF")
    stream = _get(files, "/F") if files is not None else None
    if stream is None:
        return None
    data = _stream_bytes(stream)
    if data is None:
        return None
    try:
        return data.decode("ascii").strip() or None
    except UnicodeDecodeError:
        return None


def _stream_bytes(stream: Any) -> bytes | None:
    """The stream's content, inflated at most to :data:`MAX_TOKEN_BYTES` (only Flate or no filter)."""
    raw = getattr(stream, "encoded_data", None)
    if not isinstance(raw, bytes):
        return None
    filters = _get(stream, "/Filter")
    if isinstance(filters, list):  # an array of filters: only one Flate is ever written for us
        if len(filters) > 1:
            return None
        filters = filters[0] if filters else None
    if filters is None:
        data = raw
    elif str(filters) == "/FlateDecode":
        if _get(stream, "/DecodeParms") is not None:
            return None
        try:
            data = zlib.decompressobj().decompress(raw, MAX_TOKEN_BYTES + 1)
        except zlib.error:
            return None
    else:
        return None
    return data if len(data) <= MAX_TOKEN_BYTES else None
