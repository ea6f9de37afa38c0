"""Reading one uploaded file from a public form, in memory, never past a size limit.

Used by the verify-by-file page and its JSON twin. Django would spool an upload over
``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary file and read a body of any size; here the
request's upload handlers are replaced (before anything reads the body) by one that keeps the
first file of the field in memory and stops at the limit, and a request whose declared length
is already over it is refused before a byte of it is read. Nothing is written to disk.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict

__all__ = ["Upload", "read_upload"]

_FORM_OVERHEAD = 64 * 1024  # boundaries, headers and small fields around the file


@dataclass(frozen=True)
class Upload:
    """The outcome of reading the upload: its bytes, or why there are none."""

    content: bytes | None = None  # the file's bytes, when one was sent and within the limit
    problem: str = ""  # "" | "missing" (no file in the field) | "too_large" | "malformed"


class _CappedMemoryUpload(FileUploadHandler):
    """Keeps the first file of ``field`` in memory; stops reading past ``limit`` bytes."""

    def __init__(self, request: HttpRequest, field: str, limit: int) -> None:
        super().__init__(request)
        self.field, self.limit = field, limit
        self.too_large = False
        self._buffer: io.BytesIO | None = None
        self._taken = False

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int, boundary: Any,
                         encoding: str | None = None) -> tuple[Any, MultiValueDict[str, Any]] | None:
        if content_length > self.limit + _FORM_OVERHEAD:
            self.too_large = True
            from django.http import QueryDict

            return QueryDict(), MultiValueDict()  # the body is never read
        return None

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self._buffer = io.BytesIO() if field_name == self.field and not self._taken else None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self._buffer is not None:
            if self._buffer.tell() + len(raw_data) > self.limit:
                self.too_large = True
                self._buffer = None
                raise StopUpload(connection_reset=False)  # the rest is read and dropped, chunk by chunk
            self._buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if self._buffer is None:
            return None
        self._taken = True
        self._buffer.seek(0)
        return InMemoryUploadedFile(self._buffer, self.field_name, self.file_name or "upload",
                                    self.content_type, file_size, self.charset)


def read_upload(request: HttpRequest, *, field: str = "file", limit: int) -> Upload:
    """The file sent in ``field`` of a multipart POST, at most ``limit`` bytes (read into memory)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + _FORM_OVERHEAD:
        return Upload(problem="too_large")
    handler = _CappedMemoryUpload(request, field, limit)
    request.upload_handlers = [handler]
    try:
        upload = request.FILES.get(field)
    except (MultiPartParserError, ValueError, OSError):  # a broken body, or a client that went away
        return Upload(problem="malformed")
    if handler.too_large:
        return Upload(problem="too_large")
    if upload is None:
        return Upload(problem="missing")
    content = upload.read(limit + 1)
    if len(content) > limit:
        return Upload(problem="too_large")
    return Upload(content=content)
