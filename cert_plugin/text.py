"""Names as people wrote them, as the database and a printed page can hold them.

Pure: no Django, no database. :func:`clean_name` is applied where a name is captured (the
certificate's snapshot) and again where it leaves the HTML body (the PDF's text and metadata,
page titles and meta tags, emails, the CSV export), so a name stored before this existed prints
the same way.

* Control characters (C0, C1, DEL; NUL, which PostgreSQL refuses) and the bidirectional
  overrides, embeddings, isolates and marks (U+202A..U+202E, U+2066..U+2069, U+200E/U+200F,
  U+061C) are removed: they would reorder what follows them ("Amelia exe.png Okafor"), or stop
  the row from being saved. Tabs and line breaks become a space.
* Whitespace runs are collapsed and the ends trimmed.
* A name longer than ``max_length`` characters is cut at a word boundary where one is close and
  ends with an ellipsis, so it fits the column and the certificate; it is never refused.
"""

from __future__ import annotations

import re

__all__ = ["NAME_MAX_LENGTH", "clean_name", "has_nul", "storable_problem", "strip_controls"]

# What a certificate prints legibly on one or two lines; below the column's 255.
NAME_MAX_LENGTH = 120
ELLIPSIS = "\u2026"

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + _BIDI + "]")
_SPACES = re.compile(r"\s+")


def strip_controls(value: str) -> str:
    """``value`` without control and bidirectional formatting characters; line breaks kept."""
    return _CONTROLS.sub("", value)


def has_nul(value: str) -> bool:
    """Whether ``value`` holds a NUL character (PostgreSQL cannot store one in a text column)."""
    return "\x00" in value


def clean_name(value: str | None, max_length: int = NAME_MAX_LENGTH) -> str:
    """``value`` as one line of printable text of at most ``max_length`` characters."""
    text = _SPACES.sub(" ", strip_controls(value or "")).strip()
    if len(text) <= max_length:
        return text
    cut = text[: max_length - 1]
    space = cut.rfind(" ")
    if space >= max_length * 2 // 3:  # a word boundary near the end: do not cut a word in half
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + ELLIPSIS


def storable_problem(value: str, *, label: str, max_length: int | None = None) -> str:
    """Why ``value`` cannot be stored in a text column on every database, or "" when it can.

    For staff input (template name and HTML, signatories, branding names) checked before it reaches
    the database: a NUL is an error on PostgreSQL, and a value longer than its column is an error on
    PostgreSQL and MariaDB in strict mode (and silently kept whole on SQLite).
    """
    if has_nul(value):
        return f"{label} may not contain NUL characters."
    if max_length is not None and len(value) > max_length:
        return f"{label} may have at most {max_length} characters (it has {len(value)})."
    return ""
