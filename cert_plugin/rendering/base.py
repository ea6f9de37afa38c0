"""What callers of the renderer need without loading it: its input type and its error.

The renderer itself (:mod:`cert_plugin.rendering.pdf`) imports WeasyPrint, which
takes most of a second and tens of MB; a web process that only serves stored
files never needs it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Asset", "Attachment", "RenderError"]


class RenderError(Exception):
    """A certificate could not be rendered; the message says what failed, for staff."""


@dataclass(frozen=True)
class Asset:
    """A template asset available to the document as ``asset:<name>``."""

    content: bytes  # the file's bytes
    mime: str  # its media type, e.g. "image/png"


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF as a PDF/A-3 associated file (listed in the catalog's ``/AF``)."""

    name: str  # its file name, e.g. "credential.jwt"
    content: bytes  # the file's bytes
    mime: str  # its media type, written as the embedded file stream's /Subtype
    relationship: str = "Data"  # its /AFRelationship: Source, Data, Alternative, Supplement, Unspecified
    description: str = ""  # the file specification's /Desc
