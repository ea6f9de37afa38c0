"""Errors of the credentials package, importable without loading pyHanko."""

from __future__ import annotations

__all__ = ["PdfSigningError"]


class PdfSigningError(Exception):
    """The PDF could not be signed (or read): the message says why and what to check."""
